/**
 * Loads VRP files and SLURM files given on a command line into one payload:
 * the union of every VRP file, with the SLURM exceptions applied on top
 * (RFC 8416 §4: filters first, then assertions).
 */
import { readFile } from 'node:fs/promises';
import { Worker } from 'node:worker_threads';
import { makeAspaPerAfi } from './aspa.js';
import { parseRpkiBytes } from './formats/parse.js';
import { RpkiFormatError } from './formats/rpki-file.js';
import { type RpkiPayload, makePayload, unionPayloads } from './payload.js';
import { makeRouterKey } from './router-key.js';
import { applySlurms, parseSlurmBytes } from './slurm.js';
import { VrpTable } from './vrp-table.js';

export async function loadRpkiFiles(vrpFiles: readonly string[], slurmFiles: readonly string[] = []): Promise<RpkiPayload> {
  const payloads = await Promise.all(vrpFiles.map(async (file) => parseRpkiBytes(await readSource(file), file).payload));
  const slurms = await Promise.all(slurmFiles.map(async (file) => parseSlurmBytes(await readSource(file), file)));
  return applySlurms(unionPayloads(payloads), slurms);
}

/** What the worker is asked to load. */
export interface LoadRequest {
  readonly vrpFiles: readonly string[];
  readonly slurmFiles: readonly string[];
}

/** What the worker answers: the payload as cloned data, or the error. */
export type LoadResult =
  | { readonly ok: true; readonly payload: RpkiPayload }
  | { readonly ok: false; readonly formatError: { source: string; entry: string | undefined; reason: string } }
  | { readonly ok: false; readonly message: string };

/**
 * loadRpkiFiles() on a worker thread: the same result and the same errors,
 * while this thread does other work. Parsing a full VRP set is over a
 * second of CPU; with two cores it overlaps with reading the routes.
 */
export async function loadRpkiFilesOffThread(vrpFiles: readonly string[], slurmFiles: readonly string[] = []): Promise<RpkiPayload> {
  // Under the test runner this module is TypeScript; built, it is JavaScript.
  const entry = new URL(import.meta.url.endsWith('.ts') ? './load-worker.ts' : './load-worker.js', import.meta.url);
  const request: LoadRequest = { vrpFiles, slurmFiles };
  const worker = new Worker(entry, { workerData: request });
  try {
    const result = await new Promise<LoadResult>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`VRP loader thread exited with code ${code} before answering`)));
    });
    if (result.ok) return rebuildPayload(result.payload);
    if ('formatError' in result) {
      const e = result.formatError;
      throw new RpkiFormatError(e.source, e.entry, e.reason);
    }
    throw new Error(result.message);
  } finally {
    await worker.terminate();
  }
}

/**
 * A structured clone keeps the data but not the classes or the freezing:
 * rebuild the VrpTable around the cloned (already sorted) columns, and the
 * ASPAs and keys through their constructors.
 */
function rebuildPayload(cloned: RpkiPayload): RpkiPayload {
  const vrps = new VrpTable(cloned.vrps.v4, cloned.vrps.v6, Object.freeze([...cloned.vrps.tas]));
  return makePayload(
    vrps,
    cloned.aspas.map((a) => makeAspaPerAfi(a.customer, a.ipv4Providers, a.ipv6Providers, a.ta)),
    cloned.routerKeys.map((k) => makeRouterKey(k.asn, k.ski, k.publicKey, k.ta)),
  );
}

async function readSource(file: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new RpkiFormatError(file, undefined, code === 'ENOENT' ? 'no such file' : `cannot read: ${(err as Error).message}`);
  }
}
