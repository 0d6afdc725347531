/**
 * Reading MRT files as streams: compression detected by magic bytes, then
 * decompressed and framed chunk by chunk, so a 100 MB dump is never held
 * whole (the framer keeps at most one incomplete record).
 *
 * - gzip (RFC 1952, magic 1f 8b): node:zlib, multi-member files included.
 * - bzip2 (magic "BZh" + block size digit): the system's `bzip2 -dc` in a
 *   child process when there is one on PATH (0.75 s for RouteViews' 2014
 *   jinx RIB, where the npm package `unbzip2-stream`, pure JavaScript,
 *   takes 4.6-8.3 s and caps a replay at its pace), else `unbzip2-stream`.
 *   Node has no bzip2 of its own; RouteViews archives are bzip2.
 * - anything else: read as plain MRT.
 *
 * Errors are typed: a damaged record is an {@link MrtError} (from the
 * framer or a decoder); a corrupt or truncated compressed stream is an
 * MrtError with field `mrt.compression`, at the decompressed offset reached.
 */
import { spawn } from 'node:child_process';
import { accessSync, constants, createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import unbzip2 from 'unbzip2-stream';
import { MrtError } from './mrt-error.js';
import { MrtFramer, type MrtFramerOptions, type MrtRecord } from './framer.js';

export type MrtCompression = 'none' | 'gzip' | 'bzip2';

export interface MrtInput {
  readonly path: string;
  readonly compression: MrtCompression;
  /** The decompressed bytes. */
  readonly stream: Readable;
}

/** Read-ahead of the file and of the gzip inflater: big enough that few records span chunks. */
const CHUNK_BYTES = 256 * 1024;

/** Which compression the first bytes announce. */
export function detectCompression(head: Uint8Array): MrtCompression {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head.length >= 4 && head[0] === 0x42 && head[1] === 0x5a && head[2] === 0x68 && head[3]! >= 0x31 && head[3]! <= 0x39) return 'bzip2';
  return 'none';
}

export interface OpenMrtOptions {
  /** bzip2 decompressor: the system's when on PATH (`auto`, the default), or always the JavaScript one (`js`). */
  readonly bzip2?: 'auto' | 'js';
}

/**
 * Opens an MRT file, plain, gzip or bzip2 (detected by its magic bytes, not
 * its name). Rejects with the file system error if it cannot be opened.
 */
export async function openMrtFile(path: string, options: OpenMrtOptions = {}): Promise<MrtInput> {
  const head = new Uint8Array(4);
  const fd = await open(path, 'r');
  let got: number;
  try {
    ({ bytesRead: got } = await fd.read(head, 0, 4, 0));
  } finally {
    await fd.close();
  }
  const compression = detectCompression(head.subarray(0, got));
  if (compression === 'bzip2' && (options.bzip2 ?? 'auto') === 'auto') {
    const binary = systemBzip2();
    if (binary !== undefined) return { path, compression, stream: bunzipWith(binary, path) };
  }
  const file = createReadStream(path, { highWaterMark: CHUNK_BYTES });
  return { path, compression, stream: decompress(file, compression) };
}

let bzip2Path: string | null | undefined;

/** The system's bzip2 on PATH, looked up once. */
function systemBzip2(): string | undefined {
  if (bzip2Path === undefined) {
    bzip2Path = null;
    for (const dir of (process.env.PATH ?? '').split(delimiter)) {
      if (dir === '') continue;
      try {
        accessSync(join(dir, 'bzip2'), constants.X_OK);
        bzip2Path = join(dir, 'bzip2');
        break;
      } catch {
        // not in this directory
      }
    }
  }
  return bzip2Path ?? undefined;
}

/**
 * `bzip2 -dc FILE` as a stream. A damaged or cut file makes bzip2 exit
 * non-zero with a message on stderr: the stream then fails with a
 * compression error carrying that message (after the data it did give).
 */
function bunzipWith(binary: string, path: string): Readable {
  const child = spawn(binary, ['-dc', '--', path], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (s: string) => {
    if (stderr.length < 4096) stderr += s;
  });
  const out = new Readable({
    highWaterMark: CHUNK_BYTES,
    read: () => child.stdout.resume(),
    destroy: (err, callback) => {
      if (child.exitCode === null && child.signalCode === null) child.kill();
      callback(err);
    },
  });
  child.stdout.on('data', (chunk: Buffer) => {
    if (!out.push(chunk)) child.stdout.pause();
  });
  let stdoutEnded = false;
  let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  const settle = (): void => {
    if (!stdoutEnded || exit === undefined) return;
    if (exit.code === 0) out.push(null);
    else out.destroy(new CompressionError(new Error(stderr.trim().split('\n').pop() || `bzip2 exited with ${exit.code ?? exit.signal}`)));
  };
  child.stdout.on('end', () => {
    stdoutEnded = true;
    settle();
  });
  child.on('close', (code, signal) => {
    exit = { code, signal };
    stdoutEnded = true;
    settle();
  });
  child.on('error', (err) => out.destroy(new CompressionError(err)));
  return out;
}

function decompress(file: Readable, compression: MrtCompression): Readable {
  if (compression === 'none') return file;
  if (compression === 'gzip') {
    const gunzip = createGunzip({ chunkSize: CHUNK_BYTES });
    file.on('error', (err) => gunzip.destroy(err));
    return file.pipe(gunzip);
  }
  // unbzip2-stream is a classic `through` stream (write/queue/pause): adapt
  // it to a Readable with back-pressure by hand. (Readable.wrap() destroys
  // the wrapper on the through stream's 'close', which comes right after
  // 'end' and can cut off data not yet read: "Premature close".)
  const bz = unbzip2();
  const out = new Readable({
    highWaterMark: CHUNK_BYTES,
    read: () => bz.resume(),
    destroy: (err, callback) => {
      file.destroy();
      callback(err);
    },
  });
  bz.on('data', (chunk: Buffer) => {
    if (!out.push(chunk)) bz.pause();
  });
  bz.on('end', () => out.push(null));
  // Whatever the decompressor raises (its own Bzip2Error, or a TypeError
  // from reading past the end of a cut file) is a damaged compressed stream.
  bz.on('error', (err: Error) => out.destroy(new CompressionError(err)));
  file.on('error', (err) => out.destroy(err));
  file.pipe(bz);
  return out;
}

export interface ReadMrtOptions extends MrtFramerOptions {
  /** Name for error messages (the file path). */
  readonly source?: string;
}

/**
 * The records of an MRT stream, a batch per input chunk (the form to use on
 * a hot path: one await per chunk rather than per record). Throws an
 * {@link MrtError} at a damaged record, after yielding every record before it.
 */
export async function* readMrtBatches(
  input: AsyncIterable<Uint8Array> | Readable,
  options: ReadMrtOptions = {},
): AsyncGenerator<readonly MrtRecord[], void, undefined> {
  const framer = new MrtFramer(options);
  const source = options.source;
  try {
    for await (const chunk of input as AsyncIterable<Uint8Array>) {
      // A plain Uint8Array view of a Buffer chunk: the framer and the codecs
      // take many subarrays, and Buffer's subarray (a FastBuffer per call)
      // costs several times a typed array's.
      const records = framer.push(chunk instanceof Buffer ? new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength) : chunk);
      if (records.length > 0) yield records;
      if (framer.error) throw framer.error;
    }
  } catch (err) {
    throw typed(err, framer, source);
  }
  try {
    framer.end();
  } catch (err) {
    throw typed(err, framer, source);
  }
}

/** The records of an MRT stream, one at a time, as they are framed. */
export async function* readMrt(input: AsyncIterable<Uint8Array> | Readable, options: ReadMrtOptions = {}): AsyncGenerator<MrtRecord, void, undefined> {
  for await (const batch of readMrtBatches(input, options)) yield* batch;
}

/** openMrtFile + readMrtBatches, with the path in every error. */
export async function* readMrtFile(path: string, options: MrtFramerOptions & OpenMrtOptions = {}): AsyncGenerator<readonly MrtRecord[], void, undefined> {
  const input = await openMrtFile(path, options);
  try {
    yield* readMrtBatches(input.stream, { ...options, source: path });
  } finally {
    input.stream.destroy();
  }
}

/** Framer errors get the source name; a failed decompressor becomes a typed error; anything else passes through. */
function typed(err: unknown, framer: MrtFramer, source: string | undefined): unknown {
  if (err instanceof MrtError) return source === undefined ? err : err.withSource(source);
  if (isCompressionError(err)) {
    return new MrtError(
      { kind: 'malformed', field: 'mrt.compression', offset: framer.streamOffset, reason: (err as Error).message },
      { offset: framer.streamOffset, type: undefined, subtype: undefined },
      source,
    );
  }
  return err;
}

/** An error raised by the bzip2 decompressor, marked by origin (its messages and types vary). */
class CompressionError extends Error {
  constructor(cause: Error) {
    super(`bzip2: ${cause.message}`, { cause });
  }
}

function isCompressionError(err: unknown): boolean {
  if (err instanceof CompressionError) return true;
  // zlib errors carry Z_* codes ("unexpected end of file" is Z_BUF_ERROR).
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' && code.startsWith('Z_');
}
