/**
 * Worker-thread entry for loadRpkiFilesOffThread(): parses VRP and SLURM
 * files away from the main thread, which has routes to read meanwhile (and,
 * in the daemon, BGP sessions whose keepalives must not wait 1.5 s for a
 * full VRP set to parse).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { RpkiFormatError } from './formats/rpki-file.js';
import { loadRpkiFiles } from './load-files.js';
import type { LoadRequest, LoadResult } from './load-files.js';

const request = workerData as LoadRequest;
loadRpkiFiles(request.vrpFiles, request.slurmFiles).then(
  (payload) => {
    // Typed arrays and plain objects survive the structured clone; the
    // receiving side rebuilds the immutable payload from them.
    const result: LoadResult = { ok: true, payload };
    parentPort!.postMessage(result);
  },
  (err: unknown) => {
    const result: LoadResult =
      err instanceof RpkiFormatError
        ? { ok: false, formatError: { source: err.source, entry: err.entry, reason: err.reason } }
        : { ok: false, message: err instanceof Error ? err.message : String(err) };
    parentPort!.postMessage(result);
  },
);
