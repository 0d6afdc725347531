/**
 * pmacct's BGP session captures (corpus/pmacct-test-automation/3xx-BGP-*,
 * MIT, Swisscom; read in place): real routers (IOS XR among them) talking
 * to a collector. Every UPDATE must decode without error. The routes are
 * VPNv4/VPNv6 (SAFI 128), which this codec skips and counts: the counts are
 * compared with pmacct's own decode (output-bgp-*.json, one "update" line
 * per route), and so are its End-of-RIB markers.
 *
 * Only the router's side of each session was captured, so the collector's
 * OPEN is missing: UPDATEs are decoded with the 4-octet AS capability the
 * router advertises (pmacct supports it) and no ADD-PATH (the routers
 * advertise none). Several captures end inside an UPDATE (corpus/SOURCES.md);
 * that last, cut message is not framed.
 */
import { readFileSync } from 'node:fs';
import t from 'tap';
import { capabilities } from '../../src/bgp/capabilities.js';
import { corpusPath, haveCorpus } from '../helpers/corpus.js';
import { decodeSessions } from './helpers/sessions.js';

const DIR = 'pmacct-test-automation';

interface Expected {
  /** "afi/safi" → routes announced */
  readonly routes: Record<string, number>;
  readonly endOfRib: string[];
}

/** pmacct's output lines for one peer: update counts per AFI/SAFI and End-of-RIB markers. */
function pmacctExpectations(file: string, peer: string): Expected {
  const routes: Record<string, number> = {};
  const endOfRib: string[] = [];
  for (const line of readFileSync(corpusPath(file), 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    const row = JSON.parse(line) as { log_type?: string; afi?: number; safi?: number; peer_ip_src?: string };
    if (row.peer_ip_src !== peer) continue;
    const key = `${row.afi}/${row.safi}`;
    if (row.log_type === 'update') routes[key] = (routes[key] ?? 0) + 1;
    if (row.log_type === 'end-of-rib') endOfRib.push(key);
  }
  return { routes, endOfRib: endOfRib.sort() };
}

const CASES = [
  { pcap: '300-BGP-IPv6-CISCO-extNH_enc/traffic-00.pcap', json: '300-BGP-IPv6-CISCO-extNH_enc/output-bgp-00.json', peer: 'cafe::1' },
  { pcap: '301-BGP-CISCO-pretag/traffic-00.pcap', json: '301-BGP-CISCO-pretag/output-bgp-00.json', peer: '192.168.100.1' },
  { pcap: '302-BGP-IPv6-multiple-sources/traffic-00.pcap', json: '302-BGP-IPv6-multiple-sources/output-bgp-00.json', peer: 'cafe::1' },
  { pcap: '302-BGP-IPv6-multiple-sources/traffic-01.pcap', json: '302-BGP-IPv6-multiple-sources/output-bgp-00.json', peer: '192.168.100.1' },
  { pcap: '302-BGP-IPv6-multiple-sources/traffic-02.pcap', json: '302-BGP-IPv6-multiple-sources/output-bgp-00.json', peer: '192.168.100.2' },
  { pcap: '302-BGP-IPv6-multiple-sources/traffic-03.pcap', json: '302-BGP-IPv6-multiple-sources/output-bgp-00.json', peer: '192.168.100.2' },
  { pcap: '303-BGP-high-availability/traffic-00.pcap', json: '303-BGP-high-availability/output-bgp-00.json', peer: 'fd25::101' },
  { pcap: '304-BGP-IPv6-multiple-sources-dump-spreading/traffic-00.pcap', json: '304-BGP-IPv6-multiple-sources-dump-spreading/output-bgp-00.json', peer: 'cafe::1' },
  { pcap: '304-BGP-IPv6-multiple-sources-dump-spreading/traffic-01.pcap', json: '304-BGP-IPv6-multiple-sources-dump-spreading/output-bgp-00.json', peer: '192.168.100.1' },
  { pcap: '304-BGP-IPv6-multiple-sources-dump-spreading/traffic-02.pcap', json: '304-BGP-IPv6-multiple-sources-dump-spreading/output-bgp-00.json', peer: '192.168.100.2' },
];

for (const c of CASES) {
  t.test(c.pcap, async (t) => {
    if (!haveCorpus(t, `${DIR}/${c.pcap}`)) return;
    const s = decodeSessions(corpusPath(`${DIR}/${c.pcap}`), capabilities({ asn4: true }));
    t.same(s.framingErrors, [], 'every message framed');
    const opens = s.messages.filter((m) => m.type === 1);
    t.equal(opens.length, 1, 'the router’s OPEN');
    t.equal(opens[0]!.open?.asn4, true, 'advertises 4-octet AS');
    t.same(opens[0]!.open?.addPath, [], 'and no ADD-PATH');
    const ups = s.messages.filter((m) => m.type === 2);
    t.ok(ups.length >= 8, `${ups.length} UPDATEs`);
    const failed = ups.filter((m) => m.error !== undefined || m.update?.action !== 'none');
    t.same(failed.map((m) => [m.offset, String(m.error ?? JSON.stringify(m.update?.problems))]), [], 'every UPDATE decodes cleanly');

    const routes: Record<string, number> = {};
    const endOfRib: string[] = [];
    for (const m of ups) {
      for (const k of m.update!.skipped) routes[`${k.afi}/${k.safi}`] = (routes[`${k.afi}/${k.safi}`] ?? 0) + k.count;
      if (m.update!.endOfRib) endOfRib.push(`${m.update!.endOfRib.afi}/${m.update!.endOfRib.safi}`);
      t.equal(m.update!.announced.length + m.update!.withdrawn.length, 0, 'no VPN route misread as unicast');
    }
    const want = pmacctExpectations(`${DIR}/${c.json}`, c.peer);
    t.same(routes, want.routes, 'routes per AFI/SAFI as pmacct decoded them');
    t.same(endOfRib.sort(), want.endOfRib, 'End-of-RIB markers as pmacct saw them');
    t.ok(Object.values(routes).reduce((a, b) => a + b, 0) > 0);
  });
}
