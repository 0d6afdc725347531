/**
 * RPKI staleness: the `rpki-stale` alert, and what happens meanwhile to
 * the alerts that RPKI data decides (rpki-invalid, rpki-vrp-removed,
 * aspa-invalid). A cache that stopped updating keeps serving its last
 * VRPs; as ROAs are re-issued elsewhere, routes drift to invalid against
 * the old set, and paging everyone for them would be noise caused by the
 * cache. `whileStale` (settings.ts) says whether such alerts are held
 * until the data is fresh, raised marked, or raised as usual.
 *
 * The gate sits between the RPKI detector and the engine. Clears always
 * pass (a withdrawn route's alert must resolve), and a held condition that
 * is cleared while stale is forgotten.
 */
import type { Condition, ConditionSink } from '../alerts/alert.js';
import { condition } from './condition.js';
import type { DetectionSettings } from './settings.js';

export class StaleGate implements ConditionSink {
  private stale = false;
  private readonly held = new Map<string, Condition>();
  private readonly staleCondition: Condition;

  constructor(
    private readonly settings: DetectionSettings,
    private readonly target: ConditionSink,
  ) {
    this.staleCondition = condition('rpki-stale', settings.rpkiStale.severity, {}, undefined, {
      summary: 'RPKI data is stale: no VRP source is fresh',
      description:
        'No RTR cache is within its expire interval and no VRP file or URL was loaded within its maximum age. rovd keeps validating with the last VRPs it had, which drift from the RPKI as ROAs change. ' +
        `While stale, RPKI-derived alerts are ${settings.rpkiStale.whileStale === 'hold' ? 'held back' : settings.rpkiStale.whileStale === 'mark' ? 'raised marked rpki_stale and as warnings' : 'raised as usual'}.`,
      evidence: { details: { whileStale: settings.rpkiStale.whileStale } },
    });
  }

  get isStale(): boolean {
    return this.stale;
  }

  /** Conditions held back while stale. */
  get heldCount(): number {
    return this.held.size;
  }

  setStale(stale: boolean, atMs: number): void {
    if (stale === this.stale) return;
    this.stale = stale;
    if (stale) {
      if (this.settings.rpkiStale.enabled) this.target.raise(this.staleCondition, atMs);
      return;
    }
    this.target.clear(this.staleCondition.fingerprint, atMs);
    const held = [...this.held.values()];
    this.held.clear();
    for (const c of held) this.target.raise(c, atMs);
  }

  raise(c: Condition, atMs?: number): void {
    if (!this.stale) return this.target.raise(c, atMs);
    switch (this.settings.rpkiStale.whileStale) {
      case 'alert':
        return this.target.raise(c, atMs);
      case 'hold':
        this.held.set(c.fingerprint, c);
        return;
      case 'mark':
        return this.target.raise(
          Object.freeze({
            ...c,
            severity: c.severity === 'critical' ? 'warning' : c.severity,
            labels: Object.freeze({ ...c.labels, severity: c.severity === 'critical' ? 'warning' : c.severity, rpki_stale: 'true' }),
            description: `${c.description} Note: RPKI data is stale; this may be an artefact of outdated VRPs.`,
          }),
          atMs,
        );
    }
  }

  clear(fingerprint: string, atMs?: number): void {
    this.held.delete(fingerprint);
    this.target.clear(fingerprint, atMs);
  }
}
