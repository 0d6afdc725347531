/**
 * evidence.vrpSet of RPKI alerts (rpki-detector.ts with a VrpSetIds): the
 * CID of the VRP set when it is known when the condition is raised; else
 * `generation:N`, raised again naming the CID once the set is identified
 * (same fingerprint, same time) unless the condition was cleared meanwhile.
 * evidence.details.generation is always there.
 */
import t from 'tap';
import { AsPath } from '../../src/bgp/as-path.js';
import type { Condition, ConditionSink } from '../../src/alerts/alert.js';
import { parseConfig } from '../../src/config/config.js';
import { Detection } from '../../src/detect/detection.js';
import type { VrpSetIds } from '../../src/detect/rpki-detector.js';
import { Prefix } from '../../src/net/prefix.js';
import { Rib } from '../../src/rib/rib.js';
import { Validator } from '../../src/rov/validator.js';
import { makePayload } from '../../src/rpki/payload.js';
import { VrpTable } from '../../src/rpki/vrp-table.js';
import { parseVrp } from '../../src/rpki/vrp.js';
import { VifMap } from '../../src/vif/vif-map.js';
import { attrs } from '../rib/fixtures.js';

class FakeIds implements VrpSetIds {
  readonly ids = new Map<number, string>();
  private readonly listeners = new Set<(g: number, cid: string) => void>();
  id(generation: number): string | undefined {
    return this.ids.get(generation);
  }
  onIdentified(listener: (g: number, cid: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  identify(generation: number, cid: string): void {
    this.ids.set(generation, cid);
    for (const l of this.listeners) l(generation, cid);
  }
  get listening(): number {
    return this.listeners.size;
  }
}

function setup() {
  const config = parseConfig(
    `
vifs:
  - { id: dxvif-p1, type: private, region: us-east-1, router: 192.0.2.1, peers: [{ address: 169.254.1.1, asn: 7224 }], awsPrefixes: [10.0.0.0/8] }
`,
    '/test/rovd.yaml',
  );
  const raised: { c: Condition; at: number | undefined }[] = [];
  const cleared: string[] = [];
  const sink: ConditionSink = { raise: (c, at) => raised.push({ c, at }), clear: (fp) => cleared.push(fp) };
  const validator = new Validator({ now: () => 1000 });
  const rib = new Rib({ index: validator.snapshot.vrps, now: () => 1000 });
  const ids = new FakeIds();
  let now = 1_800_000_000_000;
  const detection = new Detection({ settings: config.detection, vifs: new VifMap(config.vifs), rib, validator, sink, now: () => now, tickMs: 60_000, vrpSets: ids });
  validator.onChange((change) => {
    detection.beforeRevalidate(change);
    rib.revalidate(change.affected, change.current.vrps);
    detection.afterRevalidate();
  });
  detection.start();
  const table = rib.table({ router: '192.0.2.1', peer: '0|0:0|169.254.1.1', kind: 'adj-rib-in-pre' });
  const publish = (vrps: string[]) => validator.publish(makePayload(VrpTable.from(vrps.map((v) => parseVrp(v.split(' ')[0]!, Number(v.split(' ')[1]), v.split(' ')[2])))));
  const announce = (prefix: string, path: string) => rib.announce(table, Prefix.parse(prefix), 0, attrs({ asPath: AsPath.parse(path) }));
  const withdraw = (prefix: string) => rib.withdraw(table, Prefix.parse(prefix), 0);
  return { detection, ids, raised, cleared, publish, announce, withdraw, tick: (ms: number) => (now += ms) };
}

const CID1 = 'bafyreia5x7kzpxsrtl4gzbqrbvxbxl7s6a2f6dvmxsdqhybqkm3m6hp5qy';
const CID2 = 'bafyreihz3jq3q2m3lm6sgc5vnzlmvm3dzkd4hbrflyr6iwfhzwvkpwnmmq';

t.test('known CID: the evidence names it, with the generation in details', async (t) => {
  const s = setup();
  s.publish(['10.0.0.0/16 16 7224']);
  s.ids.identify(1, CID1);
  s.announce('10.0.1.0/24', '7224');
  t.equal(s.raised.length, 1);
  t.match(s.raised[0]!.c.evidence, { vrpSet: CID1, details: { generation: 1 }, reason: 'length' });
  s.detection.stop();
});

t.test('CID not yet known: generation:N, then raised again with the CID at the same time; a cleared condition is not', async (t) => {
  const s = setup();
  s.publish(['10.0.0.0/16 16 7224']);
  s.announce('10.0.1.0/24', '7224');
  s.announce('10.0.2.0/24', '7224');
  t.same(s.raised.map((r) => r.c.evidence.vrpSet), ['generation:1', 'generation:1']);
  const first = s.raised[0]!;
  s.tick(5);
  s.withdraw('10.0.2.0/24');
  t.equal(s.cleared.length, 1);
  s.ids.identify(1, CID1);
  t.equal(s.raised.length, 3, 'only the condition still held is raised again');
  const again = s.raised[2]!;
  t.equal(again.c.fingerprint, first.c.fingerprint);
  t.equal(again.at, first.at, 'dated when it was first raised: the lifecycle does not move');
  t.same(again.c.evidence, { ...first.c.evidence, vrpSet: CID1 });
  s.ids.identify(1, CID1);
  t.equal(s.raised.length, 3, 'once');

  // A VRP change turns a not-found route invalid: raised against generation 2, upgraded to its CID.
  s.announce('10.5.0.0/24', '7224');
  t.equal(s.raised.length, 3, 'not-found: nothing raised');
  s.publish(['10.0.0.0/16 16 7224', '10.5.0.0/16 16 64999']);
  t.equal(s.raised.length, 4);
  const latest = s.raised[s.raised.length - 1]!;
  t.match(latest.c.evidence, { vrpSet: 'generation:2', details: { generation: 2 } });
  s.ids.identify(2, CID2);
  t.match(s.raised[s.raised.length - 1]!.c.evidence, { vrpSet: CID2 });

  t.equal(s.ids.listening, 1);
  s.detection.stop();
  t.equal(s.ids.listening, 0, 'stop() unsubscribes');
});
