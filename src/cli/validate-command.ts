/**
 * `rovd validate`: RFC 6811 origin validation of one route or a file of
 * routes against VRP files, from the command line.
 *
 *   rovd validate --vrps vrps.json 192.0.2.0/24 AS65000
 *   rovd validate --vrps a.json --vrps b.csv --slurm local.json --routes routes.txt --format csv
 */
import { readFile, stat } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import { type Asn, parseAsn } from '../net/asn.js';
import { Prefix } from '../net/prefix.js';
import { loadRpkiFiles, loadRpkiFilesOffThread } from '../rpki/load-files.js';
import { RovState as State, describeValidity, rovStateName } from '../rov/validity.js';
import { validatedRouteJson } from '../rov/validity-json.js';
import { VrpIndex } from '../rov/vrp-index.js';
import { formatVrp } from '../rpki/vrp.js';
import { ByteOutput } from './output.js';
import { RouteList } from './route-list.js';
import { parseCommandArgs } from './options.js';
import { UsageError } from './usage-error.js';

export const VALIDATE_HELP = `Usage: rovd validate --vrps FILE [--vrps FILE…] [--slurm FILE…] [--format text|json|csv]
                     (PREFIX ASN | --routes FILE)

Validates routes against RPKI VRPs (RFC 6811): valid, invalid or not-found.

Options:
  --vrps FILE     VRPs to use: Routinator json/jsonext/csv, rpki-client or
                  StayRTR JSON, or a bare JSON array. Repeat for the union.
  --slurm FILE    SLURM (RFC 8416) local exceptions applied on top. Repeatable.
  --routes FILE   One "prefix,asn" per line (ASN as 65000 or AS65000);
                  '#' starts a comment. Use - for standard input.
  --format F      text (default), json (one object per line, Routinator's
                  validity shape with the deciding VRPs) or csv
                  (header prefix,asn,state; one line per route in input order).
  -h, --help      This text.

Exit status: 0 on success, 1 if a file cannot be read or parsed, 2 on usage errors.`;

type Format = 'text' | 'json' | 'csv';

export interface CommandIo {
  readonly stdout: Writable;
  readonly stderr: Writable;
  readonly readStdin: () => Promise<string>;
  /** Aborted when a long-running command (rovd run) should stop: SIGINT/SIGTERM, or a test. */
  readonly shutdown?: AbortSignal;
  /** The environment (config overrides); process.env when absent. */
  readonly env?: NodeJS.ProcessEnv;
  /** Subscribes to reload requests (SIGHUP); returns the unsubscribe. */
  readonly onReload?: (listener: () => void) => () => void;
}

export async function validateCommand(argv: readonly string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseOptions(argv);
  if (values.help) {
    io.stdout.write(`${VALIDATE_HELP}\n`);
    return 0;
  }
  const format = parseFormat(values.format);
  const vrpFiles = values.vrps ?? [];
  if (vrpFiles.length === 0) throw new UsageError('validate: at least one --vrps FILE is needed');
  if (values.routes !== undefined && positionals.length > 0) {
    throw new UsageError('validate: give either PREFIX ASN or --routes FILE, not both');
  }
  if (values.routes === undefined && positionals.length !== 2) {
    throw new UsageError('validate: expected PREFIX ASN (e.g. 192.0.2.0/24 AS65000) or --routes FILE');
  }
  // Check the route before loading a large VRP set, so a typo fails fast.
  const single = values.routes === undefined ? parseRouteArgs(positionals[0]!, positionals[1]!) : undefined;

  const started = performance.now();
  if (single) {
    const index = VrpIndex.build((await loadRpkiFiles(vrpFiles, values.slurm ?? [])).vrps);
    printOne(io.stdout, index, single.prefix, single.origin, format);
    return 0;
  }

  // With a file of routes and a large VRP set, the VRPs load on a worker
  // thread while this one reads the routes: on two cores that hides most of
  // the route parsing. A small set is not worth a thread's start-up.
  const offThread = (await totalSize(vrpFiles)) >= OFF_THREAD_BYTES;
  const loading = (offThread ? loadRpkiFilesOffThread : loadRpkiFiles)(vrpFiles, values.slurm ?? []);
  // Attach the handler now: if reading the routes fails first, a VRP error
  // must not surface as an unhandled rejection.
  loading.catch(() => undefined);
  const source = values.routes!;
  // latin1: a one-byte string with no decoding; route lists are ASCII, and
  // anything else fails the prefix/ASN parse with the line number.
  const text = source === '-' ? await io.readStdin() : (await readSource(source)).toString('latin1');
  const routes = RouteList.parse(text, source === '-' ? 'stdin' : source);
  const index = VrpIndex.build((await loading).vrps);
  const loadMs = performance.now() - started;
  const counts = await printMany(io.stdout, index, routes, format);
  io.stderr.write(
    `rovd: ${routes.count} routes: ${counts[State.Valid]} valid, ${counts[State.Invalid]} invalid, ${counts[State.NotFound]} not-found ` +
      `(${index.size} VRPs and the routes loaded in ${Math.round(loadMs)} ms, validated and printed in ${Math.round(performance.now() - started - loadMs)} ms)\n`,
  );
  return 0;
}

/** VRP input from this size on is parsed on a worker thread. */
const OFF_THREAD_BYTES = 4 << 20;

async function totalSize(files: readonly string[]): Promise<number> {
  // A file that cannot be stat'ed counts as small; the loader reports it.
  const sizes = await Promise.all(files.map((f) => stat(f).then((s) => s.size, () => 0)));
  return sizes.reduce((a, b) => a + b, 0);
}

async function readSource(file: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new Error(`${file}: ${code === 'ENOENT' ? 'no such file' : `cannot read: ${(err as Error).message}`}`);
  }
}

function parseOptions(argv: readonly string[]) {
  return parseCommandArgs('validate', argv, {
    vrps: { type: 'string', multiple: true },
    slurm: { type: 'string', multiple: true },
    routes: { type: 'string' },
    format: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  } as const);
}

function parseFormat(value: string | undefined): Format {
  if (value === undefined) return 'text';
  if (value === 'text' || value === 'json' || value === 'csv') return value;
  throw new UsageError(`validate: --format must be text, json or csv, not ${JSON.stringify(value)}`);
}

function parseRouteArgs(prefixText: string, asnText: string): { prefix: Prefix; origin: Asn } {
  const prefix = Prefix.tryParse(prefixText);
  if (typeof prefix === 'string') throw new UsageError(`validate: invalid prefix ${JSON.stringify(prefixText)}: ${prefix}`);
  try {
    return { prefix, origin: parseAsn(asnText) };
  } catch (err) {
    throw new UsageError(`validate: ${err instanceof Error ? err.message : String(err)}`);
  }
}

function printOne(out: Writable, index: VrpIndex, prefix: Prefix, origin: Asn, format: Format): void {
  const validity = index.explain(prefix, origin);
  if (format === 'json') {
    out.write(`${JSON.stringify(validatedRouteJson(prefix, origin, validity))}\n`);
  } else if (format === 'csv') {
    out.write(`prefix,asn,state\n${prefix.toString()},AS${origin},${validity.state}\n`);
  } else {
    const lines = [`${prefix.toString()} AS${origin}: ${describeValidity(validity)}`];
    for (const v of validity.matched) lines.push(`  matched           ${formatVrp(v)}${taNote(v.ta)}`);
    for (const v of validity.unmatchedLength) lines.push(`  unmatched-length  ${formatVrp(v)}${taNote(v.ta)}`);
    for (const v of validity.unmatchedAs) lines.push(`  unmatched-as      ${formatVrp(v)}${taNote(v.ta)}`);
    out.write(`${lines.join('\n')}\n`);
  }
}

function taNote(ta: string): string {
  return ta ? ` (${ta})` : '';
}

const CSV_HEADER = Buffer.from('prefix,asn,state', 'latin1');
const COMMA_AS = Buffer.from(',AS', 'latin1');
/** ",valid" etc., indexed by RovState. */
const CSV_STATES = (['not-found', 'valid', 'invalid'] as const).map((name) => Buffer.from(`,${name}`, 'latin1'));

/** Prints one line per route in input order; returns counts by state. */
async function printMany(out: Writable, index: VrpIndex, routes: RouteList, format: Format): Promise<[number, number, number]> {
  const counts: [number, number, number] = [0, 0, 0];
  const output = new ByteOutput(out);
  if (format === 'csv') {
    output.bytes(CSV_HEADER);
    output.newline();
  }
  for (let i = 0; i < routes.count; i++) {
    const state = routes.validate(index, i);
    counts[state]++;
    if (format === 'csv') {
      // The hot path: bytes only, no string per line.
      routes.writePrefix(output, i);
      output.bytes(COMMA_AS);
      output.uint(routes.origin[i]!);
      output.bytes(CSV_STATES[state]!);
    } else if (format === 'json') {
      const prefix = routes.prefix(i);
      const origin = routes.originAsn(i);
      output.text(JSON.stringify(validatedRouteJson(prefix, origin, index.explain(prefix, origin))));
    } else {
      let line = `${routes.prefixText(i)} AS${routes.origin[i]} ${rovStateName(state)}`;
      if (state === State.Invalid) {
        const why = index.explain(routes.prefix(i), routes.originAsn(i));
        line += ` ${why.reason} (covered by ${[...why.unmatchedLength, ...why.unmatchedAs].map(formatVrp).join(', ')})`;
      }
      output.text(line);
    }
    output.newline();
    if (output.full) await output.flush();
  }
  await output.flush();
  return counts;
}
