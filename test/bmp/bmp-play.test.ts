/**
 * corpus/bmp_play/bmp.dump (EPL-2.0, read in place): a raw BMP session
 * recorded from a Huawei NE40E (VRP 8.200), with version 3 Initiation,
 * Peer Up and Statistics, and 1,186 version 4 Route Monitoring messages in
 * the early draft-ietf-grow-bmp-tlv layout (the UPDATE, then TLVs). Nearly
 * every route is VPNv4/VPNv6 or labelled unicast, which rovd does not
 * validate: the stream must be walked to its end with nothing dropped, the
 * routes it cannot validate counted per AFI/SAFI, and the few unicast ones
 * (Loc-RIB host routes) decoded. Fed in uneven chunks, so messages span
 * chunk boundaries.
 */
import { readFileSync } from 'node:fs';
import t from 'tap';
import type { BmpEvent } from '../../src/bmp/events.js';
import { BmpRouterSession } from '../../src/bmp/router-session.js';
import { corpusPath, haveCorpus } from '../helpers/corpus.js';
import { randomInt, seededRandom } from '../helpers/random.js';

const FILE = 'bmp_play/bmp.dump';

t.test('bmp_play: walked to the end, VPN and labelled routes counted, no errors', async (t) => {
  if (!haveCorpus(t, FILE)) return;
  const bytes = readFileSync(corpusPath(FILE));
  const events: BmpEvent[] = [];
  const session = new BmpRouterSession({ address: '198.51.100.1', port: 50000, deliver: (e) => void events.push(e) });
  const rand = seededRandom(42);
  for (let at = 0; at < bytes.length; ) {
    const n = randomInt(rand, 1, 9000);
    session.push(bytes.subarray(at, at + n));
    at += n;
  }
  session.end();

  const byType: Record<string, number> = {};
  const skipped: Record<string, number> = {};
  const v4Tlvs: Record<number, number> = {};
  const announced: string[] = [];
  for (const e of events) {
    byType[e.type] = (byType[e.type] ?? 0) + 1;
    if (e.type !== 'route-monitoring') continue;
    for (const s of e.update.skipped) skipped[`${s.afi}/${s.safi}`] = (skipped[`${s.afi}/${s.safi}`] ?? 0) + s.count;
    for (const x of e.tlvs) v4Tlvs[x.type] = (v4Tlvs[x.type] ?? 0) + 1;
    for (const n of e.update.announced) announced.push(`${e.peer.key} ${e.rib} ${n.prefix} ${e.update.attributes?.nextHop}`);
  }
  t.same(byType, { 'router-up': 1, initiation: 1, 'peer-up': 20, 'route-monitoring': 1206, statistics: 48, 'router-down': 1 });
  t.same(skipped, { '1/128': 2186, '2/128': 208, '1/4': 21, '2/4': 4 }, 'VPNv4, VPNv6, labelled unicast: counted, not misread');
  t.same(v4Tlvs, { 0: 1186 }, 'one trailing TLV per version 4 Route Monitoring message');
  t.same(announced.sort(), [
    '3|0:64499:100099937|0.0.0.0 loc-rib 2a02:1210::5/128 ::1',
    '3|0:64499:100099937|0.0.0.0 loc-rib 62.202.136.132/32 127.0.0.1',
    '3|0:64499:100099938|0.0.0.0 loc-rib 2a02:1210::6/128 ::1',
    '3|0:64499:100099938|0.0.0.0 loc-rib 62.202.136.133/32 127.0.0.1',
  ]);
  const init = events.find((e) => e.type === 'initiation');
  t.match(init, { initiation: { sysDescr: /Huawei Versatile Routing Platform/ } });
  const down = events.at(-1);
  t.match(down, {
    type: 'router-down',
    reason: { kind: 'closed' },
    counters: { bytes: bytes.length, messages: 1275, malformedMessages: 0, droppedUpdates: 0, withoutPeerUp: 0, endOfRib: 20, skippedNlri: 2419, unknownTlvs: 1186 },
  });
  t.equal(down?.type === 'router-down' && down.router.sysName, init?.type === 'initiation' && init.initiation.sysName, 'the router is named by its sysName');
});
