/**
 * pmacct's BMP JSON (the answer keys in corpus/pmacct-test-automation) and
 * our events in one comparable shape, so a test can compare the two as
 * multisets of records.
 *
 * pmacct writes JSON Lines with collector-internal records (`log_init`,
 * `internal` RIB dumps made when a peer goes down) and per-run timestamps:
 * only the records that come from the wire are compared, on the fields both
 * sides decode. Fields we do not decode (extended communities as text, MPLS
 * labels, AIGP, OTC) are left out; VPN/labelled-unicast routes (SAFI 4,
 * 128) are counted, not compared (rovd validates unicast routes; the BGP
 * decoder counts them in `skipped`).
 */
import type { BmpEvent, BmpRouteMonitoringEvent } from '../../../src/bmp/events.js';
import type { BmpRib } from '../../../src/bmp/per-peer-header.js';

export type PmacctRecord = Record<string, unknown>;

/** The records of a pmacct output file. */
export function readPmacct(text: string): PmacctRecord[] {
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as PmacctRecord);
}

const list = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : typeof v === 'string' && v !== '' ? v.split(' ') : []);

/** pmacct's is_in/is_post/is_loc/is_out/is_filtered as our RIB name (+ F flag). */
function pmacctRib(r: PmacctRecord): string {
  if (r.is_loc === 1) return `loc-rib${r.is_filtered === 1 ? '-filtered' : ''}`;
  if (r.is_out === 1) return r.is_post === 1 ? 'adj-rib-out-post' : 'adj-rib-out-pre';
  return r.is_post === 1 ? 'adj-rib-in-post' : 'adj-rib-in-pre';
}

function ourRib(rib: BmpRib, filtered: boolean): string {
  return rib === 'loc-rib' ? `loc-rib${filtered ? '-filtered' : ''}` : rib;
}

const ORIGIN: Record<string, string> = { igp: 'i', egp: 'e', incomplete: 'u' };

/** A unicast route record: the fields both sides decode. */
export function pmacctRoute(r: PmacctRecord): string {
  const base = {
    t: r.log_type,
    peer: r.peer_ip,
    rd: r.rd_origin === 'bmp' ? r.rd : null,
    rib: pmacctRib(r),
    afi: r.afi,
    safi: r.safi,
    prefix: r.ip_prefix,
    pathId: r.as_path_id ?? 0,
  };
  if (r.log_type !== 'update') return JSON.stringify(base);
  return JSON.stringify({
    ...base,
    asPath: list(r.as_path).join(' '),
    nextHop: nextHopText(r.bgp_nexthop as string | null),
    comms: list(r.comms).sort().join(' '),
    lcomms: list(r.lcomms).sort().join(' '),
    origin: r.origin,
    localPref: r.local_pref ?? null,
    med: r.med ?? null,
  });
}

export function pmacctEndOfRib(r: PmacctRecord): string {
  return JSON.stringify({ peer: r.peer_ip, rd: r.rd_origin === 'bmp' ? r.rd : null, rib: pmacctRib(r), afi: r.afi, safi: r.safi });
}

function asPathText(e: BmpRouteMonitoringEvent): string {
  const segs = e.update.attributes?.asPath.segments ?? [];
  return segs
    .map((s) => (s.type === 'sequence' ? s.asns.join(' ') : s.type === 'set' ? `{${s.asns.join(',')}}` : `(${s.asns.join(' ')})`))
    .join(' ');
}

/**
 * An IPv4-mapped IPv6 next hop (RFC 4291 §2.5.5.2) as dotted IPv4: pmacct
 * prints it as `::ffff:a.b.c.d` for IPv4 NLRI and as `a.b.c.d` for IPv6 NLRI,
 * the BGP decoder the other way round; the address is the same.
 */
function nextHopText(nh: string | null): string | null {
  // pmacct prints 0.0.0.0 for an UPDATE without NEXT_HOP; we decode none.
  if (nh === null || nh === '0.0.0.0') return null;
  const dotted = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(nh);
  if (dotted) return dotted[1]!;
  const hex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(nh);
  if (hex) {
    const hi = parseInt(hex[1]!, 16);
    const lo = parseInt(hex[2]!, 16);
    return `${hi >> 8}.${hi & 0xff}.${lo >> 8}.${lo & 0xff}`;
  }
  return nh;
}

/** pmacct prints a zero distinguisher as null. */
function rdOf(distinguisher: string): string | null {
  return distinguisher === '0:0:0' ? null : distinguisher;
}

function community(v: number): string {
  return `${v >>> 16}:${v & 0xffff}`;
}

/**
 * Our route records of one Route Monitoring event (announced and withdrawn
 * unicast NLRI). pmacct logs a withdrawal only for a route it holds (its
 * record carries the withdrawn route's attributes from its RIB), so
 * `held` (routes announced and not yet withdrawn, by peer, RIB and prefix)
 * filters our withdrawals the same way; `unheld` counts the others.
 */
export function ourRoutes(e: BmpRouteMonitoringEvent, held: Set<string>, unheld: { count: number }): string[] {
  const out: string[] = [];
  const rd = rdOf(e.peer.distinguisher);
  const rib = ourRib(e.rib, e.header.filtered);
  const a = e.update.attributes;
  for (const n of e.update.announced) {
    held.add(`${e.peer.key}|${rib}|${n.prefix.toString()}|${n.pathId}`);
    out.push(
      JSON.stringify({
        t: 'update',
        peer: e.peer.address,
        rd,
        rib,
        afi: n.prefix.afi === 4 ? 1 : 2,
        safi: 1,
        prefix: n.prefix.toString(),
        pathId: n.pathId,
        asPath: asPathText(e),
        nextHop: nextHopText(a?.nextHop ?? null),
        comms: (a?.communities ?? []).map(community).sort().join(' '),
        lcomms: [...(a?.largeCommunities ?? [])].sort().join(' '),
        origin: a?.origin ? ORIGIN[a.origin] : null,
        localPref: a?.localPref ?? null,
        med: a?.med ?? null,
      }),
    );
  }
  for (const n of e.update.withdrawn) {
    // A treat-as-withdraw UPDATE's NLRI are announcements turned into withdrawals: kept, to be matched with pmacct's updates.
    if (!held.delete(`${e.peer.key}|${rib}|${n.prefix.toString()}|${n.pathId}`) && e.update.action !== 'treat-as-withdraw') {
      unheld.count++;
      continue;
    }
    out.push(
      JSON.stringify({ t: 'withdraw', peer: e.peer.address, rd, rib, afi: n.prefix.afi === 4 ? 1 : 2, safi: 1, prefix: n.prefix.toString(), pathId: n.pathId }),
    );
  }
  return out;
}

export function ourEndOfRib(e: BmpRouteMonitoringEvent): string | undefined {
  if (!e.update.endOfRib) return undefined;
  const rd = rdOf(e.peer.distinguisher);
  return JSON.stringify({ peer: e.peer.address, rd, rib: ourRib(e.rib, e.header.filtered), afi: e.update.endOfRib.afi, safi: e.update.endOfRib.safi });
}

export function pmacctPeerUp(r: PmacctRecord): string {
  return JSON.stringify({
    peer: r.peer_ip,
    asn: r.peer_asn,
    type: r.peer_type,
    rd: r.rd ?? null,
    bgpId: r.bgp_id,
    local: r.local_ip,
    localPort: r.local_port,
    remotePort: r.remote_port,
  });
}

export function ourPeerUp(e: Extract<BmpEvent, { type: 'peer-up' }>): string {
  return JSON.stringify({
    peer: e.peer.address,
    asn: e.peer.asn,
    type: e.peer.type,
    rd: rdOf(e.peer.distinguisher),
    bgpId: e.peer.bgpId,
    local: e.peerUp.localAddress,
    localPort: e.peerUp.localPort,
    remotePort: e.peerUp.remotePort,
  });
}

export function pmacctPeerDown(r: PmacctRecord): string {
  return JSON.stringify({ peer: r.peer_ip, asn: r.peer_asn, type: r.peer_type, reason: r.reason_type });
}

export function ourPeerDown(e: Extract<BmpEvent, { type: 'peer-down' }>): string {
  return JSON.stringify({ peer: e.peer.address, asn: e.peer.asn, type: e.peer.type, reason: e.peerDown.reason });
}

export function pmacctStat(r: PmacctRecord): string {
  return JSON.stringify({ peer: r.peer_ip, type: r.counter_type, value: r.counter_value, afi: r.afi ?? null, safi: r.safi ?? null });
}

export function ourStats(e: Extract<BmpEvent, { type: 'statistics' }>): string[] {
  // pmacct reads a statistic of unknown type (e.g. 65531) as a number when it has 4 or 8 octets.
  const raw = (b: Uint8Array): number | null => (b.length === 4 || b.length === 8 ? Number(Buffer.from(b).readUIntBE(b.length - 4, 4)) + (b.length === 8 ? Buffer.from(b).readUInt32BE(0) * 2 ** 32 : 0) : null);
  return e.report.stats.map((s) => JSON.stringify({ peer: e.peer.address, type: s.type, value: s.value ?? raw(s.raw), afi: s.afi ?? null, safi: s.safi ?? null }));
}

/** Multiset difference: what is in `a` more often than in `b`. */
export function minus(a: readonly string[], b: readonly string[]): string[] {
  const counts = new Map<string, number>();
  for (const x of b) counts.set(x, (counts.get(x) ?? 0) + 1);
  const out: string[] = [];
  for (const x of a) {
    const n = counts.get(x) ?? 0;
    if (n > 0) counts.set(x, n - 1);
    else out.push(x);
  }
  return out;
}
