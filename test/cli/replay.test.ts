/**
 * `rovd replay` in-process: a small MRT file built here (a RIB dump, then
 * updates, a session close and an UPDATE the collector sent) validated
 * against config/sample/vrps.json, with the text and ndjson outputs checked
 * line by line against outcomes worked out by hand from the sample VRPs;
 * a real RouteViews update file (corpus, read in place); exit codes for
 * bad files and usage.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import t from 'tap';
import { corpusPath, fixturePath, haveCorpus, REPO_ROOT } from '../helpers/corpus.js';
import { runRovd } from '../helpers/rovd.js';
import {
  ORIGIN_IGP,
  asPathAttribute,
  bgp4mpMessage,
  bgp4mpStateChange,
  bgpMessage,
  bytes,
  mrtRecord,
  nextHopAttribute,
  peerIndexTable,
  ribRecord,
  updateBody,
} from '../mrt/helpers/build.js';

const VRPS = join(REPO_ROOT, 'config/sample/vrps.json');
const dir = mkdtempSync(join(tmpdir(), 'rovd-replay-'));

const P0 = { bgpId: '1.1.1.1', address: '192.0.2.1', asn: 64500 };
const P1 = { bgpId: '2.2.2.2', address: '2001:db8::2', asn: 4200000000 };
const attrs = (path: number[], set: number[] = []): Uint8Array => bytes(ORIGIN_IGP, asPathAttribute(path, true, set), nextHopAttribute('192.0.2.1'));
const update = (withdrawn: string[], path: number[], nlri: string[], set: number[] = []): Uint8Array =>
  bgpMessage(2, updateBody(withdrawn, nlri.length > 0 ? [ORIGIN_IGP, asPathAttribute(path, true, set), nextHopAttribute('192.0.2.1')] : [], nlri));

/**
 * Sample VRPs that decide the outcomes:
 *   AS7590 203.124.60.0/24-24, AS7590 203.124.61.0/24-24,
 *   AS7600 210.56.80.0/21-24, AS7600 210.56.88.0/21-21, AS7600 210.56.88.0/24-24;
 *   nothing covers 192.0.2.0/24 or 10.0.0.0/8.
 */
const FILE = bytes(
  mrtRecord(13, 1, peerIndexTable('10.0.0.254', '', [P0, P1])),
  // valid: AS7590 is authorised for 203.124.60.0/24
  mrtRecord(13, 2, ribRecord(0, '203.124.60.0/24', [{ peerIndex: 0, attributes: attrs([64500, 7590]) }, { peerIndex: 1, attributes: attrs([4200000000, 7600]) }])),
  // valid: inside AS7600 210.56.80.0/21-24
  mrtRecord(13, 2, ribRecord(1, '210.56.80.0/24', [{ peerIndex: 0, attributes: attrs([64500, 7600]) }])),
  // invalid (length): AS7600 is authorised for 210.56.88.0 only up to /24
  mrtRecord(13, 2, ribRecord(2, '210.56.88.0/25', [{ peerIndex: 0, attributes: attrs([64500, 7600]) }])),
  // not covered, then withdrawn below
  mrtRecord(13, 2, ribRecord(3, '192.0.2.0/24', [{ peerIndex: 0, attributes: attrs([64500]) }])),
  // updates from P0: withdraw 192.0.2.0/24; announce 203.124.61.0/24 with an AS_SET last (origin NONE: invalid)
  mrtRecord(16, 4, bgp4mpMessage({ peerAsn: 64500, peerAddress: '192.0.2.1' }, true, update(['192.0.2.0/24'], [64500, 64501], ['203.124.61.0/24'], [7590, 7591]))),
  // an UPDATE the collector sent to P0: not a route P0 holds
  mrtRecord(16, 7, bgp4mpMessage({ peerAsn: 64500, peerAddress: '192.0.2.1' }, true, update([], [65000], ['10.1.0.0/16']))),
  // a third peer announces, then its session closes: its routes go
  mrtRecord(16, 4, bgp4mpMessage({ peerAsn: 64502, peerAddress: '198.51.100.7' }, true, update([], [64502], ['10.0.0.0/8']))),
  mrtRecord(16, 5, bgp4mpStateChange({ peerAsn: 64502, peerAddress: '198.51.100.7' }, true, 6, 1)),
);
const MRT = join(dir, 'sample.mrt.gz');
writeFileSync(MRT, gzipSync(FILE));

t.test('text: counts overall and per peer, then each invalid route with its VRPs', async (t) => {
  const r = await runRovd(['replay', MRT, '--vrps', VRPS]);
  t.equal(r.code, 0, r.err);
  t.equal(
    r.out,
    [
      'routes: 5 (valid 2, invalid 3, not-found 0)',
      '',
      `${'peer'.padEnd(40)}        asn   routes    valid  invalid not-found`,
      `${'192.0.2.1'.padEnd(40)}      64500        4        2        2         0`,
      `${'2001:db8::2'.padEnd(40)} 4200000000        1        0        1         0`,
      `${'198.51.100.7'.padEnd(40)}      64502        0        0        0         0`,
      '',
      'invalid routes: 3',
      '203.124.61.0/24 origin NONE invalid as (covered by AS7590 203.124.61.0/24-24) from 192.0.2.1 AS64500 path [64500 64501 {7590,7591}]',
      '210.56.88.0/25 AS7600 invalid length (covered by AS7600 210.56.88.0/24-24, AS7600 210.56.88.0/21-21) from 192.0.2.1 AS64500 path [64500 7600]',
      '203.124.60.0/24 AS7600 invalid as (covered by AS7590 203.124.60.0/24-24) from 2001:db8::2 AS4200000000 path [4200000000 7600]',
      '',
    ].join('\n'),
  );
  t.match(r.err, /^rovd: 1 file\(s\), 9 records, 9 route events; 5 routes held from 3 peers: 2 valid, 3 invalid, 0 not-found \(read in \d+ ms, validated and printed in \d+ ms\); 1 routes sent by the collector not held; 1 session closes cleared their peer's routes\n$/);
});

t.test('ndjson: one object per held route, AS_SET as a nested array, origin null for NONE', async (t) => {
  const r = await runRovd(['replay', MRT, '--vrps', VRPS, '--format', 'ndjson']);
  t.equal(r.code, 0, r.err);
  t.same(
    r.out.trimEnd().split('\n').map((l) => JSON.parse(l)),
    [
      { peer: '192.0.2.1', peerAsn: 64500, prefix: '203.124.60.0/24', pathId: 0, asPath: [64500, 7590], origin: 7590, state: 'valid' },
      { peer: '192.0.2.1', peerAsn: 64500, prefix: '203.124.61.0/24', pathId: 0, asPath: [64500, 64501, [7590, 7591]], origin: null, state: 'invalid' },
      { peer: '192.0.2.1', peerAsn: 64500, prefix: '210.56.80.0/24', pathId: 0, asPath: [64500, 7600], origin: 7600, state: 'valid' },
      { peer: '192.0.2.1', peerAsn: 64500, prefix: '210.56.88.0/25', pathId: 0, asPath: [64500, 7600], origin: 7600, state: 'invalid' },
      { peer: '2001:db8::2', peerAsn: 4200000000, prefix: '203.124.60.0/24', pathId: 0, asPath: [4200000000, 7600], origin: 7600, state: 'invalid' },
    ],
  );
});

t.test('without --vrps every route is not-found, and stderr says so', async (t) => {
  const r = await runRovd(['replay', MRT, '--format', 'ndjson']);
  t.equal(r.code, 0);
  t.match(r.err, /^rovd replay: no --vrps given: every route is not-found\n/);
  const states = r.out.trimEnd().split('\n').map((l) => (JSON.parse(l) as { state: string }).state);
  t.same(states, ['not-found', 'not-found', 'not-found', 'not-found', 'not-found']);
});

t.test('several files in order: a later file\'s withdrawal removes an earlier file\'s route; ADD-PATH ids kept apart', async (t) => {
  const withdraw = join(dir, 'withdraw.mrt');
  writeFileSync(withdraw, mrtRecord(16, 4, bgp4mpMessage({ peerAsn: 64500, peerAddress: '192.0.2.1' }, true, update(['203.124.60.0/24'], [], []))));
  const r = await runRovd(['replay', MRT, withdraw, fixturePath('mrt/mrtparse/bird-mrtdump_rib'), '--vrps', VRPS, '--format', 'ndjson']);
  t.equal(r.code, 0, r.err);
  const lines = r.out.trimEnd().split('\n').map((l) => JSON.parse(l) as { peer: string; prefix: string; pathId: number });
  t.notOk(lines.some((l) => l.peer === '192.0.2.1' && l.prefix === '203.124.60.0/24'), 'withdrawn by the second file');
  // bird-mrtdump_rib holds its table twice (two PEER_INDEX_TABLE + RIB runs): the same routes, replaced, not doubled.
  const bird = lines.filter((l) => l.peer === '192.168.0.10');
  t.same(bird.map((l) => `${l.prefix}#${l.pathId}`), ['172.17.0.0/24#1', '172.17.0.0/24#2', '172.17.1.0/24#1', '172.17.1.0/24#2', '172.17.2.0/24#1', '172.17.2.0/24#2']);
});

t.test('a real RouteViews update file with the sample VRPs: the six valid routes, checked by hand', async (t) => {
  const file = 'libbgpstream/test-dumps/routeviews.route-views.jinx.updates.1401493500.bz2';
  if (!haveCorpus(t, file)) return;
  const r = await runRovd(['replay', corpusPath(file), '--vrps', VRPS, '--format', 'ndjson']);
  t.equal(r.code, 0, r.err);
  const lines = r.out.trimEnd().split('\n');
  t.equal(lines.length, 478);
  const path = [30844, 8529, 8529, 8529, 8529, 38193, 38193, 38193, 38193, 38193, 38193, 38193, 38264, 7590];
  // Each is covered by an AS7590 VRP of the same /24 with maxLength 24.
  t.same(
    lines.map((l) => JSON.parse(l)).filter((o: { state: string }) => o.state !== 'not-found'),
    ['203.124.60.0/24', '203.124.61.0/24', '203.124.62.0/24', '203.124.63.0/24', '210.56.19.0/24', '210.56.26.0/24'].map((prefix) => ({
      peer: '196.223.14.55',
      peerAsn: 30844,
      prefix,
      pathId: 0,
      asPath: path,
      origin: 7590,
      state: 'valid',
    })),
  );
  const text = await runRovd(['replay', corpusPath(file), '--vrps', VRPS]);
  t.equal(text.out.split('\n').slice(0, 6).join('\n'), [
    'routes: 478 (valid 6, invalid 0, not-found 472)',
    '',
    `${'peer'.padEnd(40)}        asn   routes    valid  invalid not-found`,
    `${'196.223.14.55'.padEnd(40)}      30844      478        6        0       472`,
    `${'2001:43f8:1f0::29'.padEnd(40)}       6968        0        0        0         0`,
    `${'2001:43f8:1f0::46'.padEnd(40)}      37105        0        0        0         0`,
  ].join('\n'));
});

t.test('exit codes: 1 for unreadable, damaged or bad VRP input, 2 for usage', async (t) => {
  const missing = await runRovd(['replay', join(dir, 'nope.mrt')]);
  t.equal(missing.code, 1);
  t.match(missing.err, /rovd replay: .*nope\.mrt: no such file\n$/);
  const dirArg = await runRovd(['replay', dir]);
  t.equal(dirArg.code, 1);
  t.match(dirArg.err, /is a directory/);

  const truncated = join(dir, 'truncated.mrt');
  writeFileSync(truncated, FILE.subarray(0, FILE.length - 5));
  const damaged = await runRovd(['replay', truncated, '--vrps', VRPS]);
  t.equal(damaged.code, 1);
  t.equal(damaged.out, '', 'no report for a damaged file');
  t.match(damaged.err, new RegExp(`rovd replay: ${truncated}: BGP4MP/STATE_CHANGE_AS4 record at offset \\d+: truncated: mrt.body at offset \\d+ \\(needs \\d+ bytes, \\d+ left\\)\\n$`));

  const badGz = join(dir, 'bad.gz');
  writeFileSync(badGz, gzipSync(FILE).subarray(0, 40));
  const gz = await runRovd(['replay', badGz]);
  t.equal(gz.code, 1);
  t.match(gz.err, /mrt\.compression/);

  const badVrps = join(dir, 'bad-vrps.json');
  writeFileSync(badVrps, '[{"prefix": "10.0.0.0/33", "asn": 1, "maxLength": 33}]');
  const vrps = await runRovd(['replay', MRT, '--vrps', badVrps]);
  t.equal(vrps.code, 1);
  t.match(vrps.err, /bad-vrps\.json/);

  t.equal((await runRovd(['replay'])).code, 2);
  t.match((await runRovd(['replay'])).err, /^rovd replay: at least one MRT FILE is needed\n$/);
  const format = await runRovd(['replay', MRT, '--format', 'csv']);
  t.equal(format.code, 2);
  t.match(format.err, /--format must be text or ndjson, not "csv"/);
  t.equal((await runRovd(['replay', MRT, '--slurm', 'x.json'])).code, 2);
  t.equal((await runRovd(['replay', MRT, '--bogus'])).code, 2);
  const help = await runRovd(['replay', '--help']);
  t.equal(help.code, 0);
  t.match(help.out, /^Usage: rovd replay FILE…/);
  t.match((await runRovd(['--help'])).out, /replay\s+validate the routes of MRT files/);
});
