/**
 * Real BMP from Cisco IOS XR, Huawei VRP and 6WIND/FRR routers
 * (corpus/pmacct-test-automation, MIT), compared with pmacct's decoded
 * answer keys (output-bmp-*.json).
 *
 * Each capture's TCP stream to the BMP port (1790) is reassembled and fed
 * to a BmpRouterSession; every event is turned into pmacct's shape on the
 * fields both decode (helpers/pmacct.ts) and the two are compared as
 * multisets: IPv4/IPv6 unicast route announcements (prefix, peer address,
 * distinguisher, pre/post-policy / Loc-RIB (+F) / Adj-RIB-Out, path ID, AS
 * path, next hop, communities, large communities, origin, LOCAL_PREF, MED),
 * withdrawals, End-of-RIB markers, Peer Up (peer, AS, type, BGP ID, local
 * address and ports), Peer Down reasons, every statistic, and Initiation.
 *
 * Known and asserted differences, each counted exactly:
 * - VPN and labelled-unicast routes (SAFI 128, 4) are counted by the BGP
 *   decoder (`skipped`), not decoded: their count is compared instead
 *   (equal when the capture has no VPN withdrawals; pmacct logs a
 *   withdrawal only for a route it holds, so with withdrawals ours is
 *   larger by the withdrawals of routes announced before the capture).
 * - Unicast withdrawals of routes never announced in the capture: pmacct
 *   does not log them (see `held` in helpers/pmacct.ts); counted.
 * - 6WIND/FRR (205, 206) sends IPv4 unicast UPDATEs without NEXT_HOP
 *   (post-policy Adj-RIB-In and Loc-RIB). pmacct logs them as updates with
 *   next hop 0.0.0.0. For the router's own tables the station decodes with
 *   `nextHopOptional` (the router holds these routes; RFC 7606 §3 (d)
 *   treat-as-withdraw is for a speaker's own routing), so they are routes
 *   without a next hop here too: equal, and counted (140 per capture).
 * - 206 (pmacct in high-availability mode, a rearranged subset of 205):
 *   pmacct's output lacks two Loc-RIB VPN End-of-RIB markers that are on
 *   the wire (205, the full capture, has them all and matches).
 * - 202's traffic-02 ends in the middle of a message (the capture was cut):
 *   the session ends with a `truncated` framing error after the last whole
 *   message; pmacct's output has exactly the messages before it.
 */
import { readFileSync } from 'node:fs';
import t from 'tap';
import type { BmpEvent } from '../../src/bmp/events.js';
import { BmpRouterSession } from '../../src/bmp/router-session.js';
import { corpusPath, haveCorpus } from '../helpers/corpus.js';
import { reassembleTcp } from '../helpers/pcap-tcp.js';
import * as P from './helpers/pmacct.js';

const DIR = 'pmacct-test-automation';

interface Case {
  readonly name: string;
  readonly pcaps: readonly string[];
  readonly outputs: readonly string[];
  /** Expected exceptions (see the file comment). */
  /** IPv4 routes with no next hop: none on the wire (FRR) or 0.0.0.0 (a router's own routes in Loc-RIB); pmacct prints both as 0.0.0.0. */
  readonly noNextHop?: number;
  readonly extraEndOfRib?: number;
  readonly unheldWithdrawals?: number;
  readonly vpnExtra?: number;
  readonly truncatedStreams?: number;
}

const CASES: readonly Case[] = [
  { name: '200-BMP-HUAWEI-locrib_instance', pcaps: ['200-BMP-HUAWEI-locrib_instance/traffic-00.pcap'], outputs: ['output-bmp-00.json'] },
  { name: '201-BMP-CISCO-rd_instance', pcaps: ['201-BMP-CISCO-rd_instance/traffic-00.pcap'], outputs: ['output-bmp-00.json'] },
  {
    name: '202-BMP-CISCO-HUAWEI-multiple-sources',
    // traffic-00.pcap of this test is byte-identical to 200's (corpus/SOURCES.md) and was not copied.
    pcaps: ['200-BMP-HUAWEI-locrib_instance/traffic-00.pcap', '202-BMP-CISCO-HUAWEI-multiple-sources/traffic-01.pcap', '202-BMP-CISCO-HUAWEI-multiple-sources/traffic-02.pcap'],
    outputs: ['output-bmp-00.json'],
    truncatedStreams: 1,
  },
  { name: '204-BMP-CISCO-peer_down', pcaps: ['204-BMP-CISCO-peer_down/traffic-00.pcap'], outputs: ['output-bmp-00.json'], unheldWithdrawals: 2, vpnExtra: 2, noNextHop: 2 },
  {
    name: '205-BMP-6wind-FRR-peer_down',
    pcaps: ['205-BMP-6wind-FRR-peer_down/traffic-00.pcap'],
    outputs: ['output-bmp-00.json'],
    noNextHop: 142, // 140 UPDATEs without NEXT_HOP + 2 routes with 0.0.0.0
    vpnExtra: 106,
  },
  {
    name: '206-BMP-high-availability',
    pcaps: ['206-BMP-high-availability/traffic-00.pcap'],
    outputs: ['output-bmp-00.json', 'output-bmp-01.json'],
    noNextHop: 142, // 140 UPDATEs without NEXT_HOP + 2 routes with 0.0.0.0
    extraEndOfRib: 2,
  },
  {
    name: '400-IPFIXv10-BMP-CISCO-SRv6-multiple-sources',
    pcaps: ['400-IPFIXv10-BMP-CISCO-SRv6-multiple-sources/traffic-00.pcap', '400-IPFIXv10-BMP-CISCO-SRv6-multiple-sources/traffic-01.pcap'],
    outputs: ['output-bmp-00.json'],
    noNextHop: 4,
  },
  {
    name: '401-IPFIXv10-BMP-IPv6-CISCO-MPLS-multiple-sources',
    pcaps: ['401-IPFIXv10-BMP-IPv6-CISCO-MPLS-multiple-sources/traffic-00.pcap', '401-IPFIXv10-BMP-IPv6-CISCO-MPLS-multiple-sources/traffic-01.pcap'],
    outputs: ['output-bmp-00.json'],
    noNextHop: 4,
  },
];

const BMP_PORT = 1790;

function runCapture(pcap: string): BmpEvent[] {
  const events: BmpEvent[] = [];
  for (const stream of reassembleTcp(readFileSync(corpusPath(`${DIR}/${pcap}`)))) {
    if (stream.dstPort !== BMP_PORT) continue;
    if (stream.gaps.length > 0) throw new Error(`${pcap}: TCP gaps in the capture`);
    const session = new BmpRouterSession({ address: '192.0.2.1', port: stream.srcPort, deliver: (e) => void events.push(e) });
    session.push(stream.bytes);
    session.end();
  }
  return events;
}

for (const c of CASES) {
  t.test(c.name, async (t) => {
    if (!haveCorpus(t, `${DIR}/${c.name}`)) return;
    const events = c.pcaps.flatMap(runCapture);
    const records = c.outputs.flatMap((o) => P.readPmacct(readFileSync(corpusPath(`${DIR}/${c.name}/${o}`), 'utf8')));

    const pm = { routes: [] as string[], eor: [] as string[], vpn: 0, up: [] as string[], down: [] as string[], stats: [] as string[], init: [] as string[] };
    for (const r of records) {
      if (r.bmp_msg_type === 'route_monitor') {
        if (r.log_type === 'end-of-rib') pm.eor.push(P.pmacctEndOfRib(r));
        else if (r.safi === 1) pm.routes.push(P.pmacctRoute(r));
        else pm.vpn++;
      } else if (r.bmp_msg_type === 'peer_up') pm.up.push(P.pmacctPeerUp(r));
      else if (r.bmp_msg_type === 'peer_down') pm.down.push(P.pmacctPeerDown(r));
      else if (r.bmp_msg_type === 'stats') pm.stats.push(P.pmacctStat(r));
      else if (r.bmp_msg_type === 'init') pm.init.push(JSON.stringify([r.bmp_init_info_sysname, r.bmp_init_info_sysdescr]));
    }

    const us = { routes: [] as string[], eor: [] as string[], vpn: 0, up: [] as string[], down: [] as string[], stats: [] as string[], init: [] as string[] };
    const held = new Set<string>();
    const unheld = { count: 0 };
    let dropped = 0;
    let truncated = 0;
    let routerDowns = 0;
    for (const e of events) {
      if (e.type === 'route-monitoring') {
        us.routes.push(...P.ourRoutes(e, held, unheld));
        const eor = P.ourEndOfRib(e);
        if (eor) us.eor.push(eor);
        for (const s of e.update.skipped) us.vpn += s.count;
      } else if (e.type === 'peer-up') us.up.push(P.ourPeerUp(e));
      else if (e.type === 'peer-down') us.down.push(P.ourPeerDown(e));
      else if (e.type === 'statistics') us.stats.push(...P.ourStats(e));
      else if (e.type === 'initiation') us.init.push(JSON.stringify([e.initiation.sysName, e.initiation.sysDescr]));
      else if (e.type === 'message-dropped') dropped++;
      else if (e.type === 'router-down') {
        routerDowns++;
        if (e.reason.kind === 'error') {
          t.match(e.reason.error, { kind: 'truncated', field: 'bmp.message' }, 'a capture cut inside a message');
          truncated++;
        } else {
          t.equal(e.reason.kind, 'closed');
        }
      }
    }
    t.equal(routerDowns, c.pcaps.length, 'one session per capture, each ended once');
    t.equal(dropped, 0, 'no message dropped');
    t.equal(truncated, c.truncatedStreams ?? 0, 'streams cut inside a message');

    // Unicast routes: equal, the FRR UPDATEs without NEXT_HOP included.
    t.same(P.minus(pm.routes, us.routes), [], 'no route only pmacct has');
    t.same(P.minus(us.routes, pm.routes), [], 'no route only we have');
    const withoutNextHop = us.routes.filter((x) => {
      const r = JSON.parse(x) as Record<string, unknown>;
      return r.t === 'update' && r.afi === 1 && r.nextHop === null;
    });
    t.equal(withoutNextHop.length, c.noNextHop ?? 0, 'IPv4 routes without a next hop (kept) or with 0.0.0.0');
    t.equal(unheld.count, c.unheldWithdrawals ?? 0, 'withdrawals of routes not announced in the capture');
    t.ok(us.routes.length > 0 || pm.routes.length === 0);
    t.pass(`${us.routes.length} unicast route records compared`);

    // End-of-RIB for every AFI/SAFI (VPN included).
    t.same(P.minus(pm.eor, us.eor), [], 'every End-of-RIB pmacct logged');
    t.equal(P.minus(us.eor, pm.eor).length, c.extraEndOfRib ?? 0, 'End-of-RIB markers pmacct did not log');

    // VPN and labelled unicast: counted, not decoded.
    t.equal(us.vpn - pm.vpn, c.vpnExtra ?? 0, `VPN/labelled NLRI skipped: ${us.vpn} (pmacct decoded ${pm.vpn})`);

    t.same(P.minus(pm.up, us.up), [], 'Peer Up');
    t.same(P.minus(us.up, pm.up), []);
    t.same(P.minus(pm.down, us.down), [], 'Peer Down');
    t.same(P.minus(us.down, pm.down), []);
    t.same(P.minus(pm.stats, us.stats), [], `statistics (${pm.stats.length})`);
    t.same(P.minus(us.stats, pm.stats), []);
    t.same(us.init.sort(), pm.init.sort(), 'Initiation sysName and sysDescr');
  });
}
