/**
 * Content-addressed VRP sets (src/store/vrp-snapshots.ts, vrp-set-codec.ts,
 * block-store.ts, car.ts): the CID depends on the set and nothing else,
 * a full-size set (800k VRPs of bench/workload.ts) comes back equal with
 * every block verified, a damaged block is refused by name, temp files of
 * an interrupted write are never read and are removed, retention keeps the
 * last N and the referenced sets, and the CAR stream holds every block.
 */
import t, { type Test } from 'tap';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as dagCbor from '@ipld/dag-cbor';
import { CID } from 'multiformats/cid';
import { varint } from 'multiformats';
import type { Asn } from '../../src/net/asn.js';
import { makeAspa } from '../../src/rpki/aspa.js';
import { makePayload } from '../../src/rpki/payload.js';
import { VrpTable } from '../../src/rpki/vrp-table.js';
import { parseVrp, type Vrp } from '../../src/rpki/vrp.js';
import { BlockError } from '../../src/store/block-store.js';
import { carChunks } from '../../src/store/car.js';
import { MAX_ROWS, blockMatches, encodeVrpSet } from '../../src/store/vrp-set-codec.js';
import { VrpSetNotFoundError, VrpSnapshots } from '../../src/store/vrp-snapshots.js';
import { FULL_SCALE, generateWorkload } from '../../bench/workload.js';
import { vrpTableOf } from '../../bench/workload-table.js';
import { seededRandom } from '../helpers/random.js';
import { caughtAsync } from '../helpers/errors.js';

const vrp = (text: string): Vrp => {
  const [pm, asn, ta] = text.split(' ');
  const [p, max] = pm!.split('-');
  return parseVrp(p!, Number(max), asn!, ta ?? 'ripe');
};
const LIST = ['192.0.2.0/24-24 64500', '10.0.0.0/8-16 7224 arin', '2001:db8::/32-48 64501', '198.51.100.0/22-24 64502', '10.0.0.0/8-8 0 arin'].map(vrp);
const cidOf = (vrps: Vrp[], aspas = [makeAspa(64500 as Asn, [7224 as Asn])]) => encodeVrpSet(makePayload(VrpTable.from(vrps), aspas)).root.cid.toString();

async function tempDir(t: Test): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'rovd-vrpsets-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

t.test('the CID names the set: insertion order does not matter, one VRP does', async (t) => {
  const cid = cidOf(LIST);
  t.match(cid, /^bafyrei[a-z2-7]{52}$/, 'CIDv1, dag-cbor, sha2-256, base32');
  t.equal(cidOf([...LIST].reverse()), cid, 'reversed');
  t.equal(cidOf([LIST[2]!, LIST[0]!, LIST[4]!, LIST[1]!, LIST[3]!, LIST[0]!]), cid, 'shuffled, with a repeat');
  t.not(cidOf([...LIST.slice(1), vrp('192.0.2.0/24-25 64500')]), cid, 'one maxLength different');
  t.not(cidOf([...LIST.slice(1), vrp('192.0.2.0/24-24 64599')]), cid, 'one ASN different');
  t.not(cidOf(LIST.slice(1)), cid, 'one VRP fewer');
  t.not(cidOf(LIST, []), cid, 'ASPAs are part of the set');
  const root = CID.parse(cid);
  t.equal(root.version, 1);
  t.equal(root.code, dagCbor.code);
  t.equal(root.multihash.code, 0x12);
});

t.test('a full-size set (800k VRPs): same CID from another arrival order, chunks under 1 MiB, round trip through a file store with every block verified', async (t) => {
  const w = generateWorkload(FULL_SCALE);
  const table = vrpTableOf(w.vrps);
  t.equal(table.size, 800_000);
  const started = performance.now();
  const { root, blocks } = encodeVrpSet({ vrps: table, aspas: [] });
  const encodeMs = performance.now() - started;
  // Measured here on a shared 2-core VM: ~70-90 ms encode + hash (docs/benchmarks.md has bench:snapshot).
  t.comment(`encode + hash of ${table.size} VRPs: ${Math.round(encodeMs)} ms, ${blocks.length} blocks + root`);
  t.ok(blocks.every((b) => b.bytes.length <= 1024 * 1024), 'every block at most 1 MiB');
  t.ok(blocks.every((b) => blockMatches(b.cid, b.bytes)));
  t.ok(MAX_ROWS[6] * 24 < 1024 * 1024);

  const order = new Uint32Array(w.vrps.count);
  const rand = seededRandom(99);
  for (let i = 0; i < order.length; i++) order[i] = i;
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  t.equal(encodeVrpSet({ vrps: vrpTableOf(w.vrps, order), aspas: [] }).root.cid.toString(), root.cid.toString(), 'reshuffled input, same CID');

  const dir = await tempDir(t);
  const store = await VrpSnapshots.open({ dir });
  const seen: [number, string][] = [];
  store.onIdentified((g, c) => seen.push([g, c]));
  store.record({ generation: 7, payload: { vrps: table, aspas: [] }, publishedAt: 1_800_000_000_000 });
  t.equal(store.id(7), undefined, 'record() returns before the CID is computed');
  await store.idle();
  t.same(seen, [[7, root.cid.toString()]]);
  t.equal(store.id(7), root.cid.toString());
  const files = await readdir(join(dir, 'blocks'));
  t.equal(files.length, blocks.length + 1, 'one file per block');
  t.notOk(files.some((f) => f.endsWith('.tmp')));

  const reopened = await VrpSnapshots.open({ dir });
  const back = await reopened.read(root.cid);
  t.ok(back.vrps.equals(table), 'the same VRPs');
  t.same(back.vrps.tas, [...new Set(back.vrps.tas)].sort(), 'trust anchors renumbered canonically');
  t.equal(back.vrps.vrpAt(4, 1234).ta, table.vrpAt(4, 1234).ta, 'trust anchors kept');
  t.same(back.info, { cid: root.cid.toString(), counts: { vrps: 800_000, ipv4: table.v4.count, ipv6: table.v6.count, aspas: 0 }, firstPublishedAt: 1_800_000_000_000, lastPublishedAt: 1_800_000_000_000, blocks: blocks.map((b) => b.cid.toString()) });
});

t.test('a damaged block is refused with its name; a missing one too', async (t) => {
  const dir = await tempDir(t);
  const store = await VrpSnapshots.open({ dir });
  const payload = makePayload(VrpTable.from(LIST), [makeAspa(64500 as Asn, [7224 as Asn])]);
  store.record({ generation: 1, ...{ payload, publishedAt: 0 } });
  await store.idle();
  const cid = CID.parse(store.id(1)!);
  const child = store.info(cid.toString())!.blocks[0]!;
  const path = join(dir, 'blocks', child);
  const bytes = await readFile(path);
  bytes[bytes.length - 1] ^= 1;
  await writeFile(path, bytes);
  const err = await caughtAsync(() => store.read(cid));
  t.ok(err instanceof BlockError);
  t.match(err, { kind: 'corrupt', cid: child, message: new RegExp(`block .*${child} is damaged: its ${bytes.length} bytes do not hash to its CID`) });
  await rm(path);
  t.match(await caughtAsync(() => store.read(cid)), { name: 'BlockError', kind: 'missing' });
  const reopened = await VrpSnapshots.open({ dir });
  t.same(reopened.list(), [], 'a listed set without its blocks is dropped when the store opens');
  t.ok((await caughtAsync(() => reopened.read(cid))) instanceof VrpSetNotFoundError);
});

t.test('atomic writes: a temp file left by a crash is never a block and is removed on open', async (t) => {
  const dir = await tempDir(t);
  const store = await VrpSnapshots.open({ dir });
  store.record({ generation: 1, payload: makePayload(VrpTable.from(LIST)), publishedAt: 0 });
  await store.idle();
  const cid = store.id(1)!;
  // What a kill between write and rename leaves: a temp file (here a half-written copy of a block), and a half-written sets.json.
  const half = (await readFile(join(dir, 'blocks', cid))).subarray(0, 10);
  await writeFile(join(dir, 'blocks', `${cid}.0123abcd.tmp`), half);
  const other = encodeVrpSet(makePayload(VrpTable.from(LIST.slice(1)))).root.cid.toString();
  await writeFile(join(dir, 'blocks', `${other}.4567cdef.tmp`), half);
  await writeFile(join(dir, 'sets.json.89abcdef.tmp'), '{"version":1,"se');
  const reopened = await VrpSnapshots.open({ dir });
  t.same((await readdir(join(dir, 'blocks'))).sort(), [cid, ...store.info(cid)!.blocks].sort(), 'temp files gone');
  t.notOk((await readdir(dir)).some((f) => f.endsWith('.tmp')));
  t.same(reopened.list().map((s) => s.cid), [cid], 'the list as it was before the interrupted write');
  t.ok((await reopened.read(CID.parse(cid))).vrps.equals(VrpTable.from(LIST)));
});

t.test('retention: the last N sets and every referenced one; blocks shared between sets stay while one uses them', async (t) => {
  const dir = await tempDir(t);
  const referenced = new Set<string>();
  const store = await VrpSnapshots.open({ dir, keep: 2, referenced: () => referenced });
  const sets = [0, 1, 2, 3].map((i) => makePayload(VrpTable.from([...LIST, vrp(`203.0.113.${i}/32-32 ${65000 + i}`)])));
  const cids: string[] = [];
  for (const [i, payload] of sets.entries()) {
    store.record({ generation: i + 1, payload, publishedAt: i });
    await store.idle();
    cids.push(store.id(i + 1)!);
    if (i === 0) referenced.add(cids[0]!); // an alert names the first set
  }
  t.same(store.list().map((s) => s.cid), [cids[0], cids[2], cids[3]], 'set 1 (referenced) and the last two');
  const files = new Set(await readdir(join(dir, 'blocks')));
  t.notOk(files.has(cids[1]!), 'set 2 is gone');
  for (const c of [cids[0]!, cids[2]!, cids[3]!]) for (const b of [c, ...store.info(c)!.blocks]) t.ok(files.has(b), `block ${b} of ${c} kept`);

  // The same set published again is the same CID, and becomes the most recent.
  store.record({ generation: 9, payload: makePayload(VrpTable.from([...sets[2]!.vrps].reverse())), publishedAt: 99 });
  await store.idle();
  t.equal(store.id(9), cids[2]);
  t.match(store.info(cids[2]!), { firstPublishedAt: 2, lastPublishedAt: 99 });
  t.same(store.list().map((s) => s.cid), [cids[0], cids[3], cids[2]]);

  referenced.clear();
  const dropped = await store.gc();
  t.equal(dropped.sets, 1, 'no longer referenced: collected');
  t.ok(dropped.blocks >= 1, `${dropped.blocks} blocks of its own deleted`);
  t.same(await store.gc(), { sets: 0, blocks: 0 }, 'idempotent');
  t.same(store.list().map((s) => s.cid), [cids[3], cids[2]]);
  t.same((await VrpSnapshots.open({ dir, keep: 2 })).list().map((s) => s.cid), [cids[3], cids[2]], 'sets.json says the same');
});

t.test('memory store: same behaviour without a directory; CAR stream holds the root and every block', async (t) => {
  const store = await VrpSnapshots.open();
  t.equal(store.name, 'memory');
  const payload = makePayload(VrpTable.from(LIST), [makeAspa(64500 as Asn, [7224 as Asn])]);
  store.record({ generation: 1, payload, publishedAt: 5 });
  await store.idle();
  const cid = CID.parse(store.id(1)!);
  const back = await store.read(cid);
  t.ok(back.vrps.equals(payload.vrps));
  t.same(back.aspas, payload.aspas);

  const chunks: Uint8Array[] = [];
  for await (const c of carChunks(cid, store.blocksOf(cid))) chunks.push(c);
  const car = Buffer.concat(chunks);
  const [headerLength, n] = varint.decode(car);
  const header = dagCbor.decode(car.subarray(n, n + headerLength)) as { version: number; roots: CID[] };
  t.equal(header.version, 1);
  t.same(header.roots.map(String), [cid.toString()]);
  const found: string[] = [];
  for (let at = n + headerLength; at < car.length; ) {
    const [len, m] = varint.decode(car.subarray(at));
    const section = car.subarray(at + m, at + m + len);
    const block = CID.decodeFirst(section);
    t.ok(blockMatches(block[0], block[1]), `block ${block[0]} verifies`);
    found.push(block[0].toString());
    at += m + len;
  }
  t.same(found, [cid.toString(), ...store.info(cid.toString())!.blocks]);
  await store.close();
});
