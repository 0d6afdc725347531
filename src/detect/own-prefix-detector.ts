/**
 * The operator's own prefixes (config `ownPrefixes`): who may originate
 * them, how specific their announcements may be, where they must be seen.
 *
 * - `origin-hijack`: the exact prefix announced from an origin not listed
 *   for it (the classic hijack BGPalerter calls "hijack").
 * - `subprefix-hijack`: a more-specific of an own prefix from a foreign
 *   origin (it wins by longest match wherever it spreads), or from an
 *   allowed origin but longer than the prefix's maxLength (a leak of
 *   internal more-specifics, or a hijacker prepending the right origin).
 * - `own-prefix-missing`: a prefix that must be visible on a VIF (its
 *   `visibleOn`) is not in what the router advertises to Amazon there
 *   (Adj-RIB-Out, RFC 8671). Judged only while such a table exists and has
 *   existed for the grace period: without a BGP session the session-down
 *   alert is the one that explains, and a router that does not export its
 *   Adj-RIB-Out gives nothing to judge.
 *
 * When several own prefixes cover a route, the most specific decides: it is
 * the operator's most precise statement about that address space.
 */
import type { Condition, ConditionSink } from '../alerts/alert.js';
import type { Asn } from '../net/asn.js';
import type { Prefix } from '../net/prefix.js';
import type { PeerTable } from '../rib/peer-table.js';
import type { Rib } from '../rib/rib.js';
import type { RouteChange } from './route-change.js';
import type { VifMap } from '../vif/vif-map.js';
import { tablesOfVif } from '../vif/feed-tables.js';
import { type RouteContext, type RouteContexts, directionOf, peerAddressOf } from './route-context.js';
import { RouteConditions, originLabel, routeLabels, whereText } from './route-conditions.js';
import { condition, pathNumbers, pathText } from './condition.js';
import type { DetectionSettings, OwnPrefix } from './settings.js';

export interface OwnPrefixDetectorOptions {
  readonly settings: DetectionSettings;
  readonly sink: ConditionSink;
  readonly rib: Rib;
  readonly vifs: VifMap;
  readonly contexts: RouteContexts;
}

export class OwnPrefixDetector {
  private readonly settings: DetectionSettings;
  private readonly own: readonly OwnPrefix[];
  private readonly hijacks: RouteConditions;
  private readonly sink: ConditionSink;
  private readonly rib: Rib;
  private readonly vifs: VifMap;
  private readonly contexts: RouteContexts;
  /** When each advertised table of a watched VIF was first seen (ms), by table key. */
  private readonly firstSeen = new Map<string, number>();
  /** Fingerprints of the missing-prefix conditions raised, by `vif prefix`. */
  private readonly missing = new Map<string, string>();

  constructor(options: OwnPrefixDetectorOptions) {
    this.settings = options.settings;
    // Most specific first, so the first covering entry is the one that decides.
    this.own = [...options.settings.ownPrefixes].sort((a, b) => b.prefix.length - a.prefix.length);
    this.hijacks = new RouteConditions(options.sink);
    this.sink = options.sink;
    this.rib = options.rib;
    this.vifs = options.vifs;
    this.contexts = options.contexts;
  }

  get counts(): { readonly hijacks: number; readonly missing: number } {
    return { hijacks: this.hijacks.size, missing: this.missing.size };
  }

  /** The own prefix entry that decides for a route: the most specific covering it. */
  decidingEntry(covers: (p: Prefix) => boolean): OwnPrefix | undefined {
    for (const o of this.own) if (covers(o.prefix)) return o;
    return undefined;
  }

  onRoute(ev: RouteChange, ctx: RouteContext, atMs: number): void {
    if (this.own.length === 0 || !this.settings.ribs.includes(ctx.rib)) return;
    if (ctx.vif === undefined && !this.settings.unmapped) return;
    const entry = this.decidingEntry((p) => ev.coveredBy(p));
    if (entry === undefined) return;
    if (ev.type === 'state-changed') return; // the origin and prefix did not change
    this.hijacks.set(ev.key, ev.type === 'withdraw' ? undefined : this.hijackCondition(ev, ctx, entry), atMs);
  }

  private hijackCondition(ev: RouteChange, ctx: RouteContext, entry: OwnPrefix): Condition | undefined {
    const prefix = ev.prefix;
    const origin = ev.newOrigin ?? null;
    const allowed = origin !== null && entry.origins.includes(origin);
    const exact = prefix.length === entry.prefix.length;
    const extra: Record<string, string> = entry.group === undefined ? {} : { group: entry.group };
    const attrs = ev.newAttributes;
    const allowedText = entry.origins.map((a) => originLabel(a as Asn)).join(', ');
    if (exact) {
      if (allowed || !this.settings.originHijack.enabled) return undefined;
      return condition('origin-hijack', this.settings.originHijack.severity, routeLabels(ctx, prefix, ev.pathId, origin, { ...extra, own_prefix: entry.prefix.toString() }), ctx, {
        summary: `Hijack: own prefix ${prefix} announced from ${originLabel(origin)} on ${ctx.vifLabel}`,
        description: `${prefix} is yours and may be originated only by ${allowedText}; it is announced with origin ${originLabel(origin)}, seen ${whereText(ctx)}; AS path ${pathText(attrs)}.`,
        asPath: pathNumbers(attrs),
        evidence: { details: { ownPrefix: entry.prefix.toString(), allowedOrigins: allowedText } },
      });
    }
    const tooLong = prefix.length > entry.maxLength;
    if ((allowed && !tooLong) || !this.settings.subprefixHijack.enabled) return undefined;
    const reason = allowed ? 'length' : 'origin';
    return condition('subprefix-hijack', this.settings.subprefixHijack.severity, routeLabels(ctx, prefix, ev.pathId, origin, { ...extra, own_prefix: entry.prefix.toString(), reason }), ctx, {
      summary: `Sub-prefix ${allowed ? 'leak' : 'hijack'}: ${prefix} inside own ${entry.prefix} from ${originLabel(origin)} on ${ctx.vifLabel}`,
      description: allowed
        ? `${prefix} is a more-specific of your ${entry.prefix}, which may be announced only up to /${entry.maxLength}; it is announced by an allowed origin (${originLabel(origin)}), seen ${whereText(ctx)}; AS path ${pathText(attrs)}.`
        : `${prefix} is a more-specific of your ${entry.prefix} (origins ${allowedText}) announced from ${originLabel(origin)}: longest match sends its traffic there. Seen ${whereText(ctx)}; AS path ${pathText(attrs)}.`,
      asPath: pathNumbers(attrs),
      evidence: { details: { ownPrefix: entry.prefix.toString(), allowedOrigins: allowedText, maxLength: entry.maxLength } },
    });
  }

  /** Checks the visibility of own prefixes on their VIFs (called periodically). */
  checkVisibility(atMs: number): void {
    const setting = this.settings.ownPrefixMissing;
    const seenKeys = new Set<string>();
    for (const entry of this.own) {
      for (const vifId of entry.visibleOn) {
        const k = `${vifId} ${entry.prefix}`;
        const tables = this.advertisedTables(vifId, entry.prefix.afi, atMs, seenKeys);
        const judged = tables.filter((t) => atMs - this.firstSeen.get(t.key)! >= setting.graceSeconds * 1000);
        const visible = tables.some((t) => this.rib.covered(entry.prefix, { table: t }).some((r) => r.prefix.length === entry.prefix.length));
        if (!setting.enabled || judged.length === 0 || visible) {
          const fp = this.missing.get(k);
          if (fp !== undefined) this.sink.clear(fp, atMs);
          this.missing.delete(k);
          continue;
        }
        const ctx = this.contexts.of(judged[0]!);
        const c = condition('own-prefix-missing', setting.severity, { vif: vifId, prefix: entry.prefix.toString(), afi: entry.prefix.afi === 4 ? 'ipv4' : 'ipv6', ...(entry.group === undefined ? {} : { group: entry.group }), ...(ctx.vif?.region === undefined ? {} : { region: ctx.vif.region }) }, ctx, {
          summary: `Own prefix ${entry.prefix} is not announced on ${vifId}`,
          description: `${entry.prefix} should be visible on ${vifId}, but the router ${ctx.router} does not advertise it to ${judged.map((t) => peerAddressOf(t.peer)).join(', ')} (Adj-RIB-Out). Traffic from AWS to it will not use this VIF.`,
          evidence: { details: { ownPrefix: entry.prefix.toString(), tables: judged.length } },
        });
        this.missing.set(k, c.fingerprint);
        this.sink.raise(c, atMs);
      }
    }
    for (const key of this.firstSeen.keys()) if (!seenKeys.has(key)) this.firstSeen.delete(key);
  }

  /** The advertised (Adj-RIB-Out) tables of the VIF's peers of this family that exist now. */
  private advertisedTables(vifId: string, afi: 4 | 6, atMs: number, seenKeys: Set<string>): PeerTable[] {
    const vif = this.vifs.get(vifId);
    if (vif === undefined) return [];
    const out: PeerTable[] = [];
    for (const t of tablesOfVif(this.rib, vif)) {
      if (directionOf(t.kind) !== 'advertised') continue;
      const peer = this.contexts.of(t).vifPeer;
      if (peer === undefined || this.contexts.of(t).vif?.id !== vifId) continue;
      // A session of the other family (one BGP session per family on a VIF) does not carry this prefix.
      if (afi === 4 ? !peer.address.includes('.') : peer.address.includes('.')) continue;
      if (!this.firstSeen.has(t.key)) this.firstSeen.set(t.key, atMs);
      seenKeys.add(t.key);
      out.push(t);
    }
    return out;
  }
}
