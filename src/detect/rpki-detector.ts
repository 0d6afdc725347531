/**
 * RPKI-derived route alerts:
 * - `rpki-invalid`: a route is RPKI-invalid (RFC 6811 §2), because no VRP
 *   covering it names its origin (`as`) or because it is more specific than
 *   the VRPs for its origin allow (`length`); the VRPs that decided it are
 *   the evidence. Raised when the route arrives invalid and when a VRP
 *   change makes a held route invalid (the RIB revalidates only the routes
 *   under the changed prefixes and tells us which changed).
 * - `rpki-vrp-removed`: a held route was valid and a VRP change left it
 *   not-found: its ROA was withdrawn or expired. Reported as such, with the
 *   VRPs that used to cover it, because "not-found" alone hides that the
 *   route just lost its protection.
 * - `aspa-invalid`: the AS path fails ASPA verification
 *   (draft-ietf-sidrops-aspa-verification, upstream procedure: Amazon is a
 *   lateral peer of the customer and the customer is Amazon's customer),
 *   i.e. a route leak. Checked only on VIF tables and only when ASPA data
 *   is present.
 */
import type { Condition, ConditionSink, EvidenceVrp } from '../alerts/alert.js';
import { formatAsn } from '../net/asn.js';
import type { Prefix } from '../net/prefix.js';
import type { PathAttributes } from '../bgp/attributes.js';
import type { Asn } from '../net/asn.js';
import type { HeldRoute } from '../rib/route-event.js';
import type { RouteChange } from './route-change.js';
import { verifyAspaPath } from '../rov/aspa-verification.js';
import type { RpkiSnapshot } from '../rov/validator.js';
import { RovState, type RouteValidity } from '../rov/validity.js';
import type { Vrp } from '../rpki/vrp.js';
import type { RouteContext } from './route-context.js';
import { RouteConditions, originLabel, routeLabels, whereText } from './route-conditions.js';
import { condition, pathNumbers, pathText } from './condition.js';
import type { DetectionSettings } from './settings.js';

export interface RpkiDetectorOptions {
  readonly settings: DetectionSettings;
  /** Where RPKI-derived conditions go: the stale gate in front of the engine. */
  readonly sink: ConditionSink;
  /** The snapshot routes are validated with now. */
  readonly snapshot: () => RpkiSnapshot;
  /**
   * The content identifiers of VRP sets (src/store/vrp-snapshots.ts).
   * Without it, evidence names `generation:N`.
   */
  readonly vrpSets?: VrpSetIds;
}

/**
 * Which VRP set a generation is. Identifying a set (hashing ~12 MB) runs
 * after the index is published, so a condition raised meanwhile names
 * `generation:N`, and is raised again naming the CID once it is known.
 */
export interface VrpSetIds {
  /** The set's CID (base32 `b…`) once computed. */
  id(generation: number): string | undefined;
  /** Calls `listener` as each generation's CID becomes known; returns an unsubscribe. */
  onIdentified(listener: (generation: number, cid: string) => void): () => void;
}

export class RpkiDetector {
  private readonly settings: DetectionSettings;
  private readonly snapshot: () => RpkiSnapshot;
  private readonly invalid: RouteConditions;
  private readonly removed: RouteConditions;
  private readonly aspa: RouteConditions;
  /** The snapshot before the change being revalidated (for the VRPs a route lost). */
  private previous: RpkiSnapshot | undefined;
  private readonly vrpSets: VrpSetIds | undefined;
  private readonly provisional: ProvisionalSink;
  private readonly unsubscribeIds: () => void;

  constructor(options: RpkiDetectorOptions) {
    this.settings = options.settings;
    this.snapshot = options.snapshot;
    this.vrpSets = options.vrpSets;
    this.provisional = new ProvisionalSink(options.sink);
    const sink = this.vrpSets === undefined ? options.sink : this.provisional;
    this.invalid = new RouteConditions(sink);
    this.removed = new RouteConditions(sink);
    this.aspa = new RouteConditions(sink);
    this.unsubscribeIds = this.vrpSets?.onIdentified((generation, cid) => this.provisional.identified(generation, cid)) ?? (() => undefined);
  }

  /** Stops listening for VRP set identifiers. */
  close(): void {
    this.unsubscribeIds();
  }

  /** The VRP set evidence names: its CID, or `generation:N` until that is known. */
  private vrpSetOf(generation: number): string {
    return this.vrpSets?.id(generation) ?? `generation:${generation}`;
  }

  /** Conditions held: invalid routes, routes that lost their VRPs, ASPA-invalid paths. */
  get counts(): { readonly invalid: number; readonly removed: number; readonly aspa: number } {
    return { invalid: this.invalid.size, removed: this.removed.size, aspa: this.aspa.size };
  }

  /** Takes the lost-ROA conditions another detector holds (a config reload replaces the detector). */
  adoptRemoved(previous: RpkiDetector): void {
    this.removed.adopt(previous.removed);
  }

  /** Called before the RIB revalidates for a change, with the snapshot it replaces. */
  beforeRevalidate(previous: RpkiSnapshot): void {
    this.previous = previous;
  }

  afterRevalidate(): void {
    this.previous = undefined;
  }

  onRoute(ev: RouteChange, ctx: RouteContext, atMs: number): void {
    if (!this.settings.ribs.includes(ctx.rib)) return;
    if (ctx.vif === undefined && !this.settings.unmapped) return;
    const gone = ev.type === 'withdraw';
    // The route's key string is built only when there is something to raise or clear.
    const invalidNow = !gone && ev.newState === RovState.Invalid && this.settings.rpkiInvalid.enabled;
    const mayHoldInvalid = ev.oldState === RovState.Invalid && this.invalid.size > 0;
    const lostVrps = ev.type === 'state-changed' && ev.oldState === RovState.Valid && ev.newState === RovState.NotFound && this.settings.vrpRemoved.enabled;
    const mayHoldRemoved = this.removed.size > 0 && ev.oldState === RovState.NotFound;
    const checkAspa = !gone && ev.type !== 'state-changed' && ctx.vif !== undefined && this.settings.aspaInvalid.enabled && this.snapshot().aspas.size > 0;
    const mayHoldAspa = this.aspa.size > 0 && ev.type !== 'state-changed';
    if (!invalidNow && !mayHoldInvalid && !lostVrps && !mayHoldRemoved && !checkAspa && !mayHoldAspa) return;

    const key = ev.key;
    const prefix = ev.prefix;
    if (invalidNow || mayHoldInvalid) this.invalid.set(key, invalidNow ? this.invalidCondition(ev, ctx, prefix) : undefined, atMs);
    if (lostVrps || mayHoldRemoved) {
      // Held until the route is withdrawn, changes origin, or its state leaves not-found.
      const keep = !gone && ev.newState === RovState.NotFound && ev.newOrigin === ev.oldOrigin;
      if (lostVrps) this.removed.set(key, this.removedCondition(ev, ctx, prefix), atMs);
      else if (!keep) this.removed.set(key, undefined, atMs);
    }
    if (checkAspa || mayHoldAspa) this.aspa.set(key, checkAspa ? this.aspaCondition(ctx, prefix, ev.pathId, ev.newOrigin ?? null, ev.newAttributes) : undefined, atMs);
  }

  private invalidCondition(ev: RouteChange, ctx: RouteContext, prefix: Prefix): Condition {
    const snapshot = this.snapshot();
    const origin = ev.newOrigin ?? null;
    const validity = snapshot.vrps.explain(prefix, origin);
    const attrs = ev.newAttributes;
    const labels = routeLabels(ctx, prefix, ev.pathId, origin, { reason: validity.reason ?? 'as' });
    const becameBy = ev.type === 'state-changed' ? ` after a VRP change (was ${stateText(ev.oldState)})` : '';
    const why =
      validity.reason === 'length'
        ? `${originLabel(origin)} is authorised only up to /${Math.max(...validity.unmatchedLength.map((v) => v.maxLength))} (${vrpList(validity.unmatchedLength)})`
        : `no VRP covering it names ${originLabel(origin)} (covering: ${vrpList(validity.unmatchedAs)})`;
    return condition('rpki-invalid', this.settings.rpkiInvalid.severity, labels, ctx, {
      summary: `RPKI-invalid route ${prefix} from ${originLabel(origin)} ${ctx.vifLabel === 'unmapped' ? 'on an unmapped peer' : `on ${ctx.vifLabel}`}${becameBy}`,
      description: `${prefix} with origin ${originLabel(origin)} is RPKI-invalid (${validity.reason === 'length' ? 'too specific' : 'wrong origin'}): ${why}. Seen ${whereText(ctx)}; AS path ${pathText(attrs)}. VRP set generation:${snapshot.generation}.`,
      asPath: pathNumbers(attrs),
      evidence: { ...validityEvidence(validity), vrpSet: this.vrpSetOf(snapshot.generation), details: { generation: snapshot.generation } },
    });
  }

  private removedCondition(ev: RouteChange, ctx: RouteContext, prefix: Prefix): Condition {
    const snapshot = this.snapshot();
    const origin = ev.newOrigin ?? null;
    const before = this.previous?.vrps.explain(prefix, origin);
    const lost = before?.matched ?? [];
    return condition('rpki-vrp-removed', this.settings.vrpRemoved.severity, routeLabels(ctx, prefix, ev.pathId, origin), ctx, {
      summary: `${prefix} from ${originLabel(origin)} on ${ctx.vifLabel} lost its ROA: valid before, not-found now`,
      description: `A VRP change removed every VRP that made ${prefix} (origin ${originLabel(origin)}) valid${lost.length > 0 ? ` (${vrpList(lost)})` : ''}; the route is now not-found, so it is no longer protected by origin validation. Seen ${whereText(ctx)}; AS path ${pathText(ev.newAttributes)}. VRP set generation:${snapshot.generation} (was generation:${this.previous?.generation ?? '?'}).`,
      asPath: pathNumbers(ev.newAttributes),
      evidence: { state: 'not-found', removed: lost.map(evidenceVrp), vrpSet: this.vrpSetOf(snapshot.generation), details: { generation: snapshot.generation } },
    });
  }

  /**
   * The ASPA attestations changed: re-verifies the held routes of VIF
   * tables (route events only cover routes that changed, and ASPA is not
   * part of the RIB's revalidation). VIF tables are small (Direct Connect's
   * quotas), so this is a scan of hundreds to thousands of routes.
   */
  recheckAspa(routes: Iterable<{ readonly route: HeldRoute; readonly ctx: RouteContext }>, atMs: number): void {
    if (!this.settings.aspaInvalid.enabled) return;
    const any = this.snapshot().aspas.size > 0;
    for (const { route, ctx } of routes) {
      if (ctx.vif === undefined || !this.settings.ribs.includes(ctx.rib)) continue;
      const key = `${route.table.key} ${route.prefix.toString()} ${route.pathId}`;
      if (!any && !this.aspa.has(key)) continue;
      this.aspa.set(key, any ? this.aspaCondition(ctx, route.prefix, route.pathId, route.origin, route.attributes) : undefined, atMs);
    }
  }

  private aspaCondition(ctx: RouteContext, prefix: Prefix, pathId: number, origin: Asn | null, attrs: PathAttributes | undefined): Condition | undefined {
    if (attrs === undefined) return undefined;
    const snapshot = this.snapshot();
    const neighborAsn = ctx.vifPeer?.asn;
    const result = verifyAspaPath(snapshot.aspas, attrs.asPath, prefix.afi, 'upstream', neighborAsn === undefined ? {} : { neighborAsn });
    if (result.state !== 'invalid') return undefined;
    return condition('aspa-invalid', this.settings.aspaInvalid.severity, routeLabels(ctx, prefix, pathId, origin, { reason: result.reason }), ctx, {
      summary: `Route leak? ${prefix} from ${originLabel(origin)} on ${ctx.vifLabel} fails ASPA verification (${result.reason})`,
      description: `${result.message}. Seen ${whereText(ctx)}; AS path ${pathText(attrs)}.`,
      asPath: pathNumbers(attrs),
      evidence: { vrpSet: this.vrpSetOf(snapshot.generation), details: { aspa: result.state, reason: result.reason, direction: result.direction, generation: snapshot.generation } },
    });
  }
}

/**
 * Between the detector and its sink: remembers the conditions raised while
 * their VRP set was only `generation:N` and still held, and raises them
 * again naming the CID when it is known (same fingerprint, same time: the
 * engine updates the alert's content, its lifecycle is unchanged). Holds
 * only what was raised in that window, some milliseconds per VRP change.
 */
class ProvisionalSink implements ConditionSink {
  private readonly held = new Map<string, { readonly condition: Condition; readonly at: number | undefined }>();

  constructor(private readonly target: ConditionSink) {}

  raise(condition: Condition, at?: number): void {
    if (condition.evidence.vrpSet?.startsWith('generation:') === true) this.held.set(condition.fingerprint, { condition, at });
    else this.held.delete(condition.fingerprint);
    this.target.raise(condition, at);
  }

  clear(fingerprint: string, at?: number): void {
    this.held.delete(fingerprint);
    this.target.clear(fingerprint, at);
  }

  identified(generation: number, cid: string): void {
    const name = `generation:${generation}`;
    for (const [fp, { condition, at }] of this.held) {
      if (condition.evidence.vrpSet !== name) continue;
      this.held.delete(fp);
      this.target.raise({ ...condition, evidence: { ...condition.evidence, vrpSet: cid } }, at);
    }
  }
}

export function evidenceVrp(v: Vrp): EvidenceVrp {
  return { asn: formatAsn(v.asn), prefix: v.prefix.toString(), maxLength: v.maxLength };
}

function validityEvidence(v: RouteValidity): Condition['evidence'] {
  return {
    state: v.state,
    ...(v.reason === null ? {} : { reason: v.reason }),
    matched: v.matched.map(evidenceVrp),
    unmatchedAs: v.unmatchedAs.map(evidenceVrp),
    unmatchedLength: v.unmatchedLength.map(evidenceVrp),
  };
}

function vrpList(vrps: readonly Vrp[]): string {
  const shown = vrps.slice(0, 5).map((v) => `${v.prefix}-${v.maxLength} ${formatAsn(v.asn)}`);
  return vrps.length > 5 ? `${shown.join(', ')} and ${vrps.length - 5} more` : shown.join(', ') || 'none';
}

function stateText(state: RovState | undefined): string {
  return state === RovState.Valid ? 'valid' : state === RovState.NotFound ? 'not-found' : state === RovState.Invalid ? 'invalid' : 'absent';
}
