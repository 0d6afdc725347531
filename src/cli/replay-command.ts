/**
 * `rovd replay`: feeds MRT files (RIB dumps and update files, plain, gzip or
 * bzip2) through the decoder, holds the routes they leave, and validates
 * each held route against the VRPs (RFC 6811).
 *
 *   rovd replay rib.20240101.0000.bz2 updates.20240101.0000.gz updates.20240101.0015.gz \
 *       --vrps vrps.json [--slurm local.json] [--format text|ndjson]
 *
 * Files are read in the order given. The held routes are keyed by (peer
 * address, peer AS, prefix, path id): a RIB entry or an announcement
 * replaces the route, a withdrawal removes it, and a STATE_CHANGE out of
 * Established removes all routes of that peer (the session closed, RFC 4271
 * §8.2.2). UPDATEs the collector itself sent (BGP4MP MESSAGE_LOCAL) are not
 * routes received from the peer and are not held.
 *
 * A damaged file stops the replay with the file, the record's offset and
 * its type (exit 1, no report): see src/mrt/decoder.ts for what is damage
 * and what is skipped and counted.
 */
import type { Writable } from 'node:stream';
import type { Asn } from '../net/asn.js';
import { Prefix } from '../net/prefix.js';
import { AsPath, originOf } from '../bgp/as-path.js';
import { MrtDecoder } from '../mrt/decoder.js';
import type { MrtEvent, MrtPeer } from '../mrt/events.js';
import { BgpFsmState } from '../mrt/mrt-types.js';
import type { MrtStats } from '../mrt/stats.js';
import { readMrtFile } from '../mrt/source.js';
import { loadRpkiFiles } from '../rpki/load-files.js';
import { EMPTY_PAYLOAD } from '../rpki/payload.js';
import { formatVrp } from '../rpki/vrp.js';
import { RovState, rovStateName } from '../rov/validity.js';
import { VrpIndex } from '../rov/vrp-index.js';
import { ByteOutput } from './output.js';
import { parseCommandArgs } from './options.js';
import { UsageError } from './usage-error.js';
import type { CommandIo } from './validate-command.js';

export const REPLAY_HELP = `Usage: rovd replay FILE… [--vrps FILE…] [--slurm FILE…] [--format text|ndjson]

Reads MRT files (RFC 6396: TABLE_DUMP, TABLE_DUMP_V2 RIB dumps, BGP4MP
update files; plain, gzip or bzip2) in order, keeps the routes they leave
per peer, and validates each against the VRPs (RFC 6811).

Options:
  --vrps FILE     VRPs to use (as for rovd validate). Repeat for the union.
                  Without it every route is not-found.
  --slurm FILE    SLURM (RFC 8416) local exceptions applied on top. Repeatable.
  --format F      text (default): routes per state overall and per peer, then
                  every invalid route with the covering VRPs;
                  ndjson: one JSON object per held route
                  ({peer, peerAsn, prefix, pathId, asPath, origin, state}).
  -h, --help      This text.

Exit status: 0 on success, 1 if a file cannot be read, is damaged, or a VRP
file cannot be parsed, 2 on usage errors.`;

type Format = 'text' | 'ndjson';

interface HeldRoute {
  readonly prefix: Prefix;
  readonly pathId: number;
  readonly asPath: AsPath;
}

interface PeerRoutes {
  readonly peer: MrtPeer;
  /** Keyed by routeKey(). */
  readonly routes: Map<number | string, HeldRoute>;
}

/**
 * The held routes: per peer (address and AS, so a RIB dump and the update
 * files of the same collector meet), per (prefix, path id).
 */
class HeldRoutes {
  readonly byPeer = new Map<string, PeerRoutes>();
  /** Peer objects are interned per decoder; remember each one's entry. */
  private readonly peerCache = new Map<MrtPeer, PeerRoutes>();
  sentIgnored = 0;
  sessionsClosed = 0;

  apply(event: MrtEvent): void {
    const entry = this.entry(event.peer);
    if (event.kind === 'state') {
      if (event.oldState === BgpFsmState.established && event.newState !== BgpFsmState.established) {
        this.sessionsClosed++;
        entry.routes.clear();
      }
      return;
    }
    if (event.sent) {
      this.sentIgnored++;
      return;
    }
    const key = routeKey(event.prefix, event.pathId);
    if (event.kind === 'withdraw') entry.routes.delete(key);
    else entry.routes.set(key, { prefix: event.prefix, pathId: event.pathId, asPath: event.attributes?.asPath ?? AsPath.EMPTY });
  }

  private entry(peer: MrtPeer): PeerRoutes {
    let entry = this.peerCache.get(peer);
    if (entry === undefined) {
      const key = `${peer.address} ${peer.asn}`;
      entry = this.byPeer.get(key);
      if (entry === undefined) {
        entry = { peer, routes: new Map() };
        this.byPeer.set(key, entry);
      }
      this.peerCache.set(peer, entry);
    }
    return entry;
  }
}

/** A number for an IPv4 prefix without a path id (the common case), else a string. */
function routeKey(p: Prefix, pathId: number): number | string {
  if (p.afi === 4 && pathId === 0) return p.w0 * 64 + p.length;
  return `${p.afi}:${p.w0}:${p.w1}:${p.w2}:${p.w3}/${p.length}#${pathId}`;
}

export async function replayCommand(argv: readonly string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseCommandArgs('replay', argv, {
    vrps: { type: 'string', multiple: true },
    slurm: { type: 'string', multiple: true },
    format: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  } as const);
  if (values.help) {
    io.stdout.write(`${REPLAY_HELP}\n`);
    return 0;
  }
  const format = parseFormat(values.format);
  if (positionals.length === 0) throw new UsageError('replay: at least one MRT FILE is needed');
  const vrpFiles = values.vrps ?? [];
  const slurmFiles = values.slurm ?? [];
  if (vrpFiles.length === 0 && slurmFiles.length > 0) throw new UsageError('replay: --slurm goes with --vrps');

  // VRPs load while the files are read; attach the handler now so a VRP
  // error does not surface as an unhandled rejection if a file fails first.
  const loading = vrpFiles.length > 0 ? loadRpkiFiles(vrpFiles, slurmFiles) : Promise.resolve(EMPTY_PAYLOAD);
  loading.catch(() => undefined);
  if (vrpFiles.length === 0) io.stderr.write('rovd replay: no --vrps given: every route is not-found\n');

  const started = performance.now();
  const held = new HeldRoutes();
  const apply = (event: MrtEvent): void => held.apply(event);
  const stats: MrtStats[] = [];
  for (const file of positionals) {
    const decoder = new MrtDecoder({ source: file });
    stats.push(decoder.stats);
    try {
      for await (const batch of readMrtFile(file)) for (const record of batch) decoder.decode(record, apply);
    } catch (err) {
      throw fileError(file, err);
    }
  }
  const readMs = performance.now() - started;
  const index = VrpIndex.build((await loading).vrps);
  const counts = await report(io.stdout, held, index, format);
  io.stderr.write(`${summary(positionals.length, stats, held, counts, readMs, performance.now() - started - readMs)}\n`);
  return 0;
}

function parseFormat(value: string | undefined): Format {
  if (value === undefined) return 'text';
  if (value === 'text' || value === 'ndjson') return value;
  throw new UsageError(`replay: --format must be text or ndjson, not ${JSON.stringify(value)}`);
}

/** A file that cannot be opened reads like the other commands' errors; MRT errors already name the file. */
function fileError(file: string, err: unknown): Error {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') return new Error(`${file}: no such file`);
  if (code === 'EISDIR') return new Error(`${file}: is a directory`);
  if (typeof code === 'string' && !code.startsWith('Z_')) return new Error(`${file}: cannot read: ${(err as Error).message}`);
  return err instanceof Error ? err : new Error(String(err));
}

type Counts = [number, number, number];

interface Validated {
  readonly peer: PeerRoutes;
  readonly counts: Counts;
}

/** Validates every held route, prints the report, returns the totals by state. */
async function report(out: Writable, held: HeldRoutes, index: VrpIndex, format: Format): Promise<Counts> {
  const total: Counts = [0, 0, 0];
  const perPeer: Validated[] = [];
  const invalid: { peer: MrtPeer; route: HeldRoute; origin: Asn | null }[] = [];
  const output = new ByteOutput(out);
  for (const entry of held.byPeer.values()) {
    const counts: Counts = [0, 0, 0];
    const routes = [...entry.routes.values()].sort(compareRoutes);
    // The line is written field by field (addresses, prefixes and state
    // names need no JSON escaping): JSON.stringify of an object per route
    // was the largest cost of a full-table replay.
    const head = `{"peer":${JSON.stringify(entry.peer.address)},"peerAsn":${entry.peer.asn},"prefix":"`;
    for (const route of routes) {
      const origin = originOf(route.asPath);
      const state = index.validate(route.prefix, origin);
      counts[state]++;
      if (format === 'ndjson') {
        output.text(
          `${head}${route.prefix.toString()}","pathId":${route.pathId},"asPath":${asPathJson(route.asPath)},"origin":${origin},"state":"${rovStateName(state)}"}`,
        );
        output.newline();
        if (output.full) await output.flush();
      } else if (state === RovState.Invalid) {
        invalid.push({ peer: entry.peer, route, origin });
      }
    }
    for (let s = 0; s < 3; s++) total[s]! += counts[s]!;
    perPeer.push({ peer: entry, counts });
  }
  if (format === 'text') {
    output.text(textReport(total, perPeer, invalid, index));
    if (output.full) await output.flush();
  }
  await output.flush();
  return total;
}

/** AsPath.toJSON() as text; a path of one AS_SEQUENCE (nearly all) without the intermediate arrays. */
function asPathJson(path: AsPath): string {
  const segs = path.segments;
  if (segs.length === 0) return '[]';
  if (segs.length === 1 && segs[0]!.type === 'sequence') return `[${segs[0]!.asns.join(',')}]`;
  return JSON.stringify(path.toJSON());
}

function compareRoutes(a: HeldRoute, b: HeldRoute): number {
  return Prefix.compare(a.prefix, b.prefix) || a.pathId - b.pathId;
}

function textReport(total: Counts, perPeer: readonly Validated[], invalid: readonly { peer: MrtPeer; route: HeldRoute; origin: Asn | null }[], index: VrpIndex): string {
  const lines: string[] = [];
  const n = (c: Counts): number => c[0] + c[1] + c[2];
  lines.push(`routes: ${n(total)} (valid ${total[RovState.Valid]}, invalid ${total[RovState.Invalid]}, not-found ${total[RovState.NotFound]})`);
  lines.push('');
  lines.push(`${'peer'.padEnd(40)} ${'asn'.padStart(10)} ${'routes'.padStart(8)} ${'valid'.padStart(8)} ${'invalid'.padStart(8)} ${'not-found'.padStart(9)}`);
  for (const { peer, counts } of perPeer) {
    lines.push(
      `${peer.peer.address.padEnd(40)} ${String(peer.peer.asn).padStart(10)} ${String(n(counts)).padStart(8)} ${String(counts[RovState.Valid]).padStart(8)} ${String(counts[RovState.Invalid]).padStart(8)} ${String(counts[RovState.NotFound]).padStart(9)}`,
    );
  }
  lines.push('');
  lines.push(`invalid routes: ${invalid.length}`);
  for (const { peer, route, origin } of invalid) {
    const why = index.explain(route.prefix, origin);
    const originText = origin === null ? 'origin NONE' : `AS${origin}`;
    lines.push(
      `${route.prefix.toString()} ${originText} invalid ${why.reason} (covered by ${[...why.unmatchedLength, ...why.unmatchedAs].map(formatVrp).join(', ')})` +
        ` from ${peer.address} AS${peer.asn}${route.pathId !== 0 ? ` path-id ${route.pathId}` : ''} path [${route.asPath.toString()}]`,
    );
  }
  return `${lines.join('\n')}\n`;
}

function summary(files: number, stats: readonly MrtStats[], held: HeldRoutes, counts: Counts, readMs: number, validateMs: number): string {
  let records = 0;
  let events = 0;
  let skipped = 0;
  let bgpErrors = 0;
  let damaged = 0;
  for (const s of stats) {
    records += s.records;
    events += s.ribRoutes + s.announced + s.withdrawn;
    skipped += s.skippedRecords;
    bgpErrors += s.bgpErrors;
    damaged += s.damagedRecords;
  }
  const notes: string[] = [];
  if (skipped > 0) notes.push(`${skipped} records of types not read skipped`);
  if (bgpErrors > 0) notes.push(`${bgpErrors} BGP messages or RIB entries that did not parse skipped`);
  if (damaged > 0) notes.push(`${damaged} damaged records skipped`);
  if (held.sentIgnored > 0) notes.push(`${held.sentIgnored} routes sent by the collector not held`);
  if (held.sessionsClosed > 0) notes.push(`${held.sessionsClosed} session closes cleared their peer's routes`);
  return (
    `rovd: ${files} file(s), ${records} records, ${events} route events; ${counts[0] + counts[1] + counts[2]} routes held from ${held.byPeer.size} peers: ` +
    `${counts[RovState.Valid]} valid, ${counts[RovState.Invalid]} invalid, ${counts[RovState.NotFound]} not-found ` +
    `(read in ${Math.round(readMs)} ms, validated and printed in ${Math.round(validateMs)} ms)` +
    (notes.length > 0 ? `; ${notes.join('; ')}` : '')
  );
}
