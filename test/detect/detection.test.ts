import t, { type Test } from 'tap';
import type { BmpEvent } from '../../src/bmp/events.js';
import { makeAspa } from '../../src/rpki/aspa.js';
import { DetectionBench, asn } from './harness.js';
import { configErrorOf as err } from '../helpers/config-error.js';

const ROUTER = '192.0.2.1';
const PRIV = '169.254.1.1';
const PUB = '169.254.2.1';
const TGW = '169.254.3.1';

const CONFIG = `
vifs:
  - id: dxvif-priv1
    type: private
    region: us-east-1
    router: ${ROUTER}
    peers: [{ address: ${PRIV}, asn: 7224 }, { address: "2600:1f18::1", asn: 7224 }]
    awsPrefixes: [10.0.0.0/16]
    expected: [{ prefix: 203.0.113.0/24, origin: 64500 }]
    prefixLimit: 10
  - id: dxvif-pub1
    type: public
    router: ${ROUTER}
    peers: [{ address: ${PUB}, asn: 7224 }]
  - id: dxvif-tgw1
    type: transit
    router: 192.0.2.2
    peers: [{ address: ${TGW}, asn: 7224 }]
    receivedLimit: 5
ownPrefixes:
  - { prefix: 203.0.113.0/24, origins: [64500], group: web, visibleOn: [dxvif-priv1] }
  - { prefix: 198.51.100.0/22, origins: [AS64500], maxLength: 24 }
`;

function bench(t: Test, extra = ''): DetectionBench {
  const b = new DetectionBench(CONFIG + extra);
  t.teardown(() => b.stop());
  return b;
}

t.test('rpki-invalid: raised with reason and VRPs, cleared by withdraw and by a valid replacement', async (t) => {
  const b = bench(t);
  b.vrps(['10.0.0.0/16-16 7224', '10.1.0.0/16-24 64501']);
  const table = b.table(ROUTER, PRIV);
  b.announce(table, '10.0.1.0/24', '7224');
  b.announce(table, '10.1.0.0/16', '7224 64511');
  b.announce(table, '10.0.0.0/16', '7224');
  const invalid = b.sink.of('rpki-invalid');
  t.equal(invalid.length, 2, 'two invalid routes, the valid one not raised');
  const length = invalid.find((c) => c.labels.prefix === '10.0.1.0/24')!;
  t.match(length.labels, { type: 'rpki-invalid', severity: 'critical', vif: 'dxvif-priv1', peer: PRIV, router: ROUTER, rib: 'adj-rib-in-pre', origin: 'AS7224', reason: 'length', afi: 'ipv4', direction: 'received', vif_type: 'private', region: 'us-east-1' });
  t.same(length.evidence.unmatchedLength, [{ asn: 'AS7224', prefix: '10.0.0.0/16', maxLength: 16 }]);
  t.equal(length.evidence.vrpSet, 'generation:1');
  t.match(length.summary, /RPKI-invalid route 10\.0\.1\.0\/24 from AS7224 on dxvif-priv1/);
  t.match(length.description, /authorised only up to \/16/);
  t.same(length.asPath, [7224]);
  t.same(length.context, { vif: 'dxvif-priv1', vifType: 'private', region: 'us-east-1', router: ROUTER, peer: PRIV, peerAsn: 7224, rib: 'adj-rib-in-pre' });
  const as = invalid.find((c) => c.labels.prefix === '10.1.0.0/16')!;
  t.equal(as.labels.reason, 'as');
  t.same(as.evidence.unmatchedAs, [{ asn: 'AS64501', prefix: '10.1.0.0/16', maxLength: 24 }]);

  b.withdraw(table, '10.0.1.0/24');
  t.equal(b.sink.of('rpki-invalid').length, 1, 'withdraw clears');
  b.announce(table, '10.1.0.0/16', '7224 64501');
  t.equal(b.sink.of('rpki-invalid').length, 0, 'a valid replacement (new origin) clears');
  b.announce(table, '10.1.0.0/16', '7224 64512');
  t.equal(b.sink.of('rpki-invalid').length, 1, 'and an invalid one raises again');
  t.equal(b.detection.counts().invalidRoutes, 1);
});

t.test('a VRP change turns a held route invalid, and back; a route losing its VRPs is rpki-vrp-removed', async (t) => {
  const b = bench(t);
  b.vrps(['10.0.0.0/16-24 7224']);
  const table = b.table(ROUTER, PRIV);
  b.announce(table, '10.0.1.0/24', '7224');
  b.announce(table, '10.0.2.0/24', '7224');
  t.equal(b.sink.raised.length, 0, 'valid routes raise nothing');

  b.vrps(['10.0.0.0/16-16 7224']);
  const invalid = b.sink.of('rpki-invalid');
  t.equal(invalid.length, 2, 'both became invalid');
  t.match(invalid[0]!.summary, /after a VRP change \(was valid\)/);
  t.equal(invalid[0]!.evidence.vrpSet, 'generation:2');

  b.vrps(['10.0.0.0/16-24 7224']);
  t.equal(b.sink.of('rpki-invalid').length, 0, 'valid again: cleared');

  b.vrps(['192.0.2.0/24-24 1']);
  const removed = b.sink.of('rpki-vrp-removed');
  t.equal(removed.length, 2, 'valid → not-found is reported as lost VRPs');
  t.same(removed[0]!.evidence.removed, [{ asn: 'AS7224', prefix: '10.0.0.0/16', maxLength: 24 }]);
  t.equal(removed[0]!.severity, 'warning');
  t.match(removed[0]!.description, /was generation:3/);
  b.withdraw(table, '10.0.1.0/24');
  t.equal(b.sink.of('rpki-vrp-removed').length, 1, 'withdraw clears it');
  b.vrps(['10.0.0.0/16-24 7224']);
  t.equal(b.sink.of('rpki-vrp-removed').length, 0, 'covered again: cleared');
  t.equal(b.detection.counts().vrpRemovedRoutes, 0);
});

t.test('stale RPKI data: rpki-stale fires, invalid alerts are held and released when fresh', async (t) => {
  const b = bench(t);
  b.vrps(['10.0.0.0/16-16 7224']);
  const table = b.table(ROUTER, PRIV);
  b.detection.setRpkiStale(true);
  t.equal(b.sink.of('rpki-stale').length, 1);
  t.equal(b.sink.of('rpki-stale')[0]!.severity, 'warning');
  b.announce(table, '10.0.1.0/24', '7224');
  b.announce(table, '10.0.2.0/24', '7224');
  t.equal(b.sink.of('rpki-invalid').length, 0, 'held while stale');
  t.equal(b.detection.counts().heldWhileStale, 2);
  b.withdraw(table, '10.0.2.0/24');
  t.equal(b.detection.counts().heldWhileStale, 1, 'a withdrawn route is forgotten');
  b.detection.setRpkiStale(false);
  t.equal(b.sink.of('rpki-stale').length, 0, 'fresh again');
  t.same(b.sink.of('rpki-invalid').map((c) => c.labels.prefix), ['10.0.1.0/24'], 'the held one is raised now');
  b.detection.setRpkiStale(false);
  t.equal(b.sink.raised.filter((c) => c.type === 'rpki-stale').length, 1, 'no repeat without a change');
});

t.test('stale RPKI data with whileStale: mark raises marked warnings; alert raises as usual', async (t) => {
  const b = bench(t, 'detection:\n  rpkiStale: { whileStale: mark, severity: critical }\n');
  b.vrps(['10.0.0.0/16-16 7224']);
  b.detection.setRpkiStale(true);
  t.equal(b.sink.of('rpki-stale')[0]!.severity, 'critical');
  b.announce(b.table(ROUTER, PRIV), '10.0.1.0/24', '7224');
  const c = b.sink.of('rpki-invalid')[0]!;
  t.equal(c.severity, 'warning');
  t.equal(c.labels.rpki_stale, 'true');
  t.match(c.description, /RPKI data is stale/);

  const a = bench(t, 'detection:\n  rpkiStale: { whileStale: alert, enabled: false }\n');
  a.vrps(['10.0.0.0/16-16 7224']);
  a.detection.setRpkiStale(true);
  t.equal(a.sink.of('rpki-stale').length, 0, 'rpki-stale itself is off');
  a.announce(a.table(ROUTER, PRIV), '10.0.1.0/24', '7224');
  t.equal(a.sink.of('rpki-invalid')[0]!.severity, 'critical');
});

t.test('own prefixes: exact origin hijack, sub-prefix hijack and sub-prefix leak', async (t) => {
  const b = bench(t);
  const table = b.table(ROUTER, PUB);
  b.announce(table, '203.0.113.0/24', '7224 64500');
  b.announce(table, '198.51.101.0/24', '7224 64500');
  t.equal(b.sink.of('origin-hijack').length + b.sink.of('subprefix-hijack').length, 0, 'allowed origins and lengths');

  b.announce(table, '203.0.113.0/24', '7224 64666');
  const hijack = b.sink.of('origin-hijack');
  t.equal(hijack.length, 1);
  t.match(hijack[0]!.labels, { origin: 'AS64666', prefix: '203.0.113.0/24', group: 'web', own_prefix: '203.0.113.0/24', severity: 'critical' });
  t.match(hijack[0]!.description, /may be originated only by AS64500/);

  b.announce(table, '203.0.113.128/25', '7224 64666');
  b.announce(table, '198.51.100.0/25', '7224 64500');
  const sub = b.sink.of('subprefix-hijack');
  t.same(sub.map((c) => [c.labels.prefix, c.labels.reason]).sort(), [['198.51.100.0/25', 'length'], ['203.0.113.128/25', 'origin']]);
  t.match(sub.find((c) => c.labels.reason === 'length')!.summary, /Sub-prefix leak/);

  b.announce(table, '203.0.113.0/24', '7224 64500');
  t.equal(b.sink.of('origin-hijack').length, 0, 'back to the right origin: cleared');
  b.withdraw(table, '203.0.113.128/25');
  t.equal(b.sink.of('subprefix-hijack').length, 1, 'withdraw clears');
  t.equal(b.detection.counts().hijacks, 1);
});

t.test('own prefix visibility: missing from the advertised table after the grace period, cleared when announced', async (t) => {
  const b = bench(t);
  const out = b.table(ROUTER, PRIV, 'adj-rib-out-post');
  b.detection.tick();
  t.equal(b.sink.of('own-prefix-missing').length, 0, 'inside the grace period');
  b.nowMs += 301_000;
  b.detection.tick();
  const missing = b.sink.of('own-prefix-missing');
  t.equal(missing.length, 1);
  t.match(missing[0]!.labels, { vif: 'dxvif-priv1', prefix: '203.0.113.0/24', group: 'web', afi: 'ipv4' });
  t.match(missing[0]!.description, /does not advertise it to 169\.254\.1\.1/);
  b.announce(out, '203.0.113.0/24', '64500');
  b.detection.tick();
  t.equal(b.sink.of('own-prefix-missing').length, 0, 'announced: cleared');
  b.withdraw(out, '203.0.113.0/24');
  b.detection.tick();
  t.equal(b.sink.of('own-prefix-missing').length, 1, 'withdrawn again: raised at once (the table is old enough)');
  b.rib.dropTable(out);
  b.detection.tick();
  t.equal(b.sink.of('own-prefix-missing').length, 0, 'no table (session down): not judged');
});

t.test('unexpected prefixes: AWS ranges on private VIFs, Amazon origin and NO_EXPORT on public VIFs, expected prefixes advertised', async (t) => {
  const b = bench(t);
  const priv = b.table(ROUTER, PRIV);
  b.announce(priv, '10.0.5.0/24', '7224');
  b.announce(priv, '172.16.0.0/16', '7224');
  const pub = b.table(ROUTER, PUB);
  b.announce(pub, '52.94.0.0/22', '7224 16509', { communities: [0xffffff01] });
  b.announce(pub, '52.95.0.0/22', '7224 16509');
  b.announce(pub, '192.0.2.0/24', '7224 64999', { communities: [0xffffff01] });
  const out = b.table(ROUTER, PRIV, 'adj-rib-out-post');
  b.announce(out, '203.0.113.0/24', '64500');
  b.announce(out, '100.64.0.0/24', '64500');
  const reasons = b.sink.of('unexpected-prefix').map((c) => `${c.labels.prefix} ${c.labels.reason}`).sort();
  t.same(reasons, ['100.64.0.0/24 not-expected', '172.16.0.0/16 outside-aws-ranges', '192.0.2.0/24 foreign-origin', '52.95.0.0/22 no-export-missing']);
  t.match(b.sink.of('unexpected-prefix').find((c) => c.labels.reason === 'not-expected')!.description, /should advertise only 203\.0\.113\.0\/24 from AS64500/);

  b.announce(pub, '52.95.0.0/22', '7224 16509', { communities: [0xffffff01] });
  b.withdraw(priv, '172.16.0.0/16');
  t.equal(b.detection.counts().unexpectedPrefixes, 2, 'fixed and withdrawn ones cleared');
  const tgw = b.table('192.0.2.2', TGW);
  b.announce(tgw, '172.31.0.0/16', '7224');
  t.equal(b.detection.counts().unexpectedPrefixes, 2, 'a VIF without awsPrefixes is not checked');
});

t.test('prefix limits: warning at 80%, critical at 95%, cleared below, per family and direction', async (t) => {
  const b = bench(t);
  const out = b.table(ROUTER, PRIV, 'adj-rib-out-post');
  for (let i = 0; i < 8; i++) b.announce(out, `203.0.113.${i * 16}/28`, '64500');
  b.detection.tick();
  let limit = b.sink.of('prefix-limit');
  t.equal(limit.length, 1);
  t.match(limit[0]!.labels, { vif: 'dxvif-priv1', peer: PRIV, afi: 'ipv4', direction: 'advertised', severity: 'warning' });
  t.match(limit[0]!.summary, /8 of 10 ipv4 routes advertised to 169\.254\.1\.1 \(80%\)/);
  for (let i = 8; i < 10; i++) b.announce(out, `203.0.113.${i * 16}/28`, '64500');
  b.detection.tick();
  limit = b.sink.of('prefix-limit');
  t.equal(limit.length, 1, 'the same alert (identity without severity)');
  t.equal(limit[0]!.severity, 'critical');
  const usage = b.detection.prefixLimitUsage.find((u) => u.vif === 'dxvif-priv1' && u.afi === 'ipv4')!;
  t.same(usage, { vif: 'dxvif-priv1', peer: PRIV, afi: 'ipv4', direction: 'advertised', routes: 10, limit: 10, ratio: 1 });
  for (let i = 0; i < 6; i++) b.withdraw(out, `203.0.113.${i * 16}/28`);
  b.detection.tick();
  t.equal(b.sink.of('prefix-limit').length, 0, 'below the warning ratio: cleared');

  const tgw = b.table('192.0.2.2', TGW);
  for (let i = 0; i < 4; i++) b.announce(tgw, `10.${i}.0.0/16`, '7224');
  b.detection.tick();
  t.match(b.sink.of('prefix-limit')[0]!.labels, { vif: 'dxvif-tgw1', direction: 'received', severity: 'warning' });
  b.rib.dropTable(tgw);
  b.detection.tick();
  t.equal(b.sink.of('prefix-limit').length, 0, 'the session went away: cleared');
});

t.test('ASPA: a leaked path on a VIF is aspa-invalid; not checked without ASPA data', async (t) => {
  const b = bench(t);
  const table = b.table(ROUTER, PRIV);
  b.announce(table, '10.0.1.0/24', '7224 64511');
  t.equal(b.sink.of('aspa-invalid').length, 0, 'no ASPA data');
  b.vrps([], [makeAspa(asn(64511), [asn(64512)])]);
  b.announce(table, '10.0.2.0/24', '7224 64511');
  b.announce(table, '10.0.3.0/24', '7224 64512');
  const aspa = b.sink.of('aspa-invalid');
  t.same(aspa.map((c) => c.labels.prefix).sort(), ['10.0.1.0/24', '10.0.2.0/24'], 'the new route, and the held one re-checked when ASPAs arrived');
  t.match(aspa.find((c) => c.labels.prefix === '10.0.2.0/24')!.labels, { reason: 'not-provider', origin: 'AS64511' });
  b.announce(b.table('10.9.9.9', '10.9.9.8'), '10.0.4.0/24', '7224 64511');
  t.equal(b.sink.of('aspa-invalid').length, 2, 'unmapped peers are not ASPA-checked');
  b.withdraw(table, '10.0.2.0/24');
  b.withdraw(table, '10.0.1.0/24');
  t.equal(b.detection.counts().aspaInvalidRoutes, 0);
});

t.test('ASPA: a change of attestations re-verifies held VIF routes both ways', async (t) => {
  const b = bench(t);
  const table = b.table(ROUTER, PRIV);
  b.announce(table, '10.0.2.0/24', '7224 64511');
  b.announce(table, '10.0.3.0/24', '7224 64512');
  b.vrps([], [makeAspa(asn(64511), [asn(64512)])]);
  t.same(b.sink.of('aspa-invalid').map((c) => c.labels.prefix), ['10.0.2.0/24'], 'held route found leaking once ASPAs arrive');
  b.vrps(['10.0.0.0/16-24 7224'], [makeAspa(asn(64511), [asn(64512)])]);
  t.equal(b.sink.raised.filter((c) => c.type === 'aspa-invalid').length, 1, 'a VRP-only change does not re-check');
  b.vrps([], [makeAspa(asn(64511), [asn(7224)])]);
  t.equal(b.sink.of('aspa-invalid').length, 0, '7224 attested as provider: cleared');
  b.vrps([], [makeAspa(asn(64511), [asn(64512)])]);
  t.equal(b.sink.of('aspa-invalid').length, 1);
  b.vrps([], []);
  t.equal(b.sink.of('aspa-invalid').length, 0, 'no ASPA data: cleared');
});

t.test('unmapped peers alert only when detection.unmapped; ribs limits the tables checked', async (t) => {
  const on = bench(t);
  on.vrps(['10.0.0.0/16-16 7224']);
  on.announce(on.table('10.9.9.9', '10.9.9.8'), '10.0.1.0/24', '7224');
  t.equal(on.sink.of('rpki-invalid')[0]!.labels.vif, 'unmapped');
  t.match(on.sink.of('rpki-invalid')[0]!.summary, /on an unmapped peer/);

  const off = bench(t, 'detection:\n  unmapped: false\n  ribs: [adj-rib-in-post]\n');
  off.vrps(['10.0.0.0/16-16 7224']);
  off.announce(off.table('10.9.9.9', '10.9.9.8', 'adj-rib-in-post'), '10.0.1.0/24', '7224');
  off.announce(off.table(ROUTER, PRIV, 'adj-rib-in-pre'), '10.0.1.0/24', '7224');
  t.equal(off.sink.of('rpki-invalid').length, 0);
  off.announce(off.table(ROUTER, PRIV, 'adj-rib-in-post'), '10.0.1.0/24', '7224');
  t.equal(off.sink.of('rpki-invalid').length, 1);

  const none = bench(t, 'detection:\n  rpkiInvalid: { enabled: false }\n');
  none.vrps(['10.0.0.0/16-16 7224']);
  none.announce(none.table(ROUTER, PRIV), '10.0.1.0/24', '7224');
  t.equal(none.sink.raised.length, 0, 'rpki-invalid turned off');
});

t.test('sessions: BMP Peer Down raises session-down, Peer Up clears; a lost BMP session raises bmp-session-down', async (t) => {
  const b = bench(t);
  const router = { id: `${ROUTER}:4000`, address: ROUTER, port: 4000, sysName: undefined, sysDescr: undefined };
  const peer = { key: `0|0:0|${PRIV}`, type: 0, distinguisher: '0:0', address: PRIV, asn: 7224, bgpId: '1.1.1.1' };
  const ev = (e: object) => b.detection.onBmp(e as BmpEvent);
  ev({ type: 'peer-down', router, peer, peerDown: { reasonName: 'remote-notification' } });
  const down = b.sink.of('session-down');
  t.equal(down.length, 1);
  t.match(down[0]!.labels, { vif: 'dxvif-priv1', peer: PRIV, router: ROUTER, vif_type: 'private', severity: 'critical' });
  t.match(down[0]!.description, /remote-notification/);
  ev({ type: 'peer-up', router, peer });
  t.equal(b.sink.of('session-down').length, 0);

  ev({ type: 'router-down', router, reason: { kind: 'closed', message: 'ECONNRESET' } });
  t.equal(b.sink.of('bmp-session-down').length, 1);
  t.match(b.sink.of('bmp-session-down')[0]!.description, /ECONNRESET/);
  ev({ type: 'router-up', router });
  t.equal(b.sink.of('bmp-session-down').length, 0);
  ev({ type: 'router-down', router, reason: { kind: 'stopped' } });
  t.equal(b.sink.of('bmp-session-down').length, 0, 'the station stopping is not an alert');
  ev({ type: 'statistics', router, peer });

  const quiet = bench(t, 'detection:\n  unmapped: false\n');
  const other = { ...router, address: '10.9.9.9', id: '10.9.9.9:1' };
  quiet.detection.onBmp({ type: 'peer-down', router: other, peer, peerDown: { reasonName: 'x' } } as unknown as BmpEvent);
  quiet.detection.onBmp({ type: 'router-down', router: other, reason: { kind: 'error', message: 'bad' } } as unknown as BmpEvent);
  t.equal(quiet.sink.raised.length, 0, 'routers and peers of no VIF are quiet when unmapped is off');
  quiet.detection.onBmp({ type: 'router-down', router, reason: { kind: 'error', message: 'bad version' } } as unknown as BmpEvent);
  t.match(quiet.sink.of('bmp-session-down')[0]!.description, /the stream broke: bad version/);
});

t.test('config: detection settings, limits and own prefixes are checked with clear errors', async (t) => {
  const b = bench(t, 'aws:\n  asns: [16509]\n  prefixLimits: { transitReceived: 300, private: 50 }\ndetection:\n  prefixLimit: { warningRatio: 0.5, criticalRatio: 0.9 }\n  ownPrefixMissing: { graceSeconds: 10 }\n');
  const d = b.config.detection;
  t.same(d.amazonAsns, [16509]);
  t.same(d.prefixLimit.limits, { privateAdvertised: 50, transitAdvertised: 100, publicAdvertised: 1000, transitReceived: 300 });
  t.equal(d.prefixLimit.warningRatio, 0.5);
  t.equal(d.ownPrefixMissing.graceSeconds, 10);
  t.equal(d.ownPrefixes[1]!.maxLength, 24);
  t.equal(b.config.vifs[2]!.receivedLimit, 5, 'the VIF’s own value wins');
  t.equal(b.config.vifs[1]!.prefixLimit, 1000);
  t.match(err('detection:\n  prefixLimit: { warningRatio: 0.99, criticalRatio: 0.9 }\n'), /detection\.prefixLimit\.warningRatio: expected at most criticalRatio \(0\.9\), got 0\.99/);
  t.match(err('detection:\n  rpkiInvalid: { severity: loud }\n'), /detection\.rpkiInvalid\.severity: expected one of "critical", "warning", "info"/);
  t.match(err('ownPrefixes:\n  - { prefix: 10.0.0.0/8, origins: [1], visibleOn: [dxvif-nope] }\n'), /ownPrefixes\[0\]\.visibleOn\[0\]: expected the id of a VIF in vifs, got "dxvif-nope"/);
  t.match(err('ownPrefixes:\n  - { prefix: 10.0.0.0/8, origins: [1], maxLength: 4 }\n'), /ownPrefixes\[0\]\.maxLength: expected a length from 8 to 32/);
  t.match(err('ownPrefixes:\n  - { prefix: 10.0.0.0/8, origins: [] }\n'), /ownPrefixes\[0\]\.origins: expected at least 1 entry/);
  t.match(err('aws:\n  asns: [banana]\n'), /aws\.asns\[0\]: expected an AS number/);
  t.match(err('detection:\n  prefixLimit: { warningRatio: 0 }\n'), /warningRatio: expected a ratio above 0/);
});
