/**
 * Loads VRP files and SLURM files given on a command line into one payload:
 * the union of every VRP file, with the SLURM exceptions applied on top
 * (RFC 8416 §4: filters first, then assertions).
 */
import { readFile } from 'node:fs/promises';
import { parseRpkiBytes } from './formats/parse.js';
import { RpkiFormatError } from './formats/rpki-file.js';
import { type RpkiPayload, unionPayloads } from './payload.js';
import { applySlurms, parseSlurmBytes } from './slurm.js';

export async function loadRpkiFiles(vrpFiles: readonly string[], slurmFiles: readonly string[] = []): Promise<RpkiPayload> {
  const payloads = await Promise.all(vrpFiles.map(async (file) => parseRpkiBytes(await readSource(file), file).payload));
  const slurms = await Promise.all(slurmFiles.map(async (file) => parseSlurmBytes(await readSource(file), file)));
  return applySlurms(unionPayloads(payloads), slurms);
}

async function readSource(file: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new RpkiFormatError(file, undefined, code === 'ENOENT' ? 'no such file' : `cannot read: ${(err as Error).message}`);
  }
}
