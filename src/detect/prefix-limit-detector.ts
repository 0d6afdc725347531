/**
 * `prefix-limit`: routes on a VIF's BGP session against Direct Connect's
 * hard quotas. Past the quota AWS puts the session into idle, taking the
 * whole VIF down for that family, so the warning must come before: at the
 * configured ratios (80% warning, 95% critical by default).
 *
 * Counted per VIF, peer (one BGP session per family on a VIF), address
 * family and direction:
 * - advertised (the customer to Amazon), limit `prefixLimit` (100 on
 *   private and transit VIFs, 1,000 on public ones), from the router's
 *   Adj-RIB-Out (post-policy when exported, what is really sent);
 * - received (Amazon to the customer), limit `receivedLimit` (200 per
 *   transit gateway on transit VIFs), from the Adj-RIB-In (pre-policy: all
 *   that was sent).
 * Evaluated on a tick, not per route: the counts are O(1) to read.
 */
import type { ConditionSink } from '../alerts/alert.js';
import type { Afi } from '../net/prefix.js';
import type { PeerTable, RibKind } from '../rib/peer-table.js';
import type { Rib } from '../rib/rib.js';
import { tablesOfVif } from '../vif/feed-tables.js';
import type { Vif } from '../vif/vif.js';
import { canonicalAddress } from '../net/address.js';
import { peerAddressOf } from './route-context.js';
import { condition } from './condition.js';
import type { DetectionSettings } from './settings.js';

export interface PrefixLimitUsage {
  readonly vif: string;
  readonly peer: string;
  readonly afi: 'ipv4' | 'ipv6';
  readonly direction: 'advertised' | 'received';
  readonly routes: number;
  readonly limit: number;
  readonly ratio: number;
}

/** Which table counts, in order of preference. */
const SOURCES: Readonly<Record<PrefixLimitUsage['direction'], readonly RibKind[]>> = {
  advertised: ['adj-rib-out-post', 'adj-rib-out-pre'],
  received: ['adj-rib-in-pre', 'adj-rib-in-post'],
};

export class PrefixLimitDetector {
  private readonly raised = new Map<string, string>();
  private last: readonly PrefixLimitUsage[] = [];

  constructor(
    private readonly settings: DetectionSettings,
    private readonly sink: ConditionSink,
    private readonly rib: Rib,
    private readonly vifs: readonly Vif[],
  ) {}

  /** The usage measured at the last check (for metrics). */
  get usage(): readonly PrefixLimitUsage[] {
    return this.last;
  }

  check(atMs: number): void {
    const s = this.settings.prefixLimit;
    const usage: PrefixLimitUsage[] = [];
    const seen = new Set<string>();
    for (const vif of this.vifs) {
      const tables = tablesOfVif(this.rib, vif);
      for (const peer of vif.peers) {
        // A VIF without a router is counted in Direct Connect's own view of it (AWS counts what it accepted).
        const ofPeer = tables.filter((t) => canonicalAddress(peerAddressOf(t.peer)) === peer.address);
        for (const direction of ['advertised', 'received'] as const) {
          const limit = direction === 'advertised' ? vif.prefixLimit : vif.receivedLimit;
          if (limit === undefined) continue;
          const table = pick(ofPeer, SOURCES[direction]);
          if (table === undefined) continue;
          for (const afi of [4, 6] as Afi[]) {
            const routes = table.count(afi);
            if (routes === 0 && !vif.addressFamilies.includes(afi === 4 ? 'ipv4' : 'ipv6')) continue;
            const u: PrefixLimitUsage = { vif: vif.id, peer: peer.address, afi: afi === 4 ? 'ipv4' : 'ipv6', direction, routes, limit, ratio: routes / limit };
            usage.push(u);
            if (s.enabled) this.judge(u, vif, table, atMs, seen);
          }
        }
      }
    }
    // A session whose table went away (peer down) no longer counts: its alert clears.
    for (const [k, fp] of this.raised) {
      if (!seen.has(k)) {
        this.sink.clear(fp, atMs);
        this.raised.delete(k);
      }
    }
    this.last = usage;
  }

  private judge(u: PrefixLimitUsage, vif: Vif, table: PeerTable, atMs: number, seen: Set<string>): void {
    const s = this.settings.prefixLimit;
    const k = `${u.vif} ${u.peer} ${u.afi} ${u.direction}`;
    const severity = u.ratio >= s.criticalRatio ? 'critical' : u.ratio >= s.warningRatio ? 'warning' : undefined;
    // Not marked seen when below the ratios: the sweep in check() clears it.
    if (severity === undefined) return;
    seen.add(k);
    const pct = Math.round(u.ratio * 1000) / 10;
    const c = condition('prefix-limit', severity, { vif: u.vif, peer: u.peer, afi: u.afi, direction: u.direction, vif_type: vif.type, router: table.router, ...(vif.region === undefined ? {} : { region: vif.region }) }, undefined, {
      summary: `${u.vif}: ${u.routes} of ${u.limit} ${u.afi} routes ${u.direction === 'advertised' ? 'advertised to' : 'received from'} ${u.peer} (${pct}%)`,
      description: `The ${u.afi} BGP session with ${u.peer} on ${u.vif} (${vif.type} VIF) carries ${u.routes} routes ${u.direction === 'advertised' ? 'from the customer' : 'from Amazon'}, ${pct}% of Direct Connect's limit of ${u.limit}. Past the limit AWS puts the session into idle and the VIF stops carrying ${u.afi} traffic. Counted in ${table.kind} of ${table.router === 'aws-api' ? 'Direct Connect\'s own view (aws-api)' : `router ${table.router}`}.`,
      evidence: { details: { routes: u.routes, limit: u.limit, ratio: u.ratio, rib: table.kind } },
      context: { vif: u.vif, vifType: vif.type, region: vif.region, router: table.router, peer: u.peer, rib: table.kind },
    });
    this.raised.set(k, c.fingerprint);
    this.sink.raise(c, atMs);
  }
}

function pick(tables: readonly PeerTable[], kinds: readonly RibKind[]): PeerTable | undefined {
  for (const kind of kinds) {
    const t = tables.find((x) => x.kind === kind);
    if (t !== undefined) return t;
  }
  return undefined;
}
