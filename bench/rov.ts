/**
 * `npm run bench:rov` — route origin validation (RFC 6811) at full scale:
 * ~800k VRPs and a 1.2M-route table from the seeded generator in
 * bench/workload.ts, measured on one core and compared with rovd's targets.
 *
 *   VRP load        bench/data/vrps.json into a VrpTable by rovd's parser
 *                   (parseRpkiBytes: UTF-8 check, the scanner of
 *                   json-fast.ts, table build = radix sort and dedup),
 *                   with the steps also timed one by one
 *   index build     VrpTable -> VrpIndex, apart from the table build
 *   validations/s   on pre-parsed routes (validateV4/validateV6), on Prefix
 *                   objects (validate), and from the text of routes.txt
 *                   (split + parseInto + ASN, and the CLI's RouteCursor)
 *   memory          index.byteSize() and the heap + ArrayBuffer growth
 *                   across loading the table and building the index
 *   end to end      `node dist/cli/main.js validate … --format csv`
 *
 * Every validation loop counts its outcomes and prints them: that keeps
 * the JIT from dropping the work and shows the valid/invalid/not-found mix,
 * which is also checked route by route against what the generator meant.
 *
 * Flags: --quick (or ROVD_BENCH_QUICK=1) for a 10x smaller run (a smoke run;
 * the targets apply to the full run only). Run with --expose-gc (the npm
 * script does) for the memory figure.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { IPv4CidrRange, IPv6CidrRange } from 'ip-num';
import { RouteCursor } from '../src/cli/route-list.js';
import { type Asn, parseAsn } from '../src/net/asn.js';
import { Prefix, parseInto } from '../src/net/prefix.js';
import { RovState } from '../src/rov/validity.js';
import { VrpIndex } from '../src/rov/vrp-index.js';
import { scanRoas } from '../src/rpki/formats/json-fast.js';
import { EarliestExpiry } from '../src/rpki/formats/json-fields.js';
import { parseRpkiBytes } from '../src/rpki/formats/parse.js';
import { decodeUtf8 } from '../src/rpki/formats/text.js';
import { VrpTableBuilder } from '../src/rpki/vrp-table.js';
import {
  MB,
  type Machine,
  canCollect,
  collect,
  fmtInt,
  fmtMs,
  fmtPct,
  fmtRate,
  machine,
  median,
  retainedBytes,
  timed,
} from './measure.js';
import { type Check, line, printChecks, printMachine, section } from './report.js';
import { ensureWorkloadFiles } from './workload-files.js';
import {
  FULL_SCALE,
  QUICK_SCALE,
  ROUTE_LENGTH_TARGET,
  type RouteArrays,
  type StateCounts,
  VRP_LENGTH_TARGET,
  type Workload,
  generateWorkload,
  lengthShares,
  validateRouteAt,
} from './workload.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const CLI = join(ROOT, 'dist/cli/main.js');

/** rovd's performance targets (docs/benchmarks.md). */
const TARGET = {
  buildMs: 1000,
  parsedPerSecond: 3_000_000,
  textPerSecond: 1_000_000,
  indexBytes: 100 * MB,
  cliMs: 4000,
} as const;

const LOAD_RUNS = 3;
const VALIDATE_WARMUPS = 2;
const VALIDATE_RUNS = 7;
const TEXT_RUNS = 5;
const CLI_RUNS = 3;

function main(): void {
  const quick = process.argv.includes('--quick') || process.env.ROVD_BENCH_QUICK === '1';
  const options = quick ? QUICK_SCALE : FULL_SCALE;
  const dataDir = join(ROOT, 'bench/data', quick ? 'quick' : '.');
  const m = machine();
  printMachine(`rovd ROV benchmark${quick ? ' (--quick: 10x smaller workload)' : ''}`, m, 'single-threaded run');

  // --- workload -------------------------------------------------------------
  section('workload');
  const gen = timed(() => generateWorkload(options));
  const w = gen.value;
  const files = timed(() => ensureWorkloadFiles(dataDir, w));
  line('generated in memory', fmtMs(gen.ms));
  line('files', `${relative(ROOT, files.value.vrpsPath)}, ${relative(ROOT, files.value.routesPath)} ` +
    (files.value.written ? `(written in ${fmtMs(files.ms)})` : '(up to date, reused)'));
  printWorkload(w);

  // --- VRP load, table build, index build, memory ---------------------------------
  section(`VRP load and index build (median of ${LOAD_RUNS}; the first load also measured for memory)`);
  const vrpsPath = files.value.vrpsPath;
  const loads: LoadRun[] = [];
  let memoryDelta: number | undefined;
  let index: VrpIndex | undefined;
  for (let run = 0; run < LOAD_RUNS; run++) {
    index = undefined;
    collect();
    const before = retainedBytes();
    const r = loadAndBuild(vrpsPath);
    index = r.index;
    loads.push(r);
    if (run === 0 && canCollect()) {
      collect();
      memoryDelta = retainedBytes() - before;
    }
  }
  if (!index) throw new Error('no index built');
  const steps: Steps[] = [];
  for (let run = 0; run < LOAD_RUNS; run++) steps.push(loadSteps(vrpsPath));
  const load = {
    readMs: median(loads.map((r) => r.readMs)),
    parseMs: median(loads.map((r) => r.parseMs)),
    indexMs: median(loads.map((r) => r.indexMs)),
    decodeMs: median(steps.map((r) => r.decodeMs)),
    scanMs: median(steps.map((r) => r.scanMs)),
    tableMs: median(steps.map((r) => r.tableMs)),
    jsonParseMs: median(steps.map((r) => r.jsonParseMs)),
  };
  const buildMs = median(steps.map((r, i) => r.tableMs + loads[i]!.indexMs));
  line('vrps.json', `${(loads[0]!.bytes / MB).toFixed(1)} MB`);
  line('read file', fmtMs(load.readMs));
  line('parseRpkiBytes (VRP load: bytes -> VrpTable)', fmtMs(load.parseMs));
  line('  UTF-8 check + decode', fmtMs(load.decodeMs));
  line('  scan roas into the builder (json-fast.ts)', fmtMs(load.scanMs));
  line('  table build (radix sort + dedup)', fmtMs(load.tableMs));
  line('  (for reference: JSON.parse of the whole file)', fmtMs(load.jsonParseMs));
  line('index build (VrpIndex.build)', fmtMs(load.indexMs));
  line('table + index build', fmtMs(buildMs));
  line('first run (cold): parse + index', fmtMs(loads[0]!.parseMs + loads[0]!.indexMs));
  if (steps.some((r) => !r.fast)) line('NOTE', 'the json-fast.ts scanner gave up on this file: the load took the JSON.parse path');
  const stats = index.stats();
  line('VRPs in table (after dedup)', `${fmtInt(stats.ipv4Vrps)} IPv4 + ${fmtInt(stats.ipv6Vrps)} IPv6`);
  line('distinct prefixes in index', `${fmtInt(stats.ipv4Prefixes)} IPv4 + ${fmtInt(stats.ipv6Prefixes)} IPv6`);
  const byteSize = index.byteSize();
  line('index.byteSize() (index + table columns)', `${(byteSize / MB).toFixed(1)} MB`);
  line(
    'heap + ArrayBuffers kept (table + index)',
    memoryDelta === undefined ? 'n/a (run node with --expose-gc)' : `${(memoryDelta / MB).toFixed(1)} MB`,
  );

  // --- validations on parsed routes -------------------------------------------------
  section(`validation, parsed routes (${VALIDATE_WARMUPS} warm-ups, median of ${VALIDATE_RUNS})`);
  const routes = w.routes;
  const mismatches = checkAgainstIntent(index, routes);
  line('routes whose outcome differs from the intended one', fmtInt(mismatches));
  const parsed = repeat(VALIDATE_WARMUPS, VALIDATE_RUNS, () => validateParsed(index!, routes));
  const parsedRate = routes.count / (parsed.ms / 1000);
  line('validateV4/validateV6 over typed arrays', `${fmtMs(parsed.ms)} per ${fmtInt(routes.count)} routes = ${fmtRate(parsedRate)}${spread(parsed)}`);
  printCounts('  outcomes', parsed.counts);
  const sortedRoutes = sortedByPrefix(routes);
  const sorted = repeat(VALIDATE_WARMUPS, VALIDATE_RUNS, () => validateParsed(index!, sortedRoutes));
  const sortedRate = routes.count / (sorted.ms / 1000);
  line('  the same, routes sorted as in a table dump', `${fmtMs(sorted.ms)} = ${fmtRate(sortedRate)} (for comparison only)${spread(sorted)}`);

  const prefixes = prefixObjects(routes);
  const objects = repeat(VALIDATE_WARMUPS, VALIDATE_RUNS, () => validateObjects(index!, prefixes, routes.origin));
  const objectsRate = routes.count / (objects.ms / 1000);
  line('validate(prefix: Prefix, origin)', `${fmtMs(objects.ms)} per ${fmtInt(routes.count)} routes = ${fmtRate(objectsRate)}${spread(objects)}`);
  printCounts('  outcomes', objects.counts);

  // --- validations from text ----------------------------------------------------------
  section(`validation from routes.txt text in memory (1 warm-up, median of ${TEXT_RUNS})`);
  const routesText = readFileSync(files.value.routesPath, 'utf8');
  line('routes.txt', `${(routesText.length / MB).toFixed(1)} MB, ${fmtInt(routes.count)} lines`);
  const split = repeat(1, TEXT_RUNS, () => validateSplitLines(index!, routesText));
  const splitRate = routes.count / (split.ms / 1000);
  line('split lines + parseInto + parseAsn + validate', `${fmtMs(split.ms)} = ${fmtRate(splitRate)}${spread(split)}`);
  printCounts('  outcomes', split.counts);
  const cursor = repeat(1, TEXT_RUNS, () => validateCursor(index!, routesText));
  const cursorRate = routes.count / (cursor.ms / 1000);
  line('RouteCursor (the CLI reader) + validate', `${fmtMs(cursor.ms)} = ${fmtRate(cursorRate)}${spread(cursor)}`);
  printCounts('  outcomes', cursor.counts);

  // --- prefix parsing: ours against ip-num --------------------------------------------
  // The design card names ip-num; this is the measurement behind using it
  // as a test oracle rather than on the hot path.
  const sample = routesText.split('\n', 200_000).map((l) => l.slice(0, l.indexOf(','))).filter((p) => p.length > 0);
  section(`prefix parsing, the first ${fmtInt(sample.length)} prefixes of routes.txt (median of 3)`);
  const ours = repeat(1, 3, () => {
    let n = 0;
    for (const p of sample) n += Prefix.parse(p).length;
    return [n, 0, 0] as Counts;
  });
  const theirs = repeat(1, 3, () => {
    let n = 0;
    for (const p of sample) n += (p.includes(':') ? IPv6CidrRange.fromCidr(p) : IPv4CidrRange.fromCidr(p)).cidrPrefix.getValue() > 0n ? 1 : 0;
    return [n, 0, 0] as Counts;
  });
  line('Prefix.parse', `${fmtMs(ours.ms)} = ${fmtRate(sample.length / (ours.ms / 1000))}`);
  line('ip-num IPv4CidrRange/IPv6CidrRange.fromCidr', `${fmtMs(theirs.ms)} = ${fmtRate(sample.length / (theirs.ms / 1000))}`);

  // --- rovd validate end to end --------------------------------------------------------
  section(`rovd validate end to end (wall clock, median of ${CLI_RUNS})`);
  const cli = runCli(files.value.vrpsPath, files.value.routesPath);
  line('command', `node dist/cli/main.js validate --vrps ${relative(ROOT, files.value.vrpsPath)} --routes ${relative(ROOT, files.value.routesPath)} --format csv > /dev/null`);
  if (cli.kind === 'ok') {
    line('runs', cli.runs.map(fmtMs).join(', '));
    line('median', fmtMs(cli.ms));
    line('rovd says', cli.summary);
  } else {
    line('result', cli.message);
  }

  // --- targets -------------------------------------------------------------------
  const full = !quick;
  const verdict = (pass: boolean): boolean | undefined => (full ? pass : undefined);
  const checks: Check[] = [
    { name: 'table + index build', figure: fmtMs(buildMs), target: `< ${fmtMs(TARGET.buildMs)}`, pass: verdict(buildMs < TARGET.buildMs) },
    { name: 'validations/s, parsed (validateV4/V6)', figure: fmtRate(parsedRate), target: `>= ${fmtRate(TARGET.parsedPerSecond)}`, pass: verdict(parsedRate >= TARGET.parsedPerSecond) },
    // The naive reader (split into line strings) is shown for comparison only:
    // the target applies to the reader the CLI uses.
    { name: 'validations/s, text (split + parseInto + parseAsn)', figure: fmtRate(splitRate), target: 'comparison', pass: undefined },
    { name: 'validations/s, text (RouteCursor, as the CLI)', figure: fmtRate(cursorRate), target: `>= ${fmtRate(TARGET.textPerSecond)}`, pass: verdict(cursorRate >= TARGET.textPerSecond) },
    { name: 'index memory, byteSize()', figure: `${(byteSize / MB).toFixed(1)} MB`, target: `< ${TARGET.indexBytes / MB} MB`, pass: verdict(byteSize < TARGET.indexBytes) },
    {
      name: 'index memory, heap + ArrayBuffers kept',
      figure: memoryDelta === undefined ? 'n/a' : `${(memoryDelta / MB).toFixed(1)} MB`,
      target: `< ${TARGET.indexBytes / MB} MB`,
      pass: memoryDelta === undefined ? undefined : verdict(memoryDelta < TARGET.indexBytes),
    },
    {
      name: 'rovd validate end to end',
      figure: cli.kind === 'ok' ? fmtMs(cli.ms) : cli.kind === 'missing' ? 'cli not built' : 'failed',
      target: `< ${fmtMs(TARGET.cliMs)}`,
      pass: cli.kind === 'ok' ? verdict(cli.ms < TARGET.cliMs) : cli.kind === 'missing' ? undefined : false,
    },
    { name: 'outcomes match the generator', figure: `${fmtInt(mismatches)} differ`, target: '0 differ', pass: mismatches === 0 },
  ];
  printChecks(checks, m, quick, 14);

  const results = {
    machine: m,
    quick,
    workload: { options: w.options, version: w.version, stats: summariseStats(w) },
    load: { ...load, buildMs, firstParseAndIndexMs: loads[0]!.parseMs + loads[0]!.indexMs, vrpBytes: loads[0]!.bytes },
    index: { ...stats, byteSize, memoryDelta },
    validate: {
      mismatches,
      parsed: { ms: parsed.ms, perSecond: parsedRate, counts: parsed.counts, runsMs: parsed.runs, cpuMs: parsed.cpuMs },
      parsedSorted: { ms: sorted.ms, perSecond: sortedRate, runsMs: sorted.runs },
      prefixObjects: { ms: objects.ms, perSecond: objectsRate, counts: objects.counts, runsMs: objects.runs },
      textSplit: { ms: split.ms, perSecond: splitRate, counts: split.counts, runsMs: split.runs },
      textCursor: { ms: cursor.ms, perSecond: cursorRate, counts: cursor.counts, runsMs: cursor.runs },
    },
    cli,
    checks,
  };
  const out = join(dataDir, 'results.json');
  writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
  line('results written to', relative(ROOT, out));
}

// --- loading ----------------------------------------------------------------------

interface LoadRun {
  readonly bytes: number;
  readonly readMs: number;
  readonly parseMs: number;
  readonly indexMs: number;
  readonly index: VrpIndex;
}

/** One load as rovd does it; everything but the index is garbage when it returns. */
function loadAndBuild(path: string): LoadRun {
  const read = timed(() => readFileSync(path));
  const file = timed(() => parseRpkiBytes(read.value, path));
  const index = timed(() => VrpIndex.build(file.value.payload.vrps));
  return { bytes: read.value.length, readMs: read.ms, parseMs: file.ms, indexMs: index.ms, index: index.value };
}

interface Steps {
  readonly decodeMs: number;
  readonly scanMs: number;
  readonly tableMs: number;
  readonly jsonParseMs: number;
  /** False if the scanner gave up (parseRpkiBytes then used JSON.parse). */
  readonly fast: boolean;
}

/** The steps inside parseRpkiBytes, timed one by one. */
function loadSteps(path: string): Steps {
  const bytes = readFileSync(path);
  const text = timed(() => decodeUtf8(bytes, path));
  const builder = new VrpTableBuilder();
  const scan = timed(() => scanRoas(text.value, builder, new EarliestExpiry()));
  const table = timed(() => builder.build());
  const json = timed(() => JSON.parse(text.value) as unknown);
  return { decodeMs: text.ms, scanMs: scan.ms, tableMs: table.ms, jsonParseMs: json.ms, fast: scan.value !== undefined };
}

// --- validation loops (kept small and monomorphic for the JIT) ----------------------------

type Counts = [number, number, number];

interface Repeated {
  /** Median wall-clock time of the runs. */
  readonly ms: number;
  readonly runs: readonly number[];
  /** Median CPU time of this process over the runs (user + system). */
  readonly cpuMs: number;
  readonly counts: Counts;
}

function repeat(warmups: number, runs: number, fn: () => Counts): Repeated {
  let counts: Counts = [0, 0, 0];
  for (let i = 0; i < warmups; i++) counts = fn();
  const times: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < runs; i++) {
    const before = process.cpuUsage();
    const t = timed(fn);
    const used = process.cpuUsage(before);
    times.push(t.ms);
    cpu.push((used.user + used.system) / 1000);
    counts = t.value;
  }
  return { ms: median(times), runs: times, cpuMs: median(cpu), counts };
}

/** The fastest and slowest run, and CPU time: how steady and how shared the machine was. */
function spread(r: Repeated): string {
  return ` [runs ${fmtMs(Math.min(...r.runs))} .. ${fmtMs(Math.max(...r.runs))}; cpu ${fmtMs(r.cpuMs)}]`;
}

/** The routes ordered by family and address, as a RIB dump lists them. */
function sortedByPrefix(r: RouteArrays): RouteArrays {
  const order = Array.from({ length: r.count }, (_, i) => i);
  const w = r.words;
  order.sort((a, b) => r.afi[a]! - r.afi[b]! || w[a * 4]! - w[b * 4]! || w[a * 4 + 1]! - w[b * 4 + 1]! || r.length[a]! - r.length[b]!);
  const words = new Uint32Array(r.count * 4);
  order.forEach((from, to) => words.set(w.subarray(from * 4, from * 4 + 4), to * 4));
  return {
    count: r.count,
    afi: Uint8Array.from(order, (i) => r.afi[i]!),
    words,
    length: Uint8Array.from(order, (i) => r.length[i]!),
    origin: Uint32Array.from(order, (i) => r.origin[i]!),
    intended: Uint8Array.from(order, (i) => r.intended[i]!),
  };
}

function validateParsed(index: VrpIndex, r: RouteArrays): Counts {
  const counts = new Uint32Array(3);
  const afi = r.afi;
  const words = r.words;
  const length = r.length;
  const origin = r.origin;
  for (let i = 0, n = r.count; i < n; i++) {
    const b = i * 4;
    const state =
      afi[i] === 4
        ? index.validateV4(words[b]!, length[i]!, origin[i]!)
        : index.validateV6(words[b]!, words[b + 1]!, words[b + 2]!, words[b + 3]!, length[i]!, origin[i]!);
    counts[state]!++;
  }
  return [counts[0]!, counts[1]!, counts[2]!];
}

function prefixObjects(r: RouteArrays): Prefix[] {
  const out = new Array<Prefix>(r.count);
  for (let i = 0; i < r.count; i++) {
    const b = i * 4;
    out[i] = Prefix.fromWords(r.afi[i] === 4 ? 4 : 6, r.length[i]!, r.words[b]!, r.words[b + 1]!, r.words[b + 2]!, r.words[b + 3]!);
  }
  return out;
}

function validateObjects(index: VrpIndex, prefixes: readonly Prefix[], origins: Uint32Array): Counts {
  const counts = new Uint32Array(3);
  for (let i = 0, n = prefixes.length; i < n; i++) counts[index.validate(prefixes[i]!, origins[i]! as Asn)]!++;
  return [counts[0]!, counts[1]!, counts[2]!];
}

/** The plain way: split into lines, parse each field with the library parsers. */
function validateSplitLines(index: VrpIndex, text: string): Counts {
  const counts = new Uint32Array(3);
  const out = new Uint32Array(6);
  const lines = text.split('\n');
  for (let i = 0, n = lines.length; i < n; i++) {
    const line = lines[i]!;
    if (line.length === 0) continue;
    const comma = line.indexOf(',');
    const error = parseInto(line.slice(0, comma), out);
    if (error !== undefined) throw new Error(`line ${i + 1}: ${error}`);
    const origin = parseAsn(line.slice(comma + 1));
    const state =
      out[0] === 4
        ? index.validateV4(out[2]!, out[1]!, origin)
        : index.validateV6(out[2]!, out[3]!, out[4]!, out[5]!, out[1]!, origin);
    counts[state]!++;
  }
  return [counts[0]!, counts[1]!, counts[2]!];
}

/** What `rovd validate --routes` does, minus the output. */
function validateCursor(index: VrpIndex, text: string): Counts {
  const counts = new Uint32Array(3);
  const c = new RouteCursor(text, 'routes.txt');
  while (c.next()) {
    const state = c.afi === 4 ? index.validateV4(c.w0, c.length, c.origin) : index.validateV6(c.w0, c.w1, c.w2, c.w3, c.length, c.origin);
    counts[state]!++;
  }
  return [counts[0]!, counts[1]!, counts[2]!];
}

/** Routes whose outcome from the index is not the one the generator meant. */
function checkAgainstIntent(index: VrpIndex, r: RouteArrays): number {
  let differ = 0;
  for (let i = 0; i < r.count; i++) {
    if (validateRouteAt(index, r, i) !== r.intended[i]) differ++;
  }
  return differ;
}

// --- the CLI -------------------------------------------------------------------------

type CliResult =
  | { readonly kind: 'ok'; readonly ms: number; readonly runs: readonly number[]; readonly summary: string }
  | { readonly kind: 'missing'; readonly message: string }
  | { readonly kind: 'failed'; readonly message: string };

function runCli(vrpsPath: string, routesPath: string): CliResult {
  if (!existsSync(CLI)) return { kind: 'missing', message: 'cli not built (no dist/cli/main.js)' };
  const runs: number[] = [];
  let summary = '';
  for (let i = 0; i < CLI_RUNS; i++) {
    const devNull = openSync('/dev/null', 'w');
    try {
      const start = performance.now();
      const p = spawnSync(process.execPath, [CLI, 'validate', '--vrps', vrpsPath, '--routes', routesPath, '--format', 'csv'], {
        stdio: ['ignore', devNull, 'pipe'],
        maxBuffer: 16 * 2 ** 20,
      });
      const ms = performance.now() - start;
      const stderr = p.stderr.toString('utf8').trim();
      if (p.status !== 0) {
        return { kind: 'failed', message: `exit ${p.status ?? p.signal}: ${stderr.split('\n').slice(0, 3).join(' | ')}` };
      }
      runs.push(ms);
      summary = stderr.split('\n').at(-1) ?? '';
    } finally {
      closeSync(devNull);
    }
  }
  return { kind: 'ok', ms: median(runs), runs, summary };
}

// --- printing -----------------------------------------------------------------------


function printCounts(label: string, c: Counts): void {
  const n = c[0] + c[1] + c[2];
  line(
    label,
    `${fmtInt(c[RovState.Valid])} valid (${fmtPct(c[RovState.Valid] / n)}), ${fmtInt(c[RovState.Invalid])} invalid (${fmtPct(c[RovState.Invalid] / n, 2)}), ` +
      `${fmtInt(c[RovState.NotFound])} not-found (${fmtPct(c[RovState.NotFound] / n)})`,
  );
}

function shares(s: Record<string, number>): string {
  return Object.entries(s)
    .map(([k, v]) => `${k} ${fmtPct(v)}`)
    .join(', ');
}

function summariseStats(w: Workload) {
  const s = w.stats;
  return {
    ...s,
    vrps: { ...s.vrps, lengthsV4: lengthShares(s.vrps.lengthsV4, VRP_LENGTH_TARGET[4]), lengthsV6: lengthShares(s.vrps.lengthsV6, VRP_LENGTH_TARGET[6]) },
    routes: { ...s.routes, lengthsV4: lengthShares(s.routes.lengthsV4, ROUTE_LENGTH_TARGET[4]), lengthsV6: lengthShares(s.routes.lengthsV6, ROUTE_LENGTH_TARGET[6]) },
  };
}

function printWorkload(w: Workload): void {
  const s = w.stats;
  const nv = w.vrps.count;
  const nr = w.routes.count;
  line('seed, generator version', `${w.options.seed}, v${w.version}`);
  line('VRPs', `${fmtInt(nv)}: ${fmtInt(s.vrps.ipv4)} IPv4 (${fmtPct(s.vrps.ipv4 / nv)}) + ${fmtInt(s.vrps.ipv6)} IPv6`);
  line('  maxLength > length', `${fmtInt(s.vrps.maxLengthAboveLength)} (${fmtPct(s.vrps.maxLengthAboveLength / nv)})`);
  line('  AS0', fmtInt(s.vrps.as0));
  line('  nested in another AS\'s VRP', fmtInt(s.vrps.nestedOtherAs));
  line('  in allocations announced nowhere', fmtInt(s.vrps.unannounced));
  line('  distinct ASNs', fmtInt(s.vrps.distinctAsns));
  line('  by trust anchor', Object.entries(s.vrps.byTa).map(([ta, n]) => `${ta} ${fmtPct(n / nv)}`).join(', '));
  line('  IPv4 lengths', shares(lengthShares(s.vrps.lengthsV4, VRP_LENGTH_TARGET[4])));
  line('  IPv6 lengths', shares(lengthShares(s.vrps.lengthsV6, VRP_LENGTH_TARGET[6])));
  line('routes', `${fmtInt(nr)}: ${fmtInt(s.routes.ipv4)} IPv4 + ${fmtInt(s.routes.ipv6)} IPv6; ${fmtInt(s.routes.distinctOrigins)} origin ASes`);
  line('  IPv4 lengths', shares(lengthShares(s.routes.lengthsV4, ROUTE_LENGTH_TARGET[4])));
  line('  IPv6 lengths', shares(lengthShares(s.routes.lengthsV6, ROUTE_LENGTH_TARGET[6])));
  const i: StateCounts = s.routes.intended;
  printCounts('  intended outcomes', [i.notFound, i.valid, i.invalid]);
  line('  invalid because', `wrong AS ${fmtInt(s.routes.invalidBecause.as)}, too specific ${fmtInt(s.routes.invalidBecause.length)}`);
  line('  RIR space holding allocations', `IPv4 ${fmtPct(s.spaceUsed.ipv4)}, IPv6 ${fmtPct(s.spaceUsed.ipv6, 2)}`);
}

main();
