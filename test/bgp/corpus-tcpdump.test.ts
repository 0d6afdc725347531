/**
 * tcpdump's BGP test captures (corpus/tcpdump/tests, BSD-3-Clause, read in
 * place; see corpus/SOURCES.md). Many are fuzzed on purpose. Every OPEN and
 * UPDATE of every capture is decoded: only typed errors may come out. The
 * concrete values asserted below were checked against tcpdump's own decode
 * in the .out file next to each capture (quoted in the comments).
 *
 * Three small captures are also fixtures (test/fixtures/bgp, byte-identical
 * copies, checked below), so their tests run without the corpus.
 */
import { readdirSync } from 'node:fs';
import t from 'tap';
import { capabilities, type SessionCapabilities } from '../../src/bgp/capabilities.js';
import { BgpUpdateError, type BgpUpdate } from '../../src/bgp/update.js';
import { ParseError } from '../../src/wire/parse-error.js';
import { readFileSync } from 'node:fs';
import { corpusPath, fixturePath, haveCorpus } from '../helpers/corpus.js';
import { type CapturedMessage, decodeSessions } from './helpers/sessions.js';

const DIR = 'tcpdump/tests';
const ASN4 = capabilities({ asn4: true });
const ASN2 = capabilities({ asn4: false });
/**
 * Captures without OPENs whose AS_PATHs are 2-octet (tcpdump guesses; its
 * .out shows e.g. "AS Path (2), length: 4 ... 1" for one 2-octet AS).
 */
const TWO_OCTET = new Set(['bgp-aigp-2.pcap', 'bgp-rt-prefix.pcap', 'mpbgp-linklocal-nexthop.pcap', 'bgp-addpath.pcap']);

const updates = (ms: readonly CapturedMessage[]): BgpUpdate[] => ms.flatMap((m) => (m.update ? [m.update] : []));
const prefixes = (l: readonly { prefix: { toString(): string } }[]): string[] => l.map((n) => n.prefix.toString());

t.test('every OPEN and UPDATE of every BGP capture: results or typed errors only', async (t) => {
  if (!haveCorpus(t, DIR)) return;
  const files = readdirSync(corpusPath(DIR)).filter((f) => /^(mp)?bgp/i.test(f) && /\.pcap(ng)?$/.test(f)).sort();
  t.ok(files.length >= 38, `${files.length} captures`);
  let opens = 0;
  let decoded = 0;
  let resets = 0;
  let openErrors = 0;
  for (const file of files) {
    const s = decodeSessions(corpusPath(`${DIR}/${file}`), TWO_OCTET.has(file) ? ASN2 : ASN4);
    for (const f of s.framingErrors) t.ok(f.error instanceof ParseError, `${file}: framing error is a ParseError`);
    for (const m of s.messages) {
      if (m.error !== undefined) {
        if (!(m.error instanceof ParseError)) t.fail(`${file} ${m.stream}@${m.offset}: ${String(m.error)}`);
        if (m.type === 2 && !(m.error instanceof BgpUpdateError)) t.fail(`${file}: UPDATE error not a BgpUpdateError`);
        if (m.type === 1) openErrors++;
        else resets++;
      }
      if (m.open) opens++;
      if (m.update) decoded++;
    }
  }
  t.ok(opens >= 20 && decoded >= 80, `${opens} OPENs, ${decoded} UPDATEs decoded, ${resets} session resets, ${openErrors} OPEN errors`);
});

t.test('bgp-4byte-asn.pcap: AS4_PATH merged on 2-octet sessions, 4-octet paths as they are', async (t) => {
  const s = decodeSessions(fixturePath('bgp/bgp-4byte-asn.pcap'), ASN4);
  t.equal(s.messages.filter((m) => m.error !== undefined).length, 0, 'nothing malformed');
  const byHop = (hop: string): BgpUpdate[] => updates(s.messages).filter((u) => u.attributes?.nextHop === hop);
  // .out #13, from AS 200 (no 4-octet capability) to AS 2764334674:
  //   AS Path (2): 200 1 23456 23456 23456 / AS4 Path (17): 1 222222 333333 4294967290
  const [fromOld] = byHop('1.0.2.1');
  t.equal(fromOld?.attributes?.asPath.toString(), '200 1 222222 333333 4294967290');
  t.same(prefixes(fromOld!.announced), ['4.4.4.4/32', '5.5.5.5/32', '1.1.1.1/32', '2.2.2.2/32', '3.3.3.3/32']);
  t.equal(fromOld?.attributes?.origin, 'incomplete');
  // .out: AS Path (2), length: 26: 2764334674 200 1 222222 333333 4294967290 (a 4-octet session)
  t.equal(byHop('1.0.3.1')[0]?.attributes?.asPath.toString(), '2764334674 200 1 222222 333333 4294967290');
  // .out: AS Path (2): 23456 200 1 23456 23456 23456 / AS4 Path (17): 2764334674 200 1 222222 333333 4294967290
  t.equal(byHop('1.0.4.1')[0]?.attributes?.asPath.toString(), '2764334674 200 1 222222 333333 4294967290');
  // .out: "Withdrawn routes: 5.5.5.5/32 ... End-of-Rib Marker (empty NLRI)" — tcpdump's label; an UPDATE that withdraws is not RFC 4724's marker.
  const withdrawals = updates(s.messages).filter((u) => u.withdrawn.length === 5);
  t.ok(withdrawals.length >= 3);
  t.ok(withdrawals.every((u) => u.endOfRib === undefined));
  t.same(
    s.messages.filter((m) => m.open).map((m) => [m.open!.myAsn, m.open!.asn4]),
    [[2764334674, true], [200, false], [2764334674, true], [300, true], [2764334674, true], [400, false], [1, true], [2764334674, true]],
  );
});

t.test('bgp-addpath.pcap: two MP_REACH_NLRI in one UPDATE is a session reset (RFC 7606 §3 (g))', async (t) => {
  if (!haveCorpus(t, `${DIR}/bgp-addpath.pcap`)) return;
  // .out: Path Ids on every prefix ("8.2.0.0/24   Path Id: 20"), and "Multi-Protocol Reach NLRI (14)" twice (AFI 1 and AFI 2).
  const addPath = capabilities({ asn4: false, addPath: [{ afi: 1, safi: 1 }, { afi: 2, safi: 1 }] });
  const [m] = decodeSessions(corpusPath(`${DIR}/bgp-addpath.pcap`), addPath).messages;
  t.match(m?.error, { name: 'BgpUpdateError', action: 'session-reset', message: /MP_REACH_NLRI appears more than once/ });
  // Without ADD-PATH the Withdrawn Routes field (8 + 8 octets with Path Ids) does not parse: never guessed.
  const [plain] = decodeSessions(corpusPath(`${DIR}/bgp-addpath.pcap`), ASN2).messages;
  t.match(plain?.error, { name: 'BgpUpdateError', field: /^bgp\.update\.withdrawn\./ });
});

t.test('mpbgp-linklocal-nexthop.pcap: 32-octet IPv6 next hop; NEXT_HOP 0.0.0.0 ignored without IPv4 NLRI', async (t) => {
  const [m] = decodeSessions(fixturePath('bgp/mpbgp-linklocal-nexthop.pcap'), ASN2).messages;
  // .out: Origin: Incomplete / AS Path: 1 / Next Hop: 0.0.0.0 / nexthop: dead:beef::1, fe80::1ff:fe01:0 / 4:5::/64
  const u = m!.update!;
  t.equal(u.action, 'none');
  t.equal(u.attributes?.origin, 'incomplete');
  t.equal(u.attributes?.asPath.toString(), '1');
  t.equal(u.attributes?.nextHop, 'dead:beef::1');
  t.equal(u.attributes?.linkLocalNextHop, 'fe80::1ff:fe01:0');
  t.same(prefixes(u.announced), ['4:5::/64']);
});

t.test('bgp-large-community.pcap: RFC 8092 values', async (t) => {
  if (!haveCorpus(t, `${DIR}/bgp-large-community.pcap`)) return;
  const us = updates(decodeSessions(corpusPath(`${DIR}/bgp-large-community.pcap`), ASN4).messages);
  // .out: AS Path: 65536 / Next Hop: 192.0.2.2 / Large Community: 65535:1:1, 4294967295:4294967295:4294967295 / 203.0.113.16/32
  t.same(us[0]?.attributes?.largeCommunities, ['65535:1:1', '4294967295:4294967295:4294967295']);
  t.equal(us[0]?.attributes?.asPath.toString(), '65536');
  t.equal(us[0]?.attributes?.nextHop, '192.0.2.2');
  t.same(prefixes(us[0]!.announced), ['203.0.113.16/32']);
  // .out: 65536:1:1, 65536:1:2 / 203.0.113.12/32
  t.same(us[1]?.attributes?.largeCommunities, ['65536:1:1', '65536:1:2']);
  t.equal(us.length, 5);
  t.ok(us.every((u) => u.action === 'none'));
});

t.test('OPENs: RFC 9072 extended parameters, extended message, roles kept raw', async (t) => {
  // .out: my AS 174, Holdtime 180s, ID 6.6.6.6, Optional parameters (Extended), length: 108; MP 1/1, 2/1;
  // Route Refresh (Cisco) 128, Route Refresh 2, Enhanced Route Refresh 70, 4 Byte AS 174, Extended Message 6,
  // Multiple Paths 69: 1/1 Receive, 2/1 Receive; Unknown (73)
  const [ext] = decodeSessions(fixturePath('bgp/bgp-extended-optional-parameters-length.pcapng'), ASN4).messages;
  const o = ext!.open!;
  t.equal(o.myAsn, 174);
  t.equal(o.holdTime, 180);
  t.equal(o.bgpId, '6.6.6.6');
  t.same(o.multiprotocol, [{ afi: 1, safi: 1 }, { afi: 2, safi: 1 }]);
  t.ok(o.routeRefresh && o.extendedMessage && o.asn4);
  t.same(o.addPath, [
    { afi: 1, safi: 1, send: false, receive: true },
    { afi: 2, safi: 1, send: false, receive: true },
  ]);
  t.ok(o.capabilities.some((c) => c.code === 73) && o.capabilities.some((c) => c.code === 128) && o.capabilities.some((c) => c.code === 70));
  if (!haveCorpus(t, `${DIR}/bgp-extended-msg.pcapng`)) return;
  // .out: my AS 65001, Holdtime 180s, ID 192.168.10.68 ... BGP Extended Message (6)
  const [msg] = decodeSessions(corpusPath(`${DIR}/bgp-extended-msg.pcapng`), ASN4).messages;
  t.match(msg!.open, { myAsn: 65001, holdTime: 180, bgpId: '192.168.10.68', extendedMessage: true, asn4: true });
  // .out: my AS 65002, ID 192.168.10.17; BGP Role (9) stays raw.
  const role = decodeSessions(corpusPath(`${DIR}/bgp-role.pcapng`), ASN4).messages.find((m) => m.open);
  t.match(role!.open, { myAsn: 65002, bgpId: '192.168.10.17' });
  t.ok(role!.open!.capabilities.some((c) => c.code === 9), 'Role capability kept raw');
});

t.test('bgp-lu-multiple-labels.pcap: labeled unicast skipped and counted; End-of-RIB for 1/1 and 1/4', async (t) => {
  if (!haveCorpus(t, `${DIR}/bgp-lu-multiple-labels.pcap`)) return;
  const us = updates(decodeSessions(corpusPath(`${DIR}/bgp-lu-multiple-labels.pcap`), ASN4).messages);
  t.ok(us.some((u) => u.skipped.some((k) => k.afi === 1 && k.safi === 4 && k.count === 1)));
  // .out: "Multi-Protocol Unreach NLRI (15), length: 3 ... AFI: IPv4 (1), SAFI: labeled Unicast (4) End-of-Rib Marker"
  t.ok(us.some((u) => u.endOfRib?.afi === 1 && u.endOfRib.safi === 4));
  t.ok(us.some((u) => u.endOfRib?.afi === 1 && u.endOfRib.safi === 1));
  t.ok(us.every((u) => u.announced.length === 0 && u.action === 'none'), 'nothing of 1/4 is misread as unicast');
});

t.test('bgp-aigp.pcap (Juniper link layer): AIGP and ORIGINATOR_ID/CLUSTER_LIST kept raw', async (t) => {
  if (!haveCorpus(t, `${DIR}/bgp-aigp.pcap`)) return;
  const [u] = updates(decodeSessions(corpusPath(`${DIR}/bgp-aigp.pcap`), ASN4).messages);
  // .out: Originator ID (9): 172.16.21.4 / Cluster List (10): 172.16.20.5 / Accumulated IGP Metric (26), length: 11 / SAFI 4: 172.16.21.4/32
  t.same(u!.attributes!.otherAttributes.map((o) => [o.typeCode, o.value.length]), [[9, 4], [10, 4], [26, 11]]);
  t.same([...u!.attributes!.otherAttributes[0]!.value], [172, 16, 21, 4]);
  t.same(u!.skipped, [{ afi: 1, safi: 4, count: 1 }]);
});

t.test('BGPsec (RFC 8205): the path from BGPsec_PATH, and a bad Signature_Block is treat-as-withdraw', async (t) => {
  if (!haveCorpus(t, `${DIR}/bgp-bgpsec.pcap`)) return;
  const us = updates(decodeSessions(corpusPath(`${DIR}/bgp-bgpsec.pcap`), ASN4).messages);
  // .out: MP_REACH AFI 1 nexthop 172.18.0.2, 1.0.1.0/24; BGPsec Path: Secure Path Segment pCount 1, AS 2
  const first = us.find((u) => u.announced.length > 0)!;
  t.same(prefixes(first.announced), ['1.0.1.0/24']);
  t.equal(first.attributes?.nextHop, '172.18.0.2');
  t.equal(first.attributes?.asPath.toString(), '2');
  t.ok(first.attributes?.otherAttributes.some((o) => o.typeCode === 33));
  t.ok(us.every((u) => u.action === 'none'));
  // .out: "Signature Block: Length: 1, Algo ID: 1 [length 1 < 3] (invalid)" for 192.0.2.0/24 and 192.0.3.0/24
  const [bad] = updates(decodeSessions(corpusPath(`${DIR}/bgpsec_invalid_signature_block_length.pcap`), ASN4).messages);
  t.equal(bad!.action, 'treat-as-withdraw');
  t.same(prefixes(bad!.withdrawn), ['192.0.2.0/24', '192.0.3.0/24']);
  t.match(bad!.problems, [{ typeCode: 33, reason: /Signature_Block Length 1/ }]);
});

t.test('fuzzed captures: typed errors with field and offset', async (t) => {
  if (!haveCorpus(t, `${DIR}/bgp-as-path-oobr.pcap`)) return;
  const s = decodeSessions(corpusPath(`${DIR}/bgp-as-path-oobr.pcap`), ASN4);
  const errors = s.messages.filter((m) => m.error !== undefined).map((m) => m.error as BgpUpdateError);
  t.ok(errors.length >= 2);
  t.ok(errors.every((e) => e instanceof BgpUpdateError && typeof e.field === 'string' && e.offset >= 19));
  t.ok(s.framingErrors.every((f) => f.error instanceof ParseError));
  const treated = updates(s.messages).filter((u) => u.action === 'treat-as-withdraw');
  t.ok(treated.length >= 1, 'a malformed CLUSTER_LIST is treat-as-withdraw, not a crash');
});

t.test('the fixtures are byte-identical copies of the corpus files', async (t) => {
  if (!haveCorpus(t, DIR)) return;
  for (const f of ['bgp-4byte-asn.pcap', 'bgp-4byte-asn.out', 'mpbgp-linklocal-nexthop.pcap', 'mpbgp-linklocal-nexthop.out', 'bgp-extended-optional-parameters-length.pcapng', 'bgp-extended-optional-parameters-length.out']) {
    t.ok(readFileSync(fixturePath(`bgp/${f}`)).equals(readFileSync(corpusPath(`${DIR}/${f}`))), f);
  }
});
