import t from 'tap';
import type { Asn } from '../../src/net/asn.js';
import { Prefix } from '../../src/net/prefix.js';
import { type SnapshotChange, Validator } from '../../src/rov/validator.js';
import { RovState } from '../../src/rov/validity.js';
import { makePayload } from '../../src/rpki/payload.js';
import { parseVrp } from '../../src/rpki/vrp.js';
import { VrpTable } from '../../src/rpki/vrp-table.js';

const payload = (...rows: [string, number, string][]) => makePayload(VrpTable.from(rows.map(([p, m, a]) => parseVrp(p, m, a))));
const P = (s: string) => Prefix.parse(s);

t.test('publishes whole snapshots and reports the delta and affected prefixes', async (t) => {
  let clock = 1000;
  const v = new Validator({ now: () => clock });
  t.equal(v.snapshot.generation, 0);
  t.equal(v.validate(P('192.0.2.0/24'), 64496 as Asn), RovState.NotFound);

  const changes: SnapshotChange[] = [];
  const off = v.onChange((c) => changes.push(c));

  clock = 2000;
  const first = v.publish(payload(['192.0.2.0/24', 24, 'AS64496'], ['10.0.0.0/8', 8, 'AS1'], ['10.1.0.0/16', 16, 'AS2']));
  t.ok(first);
  t.equal(first!.current.generation, 1);
  t.equal(first!.current.publishedAt, 2000);
  t.equal(first!.delta.added.size, 3);
  t.same(first!.affected.map(String), ['10.0.0.0/8', '192.0.2.0/24'], '10.1/16 is inside 10/8');
  t.equal(v.validate(P('192.0.2.0/24'), 64496 as Asn), RovState.Valid);

  // A reader holding the old snapshot keeps a consistent view.
  const held = v.snapshot;
  const second = v.publish(payload(['192.0.2.0/24', 24, 'AS64497'], ['10.0.0.0/8', 8, 'AS1'], ['10.1.0.0/16', 16, 'AS2'], ['2001:db8::/32', 48, 'AS3']));
  t.same(second!.delta.removed.size, 1);
  t.same(second!.delta.added.size, 2);
  t.same(second!.affected.map(String), ['192.0.2.0/24', '2001:db8::/32']);
  t.equal(held.vrps.validate(P('192.0.2.0/24'), 64496 as Asn), RovState.Valid);
  t.equal(v.validate(P('192.0.2.0/24'), 64496 as Asn), RovState.Invalid);
  t.equal(v.explain(P('192.0.2.0/24'), 64496 as Asn).reason, 'as');

  t.equal(v.publish(payload(['2001:db8::/32', 48, 'AS3'], ['192.0.2.0/24', 24, 'AS64497'], ['10.1.0.0/16', 16, 'AS2'], ['10.0.0.0/8', 8, 'AS1'])), undefined, 'same set in another order is no change');
  t.equal(changes.length, 2);
  off();
  v.publish(payload());
  t.equal(changes.length, 2, 'unsubscribed');
  t.equal(v.snapshot.generation, 3);
});

t.test('ASPA attestations are part of the snapshot', async (t) => {
  const { makeAspa } = await import('../../src/rpki/aspa.js');
  const { AsPath } = await import('../../src/bgp/as-path.js');
  const v = new Validator();
  const path = AsPath.parse('64500 64501');
  t.equal(v.verifyPath(path, 4, 'upstream').state, 'unknown', 'no attestations yet');
  const change = v.publish(makePayload(VrpTable.EMPTY, [makeAspa(64501 as Asn, [64500 as Asn])]));
  t.ok(change, 'an ASPA-only change is still published');
  t.equal(change!.affected.length, 0, 'no VRP moved, no prefix to revalidate');
  t.equal(v.snapshot.aspas.size, 1);
  t.equal(v.verifyPath(path, 4, 'upstream').state, 'valid');
  const leak = AsPath.parse('64500 64501 64502');
  v.publish(makePayload(VrpTable.EMPTY, [makeAspa(64501 as Asn, [64500 as Asn]), makeAspa(64502 as Asn, [64503 as Asn])]));
  t.equal(v.verifyPath(leak, 4, 'upstream').state, 'invalid');
});

t.test('validateRoute takes the origin from the AS_PATH (RFC 6811 §2)', async (t) => {
  const { AsPath } = await import('../../src/bgp/as-path.js');
  const v = new Validator();
  v.publish(payload(['192.0.2.0/24', 24, 'AS64496']));
  const route = (path: string, prefix = '192.0.2.0/24', local?: number) =>
    v.validateRoute(P(prefix), AsPath.parse(path), local === undefined ? undefined : (local as Asn));
  t.equal(route('65000 64496'), RovState.Valid, 'origin is the last AS of the AS_SEQUENCE');
  t.equal(route('64496 65000'), RovState.Invalid);
  t.equal(route('65000 64496 64496 64496'), RovState.Valid, 'prepending does not change the origin');
  t.equal(route('65000 {64496,64497}'), RovState.Invalid, 'AS_SET last: origin NONE, never valid');
  t.equal(route('65000 {64496,64497}', '203.0.113.0/24'), RovState.NotFound, 'NONE outside VRP space is not-found');
  t.equal(route(''), RovState.Invalid, 'empty path from a peer: NONE');
  t.equal(route('', '192.0.2.0/24', 64496), RovState.Valid, 'empty path of a local route: our own AS');
  t.equal(route('65000 64496 (65001 65002)', '192.0.2.0/24', 64496), RovState.Valid, 'confederation segment last: our own AS');
});

t.test('a known delta (an RTR transaction) is taken in place of a rebuild', async (t) => {
  const v = new Validator();
  const first = payload(['192.0.2.0/24', 24, 'AS64496'], ['10.0.0.0/8', 8, 'AS1']);
  v.publish(first);
  const next = payload(['10.0.0.0/8', 8, 'AS1'], ['198.51.100.0/24', 24, 'AS64497']);
  const added = VrpTable.from([parseVrp('198.51.100.0/24', 24, 'AS64497')]);
  const removed = VrpTable.from([parseVrp('192.0.2.0/24', 24, 'AS64496')]);
  const change = v.publish(next, { added, removed });
  t.ok(change);
  t.equal(change!.delta.added, added, 'the given delta is reported as it is');
  t.same(change!.affected.map(String), ['192.0.2.0/24', '198.51.100.0/24']);
  t.equal(change!.current.vrps.pendingChanges, 2, 'the index took the changes without a rebuild');
  t.equal(v.validate(P('192.0.2.0/24'), 64496 as Asn), RovState.NotFound);
  t.equal(v.validate(P('198.51.100.0/24'), 64497 as Asn), RovState.Valid);
  t.equal(v.snapshot.payload, next);
  t.equal(v.publish(next, { added: VrpTable.EMPTY, removed: VrpTable.EMPTY }), undefined, 'an empty delta with the same payload is no change');
});
