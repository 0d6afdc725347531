/**
 * `rovd vrps`: prints the VRP set that rovd would use, the union of the
 * given files with SLURM (RFC 8416) applied, so an operator can see and
 * diff exactly what validation runs against.
 *
 *   rovd vrps --vrps a.json --vrps b.csv --slurm local.json
 *   rovd vrps --vrps a.json --format csv
 *   rovd vrps --rtr rtr.example.net:323 [--tls] [--version 1]
 *
 * With --rtr it connects to an RTR cache, syncs once, prints the cache's
 * whole set and exits, like StayRTR's rtrdump, so a cache and a file can be
 * compared in the same format.
 *
 * `json` is Routinator's `json` output (formats/writers.ts), so tools that
 * read Routinator read it; `csv` is the short `asn,prefix,maxLength` form.
 * Output is streamed in ~64 KiB chunks with back-pressure: a full table is
 * ~60 MB of text.
 */
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { formatV4, formatV6 } from '../net/prefix.js';
import { loadRpkiFiles } from '../rpki/load-files.js';
import { routinatorJsonChunks } from '../rpki/formats/writers.js';
import type { VrpColumns, VrpTable } from '../rpki/vrp-table.js';
import { readFile } from 'node:fs/promises';
import type { RpkiPayload } from '../rpki/payload.js';
import { type Slurm, applySlurms, parseSlurmBytes } from '../rpki/slurm.js';
import { RtrSession } from '../rtr/session.js';
import { parseHostPort, tcpTransport, tlsTransport } from '../rtr/transport.js';
import { parseCommandArgs } from './options.js';
import { UsageError } from './usage-error.js';
import type { CommandIo } from './validate-command.js';

export const VRPS_HELP = `Usage: rovd vrps --vrps FILE [--vrps FILE…] [--slurm FILE…] [--format json|csv]
       rovd vrps --rtr HOST:PORT [--tls [--ca FILE]] [--version 0|1|2] [--slurm FILE…] [--format json|csv]

Prints the VRPs of the given files (their union, duplicates removed), or the
whole set of an RTR cache, with SLURM exceptions applied, in canonical order
(IPv4 then IPv6, by prefix, ASN, maxLength).

Options:
  --vrps FILE     VRPs to read: Routinator json/jsonext/csv, rpki-client or
                  StayRTR JSON, or a bare JSON array. Repeat for the union.
  --rtr HOST:PORT An RTR cache (RFC 8210; [IPv6]:PORT for IPv6 addresses):
                  connect, sync once, print, exit.
  --tls           Use RTR over TLS; the cache's certificate is verified
                  (system roots, or --ca FILE).
  --ca FILE       PEM CA bundle to verify the cache's certificate with.
  --version V     Highest RTR version to offer: 2 (default), 1 or 0; a cache
                  that speaks less is followed down.
  --timeout S     Seconds to wait for the sync (default 120).
  --slurm FILE    SLURM (RFC 8416) local exceptions applied on top. Repeatable.
  --format F      json (default): Routinator's json shape, with "aspas" and
                  "routerKeys" when there are any;
                  csv: header asn,prefix,maxLength, then AS65000,192.0.2.0/24,24
                  (VRPs only; a note on stderr counts any ASPAs left out).
  -h, --help      This text.

Exit status: 0 on success, 1 if a file cannot be read or parsed, 2 on usage errors.`;

type Format = 'json' | 'csv';

export async function vrpsCommand(argv: readonly string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseOptions(argv);
  if (values.help) {
    io.stdout.write(`${VRPS_HELP}\n`);
    return 0;
  }
  const format = parseFormat(values.format);
  const vrpFiles = values.vrps ?? [];
  if (positionals.length > 0) throw new UsageError(`vrps: unexpected argument ${JSON.stringify(positionals[0])}`);
  if (values.rtr !== undefined && vrpFiles.length > 0) throw new UsageError('vrps: give either --vrps FILE or --rtr HOST:PORT, not both');
  if (values.rtr === undefined && vrpFiles.length === 0) throw new UsageError('vrps: at least one --vrps FILE (or --rtr HOST:PORT) is needed');
  if (values.rtr === undefined && (values.tls || values.ca !== undefined || values.version !== undefined)) {
    throw new UsageError('vrps: --tls, --ca and --version go with --rtr');
  }

  const payload =
    values.rtr !== undefined
      ? applySlurms(await rtrOnce(values.rtr, values), await Promise.all((values.slurm ?? []).map(readSlurmFile)))
      : await loadRpkiFiles(vrpFiles, values.slurm ?? []);
  if (format === 'json') {
    await writeChunks(io.stdout, routinatorJsonChunks(payload));
  } else {
    await writeChunks(io.stdout, vrpCsvChunks(payload.vrps));
    const left = [
      payload.aspas.length > 0 ? `${payload.aspas.length} ASPA(s)` : '',
      payload.routerKeys.length > 0 ? `${payload.routerKeys.length} router key(s)` : '',
    ].filter((s) => s !== '');
    // A silent drop would let someone diff two csv dumps and miss an ASPA change.
    if (left.length > 0) io.stderr.write(`rovd vrps: csv holds VRPs only; ${left.join(' and ')} not shown (use --format json)\n`);
  }
  return 0;
}

function parseOptions(argv: readonly string[]) {
  return parseCommandArgs('vrps', argv, {
    vrps: { type: 'string', multiple: true },
    slurm: { type: 'string', multiple: true },
    format: { type: 'string' },
    rtr: { type: 'string' },
    tls: { type: 'boolean' },
    ca: { type: 'string' },
    version: { type: 'string' },
    timeout: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  } as const);
}

function parseFormat(value: string | undefined): Format {
  if (value === undefined) return 'json';
  if (value === 'json' || value === 'csv') return value;
  throw new UsageError(`vrps: --format must be json or csv, not ${JSON.stringify(value)}`);
}

const CHUNK_CHARS = 64 * 1024;

/**
 * `asn,prefix,maxLength` then one `AS65000,192.0.2.0/24,24` line per VRP,
 * in table (canonical) order. Not writers.ts's csvChunks: that one is
 * Routinator's four-column csv with the trust anchor.
 */
export function* vrpCsvChunks(table: VrpTable): Generator<string> {
  let chunk = 'asn,prefix,maxLength\n';
  for (const c of [table.v4, table.v6]) {
    for (let i = 0; i < c.count; i++) {
      chunk += `AS${c.asn[i]},${prefixText(c, i)},${c.maxLength[i]}\n`;
      if (chunk.length >= CHUNK_CHARS) {
        yield chunk;
        chunk = '';
      }
    }
  }
  if (chunk !== '') yield chunk;
}

function prefixText(c: VrpColumns, i: number): string {
  const w = c.words;
  if (c.stride === 1) return `${formatV4(w[i]!)}/${c.length[i]}`;
  const b = i * 4;
  return `${formatV6(w[b]!, w[b + 1]!, w[b + 2]!, w[b + 3]!)}/${c.length[i]}`;
}

/** Writes each chunk, waiting for 'drain' whenever the stream is backed up. */
async function writeChunks(out: Writable, chunks: Iterable<string>): Promise<void> {
  for (const chunk of chunks) {
    if (!out.write(chunk)) await once(out, 'drain');
  }
}

interface RtrFlags {
  readonly tls?: boolean;
  readonly ca?: string;
  readonly version?: string;
  readonly timeout?: string;
}

/** Connects to an RTR cache, waits for its first complete update, and disconnects. */
async function rtrOnce(target: string, flags: RtrFlags): Promise<RpkiPayload> {
  let address: { host: string; port: number };
  try {
    address = parseHostPort(target);
  } catch (err) {
    throw new UsageError(`vrps: --rtr: ${(err as Error).message}`);
  }
  const version = flags.version === undefined ? 2 : Number(flags.version);
  if (version !== 0 && version !== 1 && version !== 2) throw new UsageError(`vrps: --version must be 0, 1 or 2, not ${JSON.stringify(flags.version)}`);
  const timeoutS = flags.timeout === undefined ? 120 : Number(flags.timeout);
  if (!Number.isFinite(timeoutS) || timeoutS <= 0) throw new UsageError(`vrps: --timeout must be a number of seconds, not ${JSON.stringify(flags.timeout)}`);
  const ca = flags.ca === undefined ? undefined : await readFile(flags.ca);
  const connect = flags.tls ? tlsTransport(address.host, address.port, { ca }) : tcpTransport(address.host, address.port);
  const session = new RtrSession({ name: target, connect, version, responseTimeoutMs: timeoutS * 1000 });
  try {
    return await new Promise<RpkiPayload>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${target}: no complete RTR update within ${timeoutS} s (${session.status().lastError ?? 'no answer'})`)), timeoutS * 1000);
      session.onUpdate((u) => {
        clearTimeout(timer);
        resolve(u.data.toPayload());
      });
      // A one-shot dump does not retry: the first failure is the answer.
      session.onState((state) => {
        if (state !== 'retrying') return;
        clearTimeout(timer);
        reject(new Error(`${target}: ${session.status().lastError ?? 'RTR session failed'}`));
      });
      session.start();
    });
  } finally {
    await session.stop();
  }
}

async function readSlurmFile(file: string): Promise<Slurm> {
  return parseSlurmBytes(await readFile(file), file);
}
