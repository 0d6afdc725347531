/**
 * `route-divergence`: the router and AWS disagree about a VIF.
 *
 * For a VIF rovd sees both through the router's BMP feed and through
 * Direct Connect's API, each session is compared in both directions:
 * - what AWS *accepted* (ListVirtualInterfaceRoutes, `accepted`) with what
 *   the router advertises to the Amazon peer (its Adj-RIB-Out, RFC 8671;
 *   post-policy when the router sends it, else pre-policy);
 * - what AWS *advertised* with what the router receives from it (its
 *   Adj-RIB-In, RFC 7854 §5; pre-policy when sent, else post-policy).
 *
 * A prefix on one side only is `missing-from-bmp` or `missing-from-aws`; on
 * both with other AS paths, `as-path`. The router's view changes at once,
 * AWS's only at the next poll, so a difference must outlast `holdSeconds`
 * *and* a poll that started after the difference did before it is raised:
 * a route announced a second ago is not a divergence, one AWS still lacks
 * after a fresh poll is.
 *
 * AS paths are compared after the sender's own ASN is stripped from their
 * start: whether a router's Adj-RIB-Out shows its own ASN prepended
 * (RFC 8671 leaves it to the implementation) is not a disagreement.
 */
import type { ConditionSink } from '../alerts/alert.js';
import type { AsPath } from '../bgp/as-path.js';
import type { Asn } from '../net/asn.js';
import { canonicalAddress } from '../net/address.js';
import type { PeerTable, RibKind } from '../rib/peer-table.js';
import type { Rib } from '../rib/rib.js';
import { ACCEPTED_KIND, awsTablesOf } from '../vif/feed-tables.js';
import type { Vif } from '../vif/vif.js';
import type { VifMap } from '../vif/vif-map.js';
import { condition } from './condition.js';
import { type RouteContexts, peerAddressOf } from './route-context.js';
import type { DetectionSettings } from './settings.js';

export type Divergence = 'missing-from-bmp' | 'missing-from-aws' | 'as-path';

/** When the API last polled a VIF (src/aws/direct-connect-watch.ts). */
export type PollTimes = (vifId: string) => number | undefined;

/** The router's tables to compare an API table with, best first. */
const COUNTERPARTS: Readonly<Record<'accepted' | 'advertised', readonly RibKind[]>> = {
  accepted: ['adj-rib-out-post', 'adj-rib-out-pre'],
  advertised: ['adj-rib-in-pre', 'adj-rib-in-post'],
};

interface Seen {
  readonly since: number;
  fingerprint: string | undefined;
}

export class DivergenceDetector {
  /** Differences seen, by `vif|peer|direction|prefix|divergence`, since when, and the alert raised for each. */
  private readonly seen = new Map<string, Seen>();

  constructor(
    private readonly settings: DetectionSettings,
    private readonly sink: ConditionSink,
    private readonly rib: Rib,
    private readonly vifs: VifMap,
    private readonly contexts: RouteContexts,
    private readonly lastPoll: PollTimes,
  ) {}

  /** Takes over the differences the detector this one replaces was timing and had raised (a reload must not restart their hold-down or orphan their alerts). */
  adopt(previous: DivergenceDetector): void {
    for (const [key, seen] of previous.seen) this.seen.set(key, { ...seen });
  }

  get count(): number {
    let n = 0;
    for (const s of this.seen.values()) if (s.fingerprint !== undefined) n++;
    return n;
  }

  check(atMs: number): void {
    const s = this.settings.divergence;
    const now = new Set<string>();
    if (s.enabled) {
      for (const vif of this.vifs.vifs) {
        if (vif.router === undefined) continue;
        const polled = this.lastPoll(vif.id);
        if (polled === undefined) continue;
        for (const api of awsTablesOf(this.rib, vif.id)) this.compare(vif, api, polled, atMs, now);
      }
    }
    for (const [key, seen] of this.seen) {
      if (now.has(key)) continue;
      if (seen.fingerprint !== undefined) this.sink.clear(seen.fingerprint, atMs);
      this.seen.delete(key);
    }
  }

  private compare(vif: Vif, api: PeerTable, polledAt: number, atMs: number, now: Set<string>): void {
    const apiCtx = this.contexts.of(api);
    const peer = apiCtx.vifPeer;
    if (peer === undefined) return;
    const direction = api.kind === ACCEPTED_KIND ? 'accepted' : 'advertised';
    const router = this.counterpart(vif.router!, peer.address, direction);
    // The router does not send BMP for that RIB: nothing to compare with.
    if (router === undefined) return;
    // The sender's ASN: the customer's router on accepted routes (its local ASN, learnt from BMP Peer Up), Amazon on advertised ones.
    const sender = direction === 'accepted' ? router.localAsn : peer.asn;
    const bmpPaths = new Map<string, AsPath>();
    for (const r of this.rib.routes(router)) if (!bmpPaths.has(r.prefix.toString())) bmpPaths.set(r.prefix.toString(), r.attributes.asPath);
    const apiPaths = new Map<string, AsPath>();
    for (const r of this.rib.routes(api)) apiPaths.set(r.prefix.toString(), r.attributes.asPath);
    const note = (prefix: string, divergence: Divergence, bmp: AsPath | undefined, aws: AsPath | undefined) =>
      this.note({ vif, peer: peer.address, direction, prefix, divergence, bmp, aws, router: vif.router!, rib: router.kind }, polledAt, atMs, now);
    for (const [prefix, aws] of apiPaths) {
      const bmp = bmpPaths.get(prefix);
      if (bmp === undefined) note(prefix, 'missing-from-bmp', undefined, aws);
      else if (!samePath(bmp, aws, sender)) note(prefix, 'as-path', bmp, aws);
    }
    for (const [prefix, bmp] of bmpPaths) if (!apiPaths.has(prefix)) note(prefix, 'missing-from-aws', bmp, undefined);
  }

  private counterpart(routerAddress: string, peerAddress: string, direction: 'accepted' | 'advertised'): PeerTable | undefined {
    const tables = this.rib.tablesOfRouter(routerAddress).filter((t) => canonicalAddress(peerAddressOf(t.peer)) === peerAddress && !t.isDropped);
    for (const kind of COUNTERPARTS[direction]) {
      const t = tables.find((x) => x.kind === kind);
      if (t !== undefined) return t;
    }
    return undefined;
  }

  private note(
    d: { vif: Vif; peer: string; direction: 'accepted' | 'advertised'; prefix: string; divergence: Divergence; bmp: AsPath | undefined; aws: AsPath | undefined; router: string; rib: RibKind },
    polledAt: number,
    atMs: number,
    now: Set<string>,
  ): void {
    const key = `${d.vif.id}|${d.peer}|${d.direction}|${d.prefix}|${d.divergence}`;
    now.add(key);
    let seen = this.seen.get(key);
    if (seen === undefined) this.seen.set(key, (seen = { since: atMs, fingerprint: undefined }));
    // Past the hold-down, and AWS was asked again after the difference appeared.
    if (atMs - seen.since < this.settings.divergence.holdSeconds * 1000 || polledAt <= seen.since) return;
    const labels: Record<string, string> = { vif: d.vif.id, peer: d.peer, direction: d.direction, prefix: d.prefix, divergence: d.divergence, router: d.router, vif_type: d.vif.type };
    if (d.vif.region !== undefined) labels.region = d.vif.region;
    const towards = d.direction === 'accepted' ? 'the customer advertises to AWS' : 'AWS advertises to the customer';
    const text: Record<Divergence, string> = {
      'missing-from-bmp': `Direct Connect lists ${d.prefix} among the routes ${towards} on ${d.vif.id}, but router ${d.router}'s BMP view (${d.rib}) of the session with ${d.peer} does not have it.`,
      'missing-from-aws': `Router ${d.router}'s BMP view (${d.rib}) has ${d.prefix} among the routes ${towards} on ${d.vif.id}, but Direct Connect does not list it: AWS ${d.direction === 'accepted' ? 'did not accept it (prefix filter, limit or policy)' : 'is not sending it'}.`,
      'as-path': `${d.prefix} on ${d.vif.id} (${towards}) has AS path ${pathText(d.bmp)} in router ${d.router}'s BMP view (${d.rib}) but ${pathText(d.aws)} in Direct Connect's list.`,
    };
    const c = condition('route-divergence', this.settings.divergence.severity, labels, undefined, {
      summary: `${d.vif.id}: ${d.prefix} ${d.divergence === 'as-path' ? 'has another AS path in AWS\'s view than in the router\'s' : d.divergence === 'missing-from-bmp' ? 'is listed by AWS but not in the router\'s BMP view' : 'is in the router\'s BMP view but not listed by AWS'} (${d.direction})`,
      description: `${text[d.divergence]} The difference has lasted ${Math.round((atMs - seen.since) / 1000)} s, across a poll of the API.`,
      evidence: { details: { divergence: d.divergence, bmpAsPath: d.bmp === undefined ? null : pathText(d.bmp), awsAsPath: d.aws === undefined ? null : pathText(d.aws), since: new Date(seen.since).toISOString() } },
      context: { vif: d.vif.id, vifType: d.vif.type, region: d.vif.region, router: d.router, peer: d.peer, rib: d.rib },
    });
    seen.fingerprint = c.fingerprint;
    this.sink.raise(c, atMs);
  }
}

function pathText(p: AsPath | undefined): string {
  const s = p?.toString() ?? '';
  return s === '' ? '(empty)' : s;
}

/** Equal once the sender's own ASN (and its prepends) is taken off the front of each. */
export function samePath(a: AsPath, b: AsPath, sender: Asn | undefined): boolean {
  if (a.equals(b)) return true;
  return strip(a.toString(), sender) === strip(b.toString(), sender);
}

function strip(text: string, sender: Asn | undefined): string {
  if (sender === undefined) return text;
  const words = text.split(' ').filter((w) => w !== '');
  let i = 0;
  while (i < words.length && words[i] === String(sender)) i++;
  return words.slice(i).join(' ');
}
