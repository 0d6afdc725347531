/**
 * `npm run bench:rib` — the Adj-RIB-In alone (src/rib/), at full scale:
 * the 1.2M routes (1.0M IPv4, 0.2M IPv6) and 800k VRPs of the seeded
 * workload in bench/workload.ts, with ~375k distinct attribute sets (about
 * one per 3.2 routes; each set's AS_PATH ends in the route's origin, so the
 * routes of one origin share sets, as in a real table).
 *
 * The routes reach the RIB as a decoder would hand them over: fresh Prefix,
 * Nlri and PathAttributes objects (with AsPath and arrays) per UPDATE,
 * into Rib.applyUpdate. Making those objects costs too, so the same loop is
 * also timed without the RIB, and "the RIB share" is the difference.
 *
 *   insert, batched   UPDATEs of 1-8 routes sharing one attribute set (as
 *                     a BMP feed delivers a table), in random order
 *   insert, single    one route per UPDATE, random order: every route
 *                     encodes, hashes and looks up its set
 *   with a listener   the batched insert with one listener reading states
 *   bytes per route   heap + ArrayBuffers grown by the RIB after a full GC
 *                     (the workload is held in typed arrays before and
 *                     after), and the RIB's own typed arrays
 *   second table      the same routes as the peer's post-policy table
 *                     (sets shared): the bytes it adds per route
 *   replace           200k held routes, each in its own UPDATE with another
 *                     set of the same origin (90%) or of another (10%)
 *   withdraw          200k held routes, one UPDATE each
 *   revalidate        500 VRPs withdrawn and 500 added (the Validator's
 *                     ~1,000 affected prefixes), Rib.revalidate, with the
 *                     chain walks and scans it took
 *   covered()         10k held prefixes shortened by 0-8 bits (IPv6 0-16):
 *                     countCovered() (the index alone) and covered()
 *                     (HeldRoute objects with decoded attributes)
 *
 * Times are wall clock and CPU time of this process; the targets are
 * judged on CPU time, since the machine is shared (the load average is
 * printed at the start and the end). Run with --expose-gc (the npm script
 * does) for the memory figures. --quick (or ROVD_BENCH_QUICK=1): a 10x
 * smaller smoke run.
 */
import { AsPath } from '../src/bgp/as-path.js';
import type { PathAttributes } from '../src/bgp/attributes.js';
import type { Asn } from '../src/net/asn.js';
import { Prefix } from '../src/net/prefix.js';
import type { BgpUpdate, Nlri } from '../src/bgp/update.js';
import { type PeerTable, Rib, RibKind } from '../src/rib/rib.js';
import { Validator } from '../src/rov/validator.js';
import { RovState } from '../src/rov/validity.js';
import { makePayload } from '../src/rpki/payload.js';
import { type VrpTable, VrpTableBuilder } from '../src/rpki/vrp-table.js';
import { MB, canCollect, collect, fmtInt, fmtMs, machine, retainedBytes } from './measure.js';
import { type Check, line, printChecks, printMachine, section } from './report.js';
import { FULL_SCALE, QUICK_SCALE, TRUST_ANCHORS, type Workload, generateWorkload, seededRandom } from './workload.js';

const TARGET = { insertMicros: 2, bytesPerRoute: 150, coveredMicros: 50, revalidateMs: 50 } as const;
const ROUTES_PER_SET = 3.4;

/** Wall-clock and CPU time (user + system of this process) of `fn`. */
function timed<T>(fn: () => T): { ms: number; cpuMs: number; value: T } {
  const cpu = process.cpuUsage();
  const start = performance.now();
  const value = fn();
  const ms = performance.now() - start;
  const used = process.cpuUsage(cpu);
  return { ms, cpuMs: (used.user + used.system) / 1000, value };
}

/** "µs per item, wall (cpu)". */
function per(t: { ms: number; cpuMs: number }, n: number): string {
  return `${((t.ms * 1000) / n).toFixed(2)} µs wall, ${((t.cpuMs * 1000) / n).toFixed(2)} µs cpu`;
}

function main(): void {
  const quick = process.argv.includes('--quick') || process.env.ROVD_BENCH_QUICK === '1';
  const started = machine();
  printMachine('rovd bench:rib', started, 'one core used; the machine is shared');
  const scale = quick ? QUICK_SCALE : FULL_SCALE;

  section('workload');
  const gen = timed(() => generateWorkload(scale));
  const w = gen.value;
  const n = w.routes.count;
  line('generated', `${fmtInt(n)} routes, ${fmtInt(w.vrps.count)} VRPs in ${fmtMs(gen.ms)}`);
  const validator = new Validator();
  validator.publish(makePayload(vrpTableOf(w, new Set())));
  const sets = attributeSets(w, seededRandom(99));
  line('attribute sets', `${fmtInt(sets.count)} distinct (${(n / sets.count).toFixed(2)} routes per set)`);
  const batched = batchedRuns(sets.setOf, seededRandom(5));
  const shuffled = singleRuns(shuffledOrder(n, seededRandom(6)));
  line('UPDATEs (batched)', `${fmtInt(batched.starts.length - 1)} (${(n / (batched.starts.length - 1)).toFixed(2)} routes each)`);
  const feed = new Feed(w, sets);
  const peer = { router: '192.0.2.254', peer: '192.0.2.1 AS64500', kind: RibKind.adjRibInPre } as const;
  const checks: Check[] = [];

  section('insert: fresh Prefix/Nlri/PathAttributes objects per UPDATE, as a decoder makes them, into applyUpdate');
  // Warm the JIT on a small RIB first (inserts, a revalidation, queries); the baseline is the same loop without the RIB.
  const warm = new Rib({ index: validator.snapshot.vrps });
  const warmRuns = { order: batched.order, starts: batched.starts.subarray(0, 20_000) };
  feed.run(warm, warm.table(peer), warmRuns);
  feed.run(undefined, undefined, warmRuns);
  const warmAffected = Array.from({ length: 2000 }, (_, i) => {
    const p = feed.prefix(batched.order[i]!);
    return p.truncate(Math.max(0, p.length - (i % 9)));
  });
  warm.revalidate(warmAffected, validator.snapshot.vrps);
  for (const p of warmAffected) warm.countCovered(p);
  // Three runs each, baseline and RIB interleaved; medians (the machine is shared).
  const baseRuns: Timing[] = [];
  const ribRuns: Timing[] = [];
  let rib: Rib | undefined;
  let retained = 0;
  for (let k = 0; k < 3; k++) {
    baseRuns.push(timed(() => feed.run(undefined, undefined, batched)));
    rib = undefined;
    collect();
    const before = retainedBytes();
    rib = new Rib({ index: validator.snapshot.vrps });
    const r = rib;
    ribRuns.push(timed(() => feed.run(r, r.table(peer), batched)));
    collect();
    retained = retainedBytes() - before;
  }
  const baseBatched = medianTiming(baseRuns);
  const insertBatched = medianTiming(ribRuns);
  const table = rib!.table(peer);
  line('objects alone (no RIB), batched', `${per(baseBatched, n)} (median of 3)`);
  line('batched runs, cpu µs/route', ribRuns.map((x) => ((x.cpuMs * 1000) / n).toFixed(2)).join(', '));
  const ribBatched = share(insertBatched, baseBatched, n);
  line('batched, total (median)', `${fmtMs(insertBatched.ms)}: ${(n / insertBatched.ms / 1000).toFixed(2)} M routes/s; ${per(insertBatched, n)}`);
  line('  the RIB share (total - objects alone)', `${ribBatched.toFixed(2)} µs cpu per route`);
  rib = rib!;
  const stats = rib.stats();
  line('held', `${fmtInt(stats.routes)} routes (${fmtInt(stats.ipv4)} IPv4, ${fmtInt(stats.ipv6)} IPv6), ${fmtInt(stats.attributes.sets)} sets`);
  const held = [RovState.Valid, RovState.Invalid, RovState.NotFound].map((s) => rib!.count(undefined, s));
  const intended = w.stats.routes.intended;
  line('states', `${fmtInt(held[0]!)} valid, ${fmtInt(held[1]!)} invalid, ${fmtInt(held[2]!)} not-found (generator: ${fmtInt(intended.valid)} / ${fmtInt(intended.invalid)} / ${fmtInt(intended.notFound)})`);
  const statesMatch = held[0] === intended.valid && held[1] === intended.invalid && held[2] === intended.notFound;
  line('heap + ArrayBuffers grown', canCollect() ? `${(retained / MB).toFixed(1)} MB = ${(retained / n).toFixed(1)} bytes per route` : 'n/a (run with --expose-gc)');
  line("  the RIB's typed arrays", `${(stats.bytes / MB).toFixed(1)} MB = ${(stats.bytes / n).toFixed(1)} bytes per route`);
  line('    route records + chains', `IPv4 ${(table.v4.bytes / table.v4.size).toFixed(1)} B/route, IPv6 ${(table.v6.bytes / table.v6.size).toFixed(1)} B/route`);
  line('    attribute sets', `${(stats.attributes.bytes / stats.attributes.sets).toFixed(1)} B/set (${((stats.attributes.liveWords * 4) / stats.attributes.sets).toFixed(1)} B of words)`);

  section('a second table with the same routes (post-policy; sets shared)');
  collect();
  const beforeSecond = retainedBytes();
  const post = rib.table({ ...peer, kind: RibKind.adjRibInPost });
  const second = timed(() => feed.run(rib, post, batched));
  collect();
  const secondBytes = retainedBytes() - beforeSecond;
  line('insert, the RIB share', `${share(second, baseBatched, n).toFixed(2)} µs cpu per route`);
  line('bytes added per route', canCollect() ? `${(secondBytes / n).toFixed(1)}` : 'n/a');
  rib.dropTable(post);

  section('replace, withdraw (one route per UPDATE)');
  const rand = seededRandom(11);
  const m = Math.min(200_000, Math.floor(n / 4));
  const sample = new Uint32Array(m);
  for (let i = 0; i < m; i++) sample[i] = Math.floor(rand() * n);
  const others = sample.map((r) => sets.other(r, rand));
  const baseReplace = timed(() => feed.each(undefined, undefined, sample, others));
  const replace = timed(() => feed.each(rib, table, sample, others));
  line('replace (90% same origin)', `${fmtInt(m)}: ${per(replace, m)}; the RIB share ${share(replace, baseReplace, m).toFixed(2)} µs cpu`);
  const baseWithdraw = timed(() => feed.withdraw(undefined, undefined, sample));
  const withdraw = timed(() => feed.withdraw(rib, table, sample));
  line('withdraw', `${fmtInt(m)}: ${per(withdraw, m)}; the RIB share ${share(withdraw, baseWithdraw, m).toFixed(2)} µs cpu (${fmtInt(withdraw.value)} held)`);
  const back = timed(() => feed.each(rib, table, sample, sample.map((r) => sets.setOf[r]!)));
  line('re-announce', `${fmtInt(m)}: ${per(back, m)}; the RIB share ${share(back, baseReplace, m).toFixed(2)} µs cpu`);

  section('revalidate after a VRP change');
  const removed = new Set<number>();
  while (removed.size < 500) removed.add(Math.floor(rand() * w.vrps.count));
  const change = validator.publish(makePayload(vrpTableOf(w, removed, addedVrps(w, 500, rand))))!;
  const lengths = new Map<string, number>();
  for (const p of change.affected) lengths.set(`/${p.length}${p.afi === 6 ? ' v6' : ''}`, (lengths.get(`/${p.length}${p.afi === 6 ? ' v6' : ''}`) ?? 0) + 1);
  const walks = [table.v4.chainWalks, table.v6.chainWalks, table.v4.scans, table.v6.scans];
  const revalidate = timed(() => rib!.revalidate(change.affected, change.current.vrps));
  line(
    'Rib.revalidate',
    `${fmtMs(revalidate.ms)} (cpu ${fmtMs(revalidate.cpuMs)}): ${fmtInt(change.affected.length)} affected prefixes, ${fmtInt(revalidate.value.visited)} routes visited, ${fmtInt(revalidate.value.changed)} changed`,
  );
  line(
    '  chains walked, scans',
    `IPv4 ${fmtInt(table.v4.chainWalks - walks[0]!)} / ${table.v4.scans - walks[2]!}, IPv6 ${fmtInt(table.v6.chainWalks - walks[1]!)} / ${table.v6.scans - walks[3]!}`,
  );
  line('  affected lengths', [...lengths].sort((a, b) => b[1] - a[1]).slice(0, 12).map(([k, v]) => `${k}:${v}`).join(' '));
  const all = timed(() => rib!.revalidateAll(change.current.vrps));
  line('Rib.revalidateAll (for comparison)', `${fmtMs(all.ms)} (cpu ${fmtMs(all.cpuMs)}): ${fmtInt(all.value.visited)} visited, ${fmtInt(all.value.changed)} changed (0 expected)`);

  section('covered(): 10k held prefixes shortened by 0-8 bits (IPv6 0-16)');
  const queries: Prefix[] = [];
  for (let i = 0; i < 10_000; i++) {
    const p = feed.prefix(Math.floor(rand() * n));
    queries.push(p.truncate(Math.max(0, p.length - Math.floor(rand() * (p.afi === 4 ? 9 : 17)))));
  }
  let found = 0;
  const counted = timed(() => {
    for (const q of queries) found += rib!.countCovered(q);
  });
  line('countCovered()', `${per(counted, queries.length)} per query; ${(found / queries.length).toFixed(1)} routes per answer`);
  const covered = timed(() => {
    for (const q of queries) rib!.covered(q);
  });
  const coveredMicros = (covered.cpuMs * 1000) / queries.length;
  line('covered() (HeldRoute objects, attributes decoded)', `${per(covered, queries.length)} per query, ${((covered.cpuMs * 1000) / found).toFixed(2)} µs cpu per route returned`);
  for (const [label, pick] of [
    ['IPv4 /24', (q: Prefix) => q.afi === 4 && q.length === 24],
    ['IPv4 /16-/23', (q: Prefix) => q.afi === 4 && q.length >= 16 && q.length < 24],
    ['IPv6 /48', (q: Prefix) => q.afi === 6 && q.length === 48],
    ['IPv6 /32-/47', (q: Prefix) => q.afi === 6 && q.length >= 32 && q.length < 48],
    ['IPv6 shorter than /32', (q: Prefix) => q.afi === 6 && q.length < 32],
  ] as const) {
    const qs = queries.filter(pick);
    let k = 0;
    const tq = timed(() => {
      for (const q of qs) k += rib!.countCovered(q);
    });
    line(`  countCovered ${label} (${fmtInt(qs.length)})`, `${per(tq, Math.max(1, qs.length))}, ${(k / Math.max(1, qs.length)).toFixed(1)} routes`);
  }

  section('insert, one route per UPDATE in random order (every route interns its set)');
  rib = undefined;
  collect();
  const singleBaseRuns: Timing[] = [];
  const singleRibRuns: Timing[] = [];
  for (let k = 0; k < 3; k++) {
    singleBaseRuns.push(timed(() => feed.run(undefined, undefined, shuffled)));
    const single = new Rib({ index: validator.snapshot.vrps });
    singleRibRuns.push(timed(() => feed.run(single, single.table(peer), shuffled)));
  }
  const baseShuffled = medianTiming(singleBaseRuns);
  const insertShuffled = medianTiming(singleRibRuns);
  const ribShuffled = share(insertShuffled, baseShuffled, n);
  line('objects alone (no RIB), median', per(baseShuffled, n));
  line('runs, cpu µs/route', singleRibRuns.map((x) => ((x.cpuMs * 1000) / n).toFixed(2)).join(', '));
  line('total (median)', `${fmtMs(insertShuffled.ms)}: ${(n / insertShuffled.ms / 1000).toFixed(2)} M routes/s; ${per(insertShuffled, n)}`);
  line('  the RIB share', `${ribShuffled.toFixed(2)} µs cpu per route`);

  section('insert with a listener (batched)');
  const listened = new Rib({ index: validator.snapshot.vrps });
  let invalid = 0;
  listened.on((e) => {
    if (e.newState === RovState.Invalid) invalid++;
  });
  const insertListened = timed(() => feed.run(listened, listened.table(peer), batched));
  line('one listener reading each state', `${per(insertListened, n)}; the RIB share ${share(insertListened, baseBatched, n).toFixed(2)} µs cpu (${fmtInt(invalid)} invalid)`);

  checks.push(
    { name: 'insert, batched: the RIB share (cpu µs/route)', figure: ribBatched.toFixed(2), target: `< ${TARGET.insertMicros}`, pass: quick ? undefined : ribBatched < TARGET.insertMicros },
    { name: 'insert, one route per UPDATE: the RIB share', figure: ribShuffled.toFixed(2), target: `< ${TARGET.insertMicros}`, pass: quick ? undefined : ribShuffled < TARGET.insertMicros },
    {
      name: 'heap + ArrayBuffers per held route',
      figure: canCollect() ? `${(retained / n).toFixed(0)} B` : 'n/a',
      target: `< ${TARGET.bytesPerRoute} B`,
      pass: quick || !canCollect() ? undefined : retained / n < TARGET.bytesPerRoute,
    },
    { name: 'states as the generator intended', figure: statesMatch ? 'yes' : 'no', target: 'yes', pass: statesMatch },
    { name: 'revalidate ~1,000 affected prefixes (cpu)', figure: fmtMs(revalidate.cpuMs), target: `< ${TARGET.revalidateMs} ms`, pass: quick ? undefined : revalidate.cpuMs < TARGET.revalidateMs },
    { name: 'covered() per query (cpu, objects)', figure: `${coveredMicros.toFixed(1)} µs`, target: '-', pass: undefined },
    { name: 'revalidateAll after revalidate changes nothing', figure: String(all.value.changed), target: '0', pass: all.value.changed === 0 },
  );
  printChecks(checks, started, quick, 12);
}

interface Timing {
  readonly ms: number;
  readonly cpuMs: number;
}

/** The run with the median CPU time. */
function medianTiming(runs: readonly Timing[]): Timing {
  return [...runs].sort((a, b) => a.cpuMs - b.cpuMs)[runs.length >> 1]!;
}

/** CPU µs per item of `total` beyond `base`. */
function share(total: { cpuMs: number }, base: { cpuMs: number }, n: number): number {
  return ((total.cpuMs - base.cpuMs) * 1000) / n;
}

const NONE: readonly never[] = Object.freeze([]);

/**
 * Makes the objects a decoder makes (Prefix, Nlri, PathAttributes with its
 * AsPath and arrays), fresh for every UPDATE, and hands them to the RIB
 * (or, without a RIB, to a sink, for the baseline).
 */
class Feed {
  sink = 0;
  constructor(
    private readonly w: Workload,
    private readonly sets: Sets,
  ) {}

  prefix(r: number): Prefix {
    const rt = this.w.routes;
    const b = r * 4;
    return Prefix.fromWords(rt.afi[r] as 4 | 6, rt.length[r]!, rt.words[b]!, rt.words[b + 1]!, rt.words[b + 2]!, rt.words[b + 3]!);
  }

  run(rib: Rib | undefined, table: PeerTable | undefined, runs: Runs): void {
    const { order, starts } = runs;
    for (let k = 0; k + 1 < starts.length; k++) {
      const from = starts[k]!;
      const to = starts[k + 1]!;
      const announced: Nlri[] = [];
      for (let i = from; i < to; i++) announced.push({ prefix: this.prefix(order[i]!), pathId: 0 });
      const attributes = this.sets.make(this.sets.setOf[order[from]!]!);
      const update: BgpUpdate = { withdrawn: NONE, announced, attributes, endOfRib: undefined, action: 'none', problems: NONE, skipped: NONE };
      if (rib !== undefined) rib.applyUpdate(table!, update);
      else this.sink += update.announced.length + update.attributes!.communities.length;
    }
  }

  /** One UPDATE per route: route sample[i] with set setIds[i]. */
  each(rib: Rib | undefined, table: PeerTable | undefined, sample: Uint32Array, setIds: Uint32Array): void {
    for (let i = 0; i < sample.length; i++) {
      const update: BgpUpdate = {
        withdrawn: NONE,
        announced: [{ prefix: this.prefix(sample[i]!), pathId: 0 }],
        attributes: this.sets.make(setIds[i]!),
        endOfRib: undefined,
        action: 'none',
        problems: NONE,
        skipped: NONE,
      };
      if (rib !== undefined) rib.applyUpdate(table!, update);
      else this.sink += update.announced.length + update.attributes!.communities.length;
    }
  }

  withdraw(rib: Rib | undefined, table: PeerTable | undefined, sample: Uint32Array): number {
    let n = 0;
    for (let i = 0; i < sample.length; i++) {
      const update: BgpUpdate = {
        withdrawn: [{ prefix: this.prefix(sample[i]!), pathId: 0 }],
        announced: NONE,
        attributes: undefined,
        endOfRib: undefined,
        action: 'none',
        problems: NONE,
        skipped: NONE,
      };
      if (rib !== undefined) n += rib.applyUpdate(table!, update).withdrawn;
      else this.sink += update.withdrawn.length;
    }
    return n;
  }
}

interface Runs {
  readonly order: Uint32Array;
  /** Run k is order[starts[k] .. starts[k+1]). */
  readonly starts: Uint32Array;
}

/**
 * The distinct attribute sets, column-wise (no object per set is kept, so
 * the heap holds what a daemon's would): about one per ROUTES_PER_SET
 * routes; the routes of each (origin, family) are split over
 * round(n / 3.4) sets whose AS_PATHs end in that origin.
 */
class Sets {
  readonly count: number;
  readonly setOf: Uint32Array;
  private readonly groupOf: Uint32Array;
  private readonly groupFirst: Uint32Array;
  private readonly groupSize: Uint32Array;
  private readonly origin: Uint32Array;
  private readonly v6: Uint8Array;
  private readonly pathStart: Uint32Array;
  private readonly pathAsns: Uint32Array;
  private readonly commStart: Uint32Array;
  private readonly comms: Uint32Array;
  private readonly hop: Uint8Array;
  private readonly med: Int32Array;
  private readonly flags: Uint8Array;

  constructor(w: Workload, rand: () => number) {
    const r = w.routes;
    const groupIds = new Map<number, number>();
    this.groupOf = new Uint32Array(r.count);
    const sizes: number[] = [];
    const origins: number[] = [];
    const families: number[] = [];
    for (let i = 0; i < r.count; i++) {
      const key = r.origin[i]! * 2 + (r.afi[i] === 4 ? 0 : 1);
      let g = groupIds.get(key);
      if (g === undefined) {
        g = sizes.length;
        groupIds.set(key, g);
        sizes.push(0);
        origins.push(r.origin[i]!);
        families.push(r.afi[i]!);
      }
      this.groupOf[i] = g;
      sizes[g]!++;
    }
    this.groupFirst = new Uint32Array(sizes.length);
    this.groupSize = new Uint32Array(sizes.length);
    let count = 0;
    for (let g = 0; g < sizes.length; g++) {
      this.groupFirst[g] = count;
      this.groupSize[g] = Math.max(1, Math.round(sizes[g]! / ROUTES_PER_SET));
      count += this.groupSize[g]!;
    }
    this.count = count;
    this.origin = new Uint32Array(count);
    this.v6 = new Uint8Array(count);
    this.pathStart = new Uint32Array(count + 1);
    this.commStart = new Uint32Array(count + 1);
    this.hop = new Uint8Array(count);
    this.med = new Int32Array(count);
    this.flags = new Uint8Array(count);
    const transit = Array.from({ length: 2000 }, () => (rand() < 0.7 ? 1 + Math.floor(rand() * 64000) : 131072 + Math.floor(rand() * 300000)));
    const common = Array.from({ length: 500 }, () => (64500 * 65536 + Math.floor(rand() * 65536)) >>> 0);
    const asns: number[] = [];
    const comms: number[] = [];
    for (let g = 0; g < sizes.length; g++) {
      for (let j = 0; j < this.groupSize[g]!; j++) {
        const s = this.groupFirst[g]! + j;
        this.origin[s] = origins[g]!;
        this.v6[s] = families[g] === 6 ? 1 : 0;
        this.pathStart[s] = asns.length;
        asns.push(64500);
        for (let k = Math.floor(rand() * 4); k > 0; k--) asns.push(transit[Math.floor(rand() * transit.length)]!);
        if (rand() < 0.1) asns.push(origins[g]!); // prepending
        asns.push(origins[g]!);
        this.commStart[s] = comms.length;
        for (let k = Math.floor(rand() * 7); k > 0; k--) comms.push(common[Math.floor(rand() * common.length)]!);
        this.hop[s] = Math.floor(rand() * 4);
        this.med[s] = rand() < 0.3 ? Math.floor(rand() * 1000) : -1;
        this.flags[s] = (rand() < 0.1 ? 1 : 0) | (rand() < 0.1 ? 2 : 0) | (rand() < 0.05 ? 4 : 0);
      }
    }
    this.pathStart[count] = asns.length;
    this.commStart[count] = comms.length;
    this.pathAsns = Uint32Array.from(asns);
    this.comms = Uint32Array.from(comms);
    this.setOf = new Uint32Array(r.count);
    for (let i = 0; i < r.count; i++) {
      const g = this.groupOf[i]!;
      this.setOf[i] = this.groupFirst[g]! + Math.floor(rand() * this.groupSize[g]!);
    }
  }

  /** A fresh PathAttributes object for set `s`. */
  make(s: number): PathAttributes {
    const asns: Asn[] = [];
    for (let i = this.pathStart[s]!; i < this.pathStart[s + 1]!; i++) asns.push(this.pathAsns[i]! as Asn);
    const communities: number[] = [];
    for (let i = this.commStart[s]!; i < this.commStart[s + 1]!; i++) communities.push(this.comms[i]!);
    const v6 = this.v6[s] === 1;
    const flags = this.flags[s]!;
    const origin = this.origin[s]! as Asn;
    return {
      origin: (flags & 1) !== 0 ? 'incomplete' : 'igp',
      asPath: AsPath.of([{ type: 'sequence', asns }]),
      nextHop: (v6 ? V6_HOPS : V4_HOPS)[this.hop[s]!],
      linkLocalNextHop: v6 ? 'fe80::1' : undefined,
      med: this.med[s]! >= 0 ? this.med[s] : undefined,
      localPref: 100,
      atomicAggregate: false,
      aggregator: (flags & 4) !== 0 ? { asn: origin, address: '198.51.100.1' } : undefined,
      communities,
      largeCommunities: (flags & 2) !== 0 ? [`64500:${s % 100}:${origin}`] : NONE,
      extendedCommunities: NONE,
      otherAttributes: NONE,
    };
  }

  /** Another set for route r: of the same origin (90%, when there is one) or any. */
  other(r: number, rand: () => number): number {
    const g = this.groupOf[r]!;
    const size = this.groupSize[g]!;
    if (size > 1 && rand() < 0.9) {
      for (;;) {
        const s = this.groupFirst[g]! + Math.floor(rand() * size);
        if (s !== this.setOf[r]) return s;
      }
    }
    return Math.floor(rand() * this.count);
  }
}

const V4_HOPS = ['192.0.2.1', '192.0.2.2', '192.0.2.3', '192.0.2.4'];
const V6_HOPS = ['2001:db8:ffff::1', '2001:db8:ffff::2', '2001:db8:ffff::3', '2001:db8:ffff::4'];

function attributeSets(w: Workload, rand: () => number): Sets {
  return new Sets(w, rand);
}

/** Routes grouped by set into runs of 1-8 (one UPDATE each), the runs shuffled. */
function batchedRuns(setOf: Uint32Array, rand: () => number): Runs {
  const n = setOf.length;
  const bySet = Array.from({ length: n }, (_, i) => i).sort((a, b) => setOf[a]! - setOf[b]!);
  const runs: number[][] = [];
  let i = 0;
  while (i < n) {
    const run: number[] = [];
    const len = 1 + Math.floor(rand() * 8);
    const set = setOf[bySet[i]!]!;
    while (i < n && run.length < len && setOf[bySet[i]!] === set) run.push(bySet[i++]!);
    runs.push(run);
  }
  for (let k = runs.length - 1; k > 0; k--) {
    const j = Math.floor(rand() * (k + 1));
    [runs[k], runs[j]] = [runs[j]!, runs[k]!];
  }
  const starts = new Uint32Array(runs.length + 1);
  let at = 0;
  runs.forEach((run, k) => {
    starts[k] = at;
    at += run.length;
  });
  starts[runs.length] = at;
  return { order: Uint32Array.from(runs.flat()), starts };
}

function singleRuns(order: Uint32Array): Runs {
  return { order, starts: Uint32Array.from({ length: order.length + 1 }, (_, i) => i) };
}

function shuffledOrder(n: number, rand: () => number): Uint32Array {
  const order = Uint32Array.from({ length: n }, (_, i) => i);
  for (let k = n - 1; k > 0; k--) {
    const j = Math.floor(rand() * (k + 1));
    const x = order[k]!;
    order[k] = order[j]!;
    order[j] = x;
  }
  return order;
}

interface AddedVrp {
  readonly prefix: Prefix;
  readonly asn: number;
}

/** VRPs for held prefixes, for an AS other than the route's: those routes turn invalid. */
function addedVrps(w: Workload, count: number, rand: () => number): AddedVrp[] {
  const out: AddedVrp[] = [];
  const rt = w.routes;
  for (let i = 0; i < count; i++) {
    const r = Math.floor(rand() * rt.count);
    const b = r * 4;
    const prefix = Prefix.fromWords(rt.afi[r] as 4 | 6, rt.length[r]!, rt.words[b]!, rt.words[b + 1]!, rt.words[b + 2]!, rt.words[b + 3]!);
    out.push({ prefix, asn: 4_200_000_000 + i });
  }
  return out;
}

function vrpTableOf(w: Workload, removed: ReadonlySet<number>, added: readonly AddedVrp[] = []): VrpTable {
  const v = w.vrps;
  const b = new VrpTableBuilder();
  for (let i = 0; i < v.count; i++) {
    if (removed.has(i)) continue;
    const o = i * 4;
    b.addFields(v.afi[i] as 4 | 6, v.words[o]!, v.words[o + 1]!, v.words[o + 2]!, v.words[o + 3]!, v.length[i]!, v.maxLength[i]!, v.asn[i]!, TRUST_ANCHORS[v.ta[i]!]!);
  }
  for (const a of added) b.addFields(a.prefix.afi, a.prefix.w0, a.prefix.w1, a.prefix.w2, a.prefix.w3, a.prefix.length, a.prefix.length, a.asn, 'ripe');
  return b.build();
}

main();
