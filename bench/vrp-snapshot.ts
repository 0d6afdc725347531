/**
 * bench:snapshot: what content-addressing a full VRP set costs
 * (src/store/vrp-snapshots.ts): the seeded 800k-VRP workload
 * (bench/workload.ts) encoded as DAG-CBOR blocks and hashed (its CID), the
 * longest single step (one block: the most the event loop waits), reading
 * it back with every block verified, writing it to a file store, and a
 * second set 100 VRPs apart: how many new blocks it needs.
 *
 *   npm run bench:snapshot [-- --quick]
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CID } from 'multiformats/cid';
import { VrpTableBuilder } from '../src/rpki/vrp-table.js';
import { VrpSnapshots } from '../src/store/vrp-snapshots.js';
import { decodeRoot, decodeVrpSet, type Block, vrpSetBlocks } from '../src/store/vrp-set-codec.js';
import { fmtInt, fmtMs, machine, median } from './measure.js';
import { line, printMachine, section } from './report.js';
import { FULL_SCALE, QUICK_SCALE, generateWorkload } from './workload.js';
import { vrpTableOf } from './workload-table.js';

const quick = process.argv.includes('--quick');
const started = machine();
printMachine(`rovd VRP snapshot benchmark${quick ? ' (--quick: 10x smaller workload)' : ''}`, started, 'single-threaded run');

section('workload');
const w = generateWorkload(quick ? QUICK_SCALE : FULL_SCALE);
const table = vrpTableOf(w.vrps);
const payload = { vrps: table, aspas: [] };
line('VRPs', `${fmtInt(table.size)} (${fmtInt(table.v4.count)} IPv4, ${fmtInt(table.v6.count)} IPv6)`);
line('columns', `${((table.v4.count * 12 + table.v6.count * 24) / 2 ** 20).toFixed(1)} MiB`);

section('encode + hash (CID), 7 runs');
const totals: number[] = [];
let maxStep = 0;
let blocks: Block[] = [];
let root: Block | undefined;
for (let run = 0; run < 7; run++) {
  blocks = [];
  const it = vrpSetBlocks(payload);
  let total = 0;
  for (;;) {
    const t = performance.now();
    const r = it.next();
    const ms = performance.now() - t;
    total += ms;
    if (run > 0) maxStep = Math.max(maxStep, ms);
    if (r.done === true) {
      root = r.value;
      break;
    }
    blocks.push(r.value);
  }
  totals.push(total);
}
const sizes = blocks.map((b) => b.bytes.length);
line('encode + hash, median (first run apart)', `${fmtMs(median(totals.slice(1)))} (first ${fmtMs(totals[0]!)})`);
line('longest single step (one block)', fmtMs(maxStep));
line('blocks', `${blocks.length} + root (${fmtInt(root!.bytes.length)} B); largest ${fmtInt(Math.max(...sizes))} B, mean ${fmtInt(sizes.reduce((a, b) => a + b, 0) / sizes.length)} B`);
line('CID', root!.cid.toString());

section('read back, every block verified');
const byCid = new Map(blocks.map((b) => [b.cid.toString(), b]));
const decodeMs: number[] = [];
for (let run = 0; run < 5; run++) {
  const t = performance.now();
  const set = decodeVrpSet(decodeRoot(root!), (c) => byCid.get(c.toString())!);
  decodeMs.push(performance.now() - t);
  if (!set.vrps.equals(table)) throw new Error('round trip changed the set');
}
line('decode (hashes checked by the store apart)', fmtMs(median(decodeMs)));

section('file store');
const dir = await mkdtemp(join(tmpdir(), 'rovd-bench-snapshot-'));
try {
  const store = await VrpSnapshots.open({ dir });
  let t = performance.now();
  let identifiedAt = 0;
  store.onIdentified(() => (identifiedAt = performance.now()));
  store.record({ generation: 1, payload, publishedAt: Date.now() });
  await store.idle();
  line('record() to CID known (event loop free between blocks)', fmtMs(identifiedAt - t));
  line('record() to stored (fsync per block)', fmtMs(performance.now() - t));
  t = performance.now();
  const back = await store.read(CID.parse(root!.cid.toString()));
  line('read(cid): files read, hashed, decoded', fmtMs(performance.now() - t));
  if (!back.vrps.equals(table)) throw new Error('file round trip changed the set');

  // k VRPs removed and k added, spread over the table: the next RTR serials, roughly.
  let current = table;
  let generation = 1;
  for (const k of [10, 100]) {
    const b = new VrpTableBuilder();
    const step = Math.floor(current.v4.count / k);
    for (let i = 0; i < current.v4.count; i++) if (i % step !== step - 1) b.addRow(current.v4, i, current.tas);
    for (let i = 0; i < current.v6.count; i++) b.addRow(current.v6, i, current.tas);
    for (let j = 0; j < k; j++) b.addFields(4, (0xc6336400 + (generation * 1000 + j) * 256) >>> 0, 0, 0, 0, 24, 24, 64500 + j, 'ripe');
    current = b.build();
    const countBefore = (await readdir(join(dir, 'blocks'))).length;
    t = performance.now();
    store.record({ generation: ++generation, payload: { vrps: current, aspas: [] }, publishedAt: Date.now() });
    await store.idle();
    const countAfter = (await readdir(join(dir, 'blocks'))).length;
    line(`next set (${k} VRPs out, ${k} in): stored`, fmtMs(performance.now() - t));
    line('  new blocks written', `${countAfter - countBefore} of ${blocks.length + 1}`);
  }
  await store.close();
} finally {
  await rm(dir, { recursive: true, force: true });
}
console.log(`\n  load average at the end: ${machine().loadAverage.map((v) => v.toFixed(2)).join(' ')}`);
