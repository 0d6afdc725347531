/**
 * Shared test helpers for the source tests: a trivial line format and its
 * parser (so these tests do not depend on the real JSON/CSV parsers), a
 * bounded wait for one listener call, temp directories, and a logger that
 * records what it was told.
 *
 * The line format:
 *   #vrps                              header, required (like a real export,
 *                                      an empty or cut file does not parse)
 *   !expires 2030-01-01T00:00:00Z      optional metadata
 *   !generated 2029-12-31T00:00:00Z
 *   192.0.2.0/24 24 65000              prefix maxLength asn
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RpkiFormatError, type RpkiFile } from '../../../src/rpki/formats/rpki-file.js';
import { makePayload, type RpkiPayload } from '../../../src/rpki/payload.js';
import type { Logger, RpkiSource, SourceFailure, SourceUpdate, Unsubscribe } from '../../../src/rpki/sources/source.js';
import { parseVrp, type Vrp } from '../../../src/rpki/vrp.js';
import { VrpTable } from '../../../src/rpki/vrp-table.js';

export function parseLines(bytes: Buffer, source: string): RpkiFile {
  const lines = bytes.toString('utf8').split('\n');
  if (lines[0]?.trim() !== '#vrps') throw new RpkiFormatError(source, 'line 1', 'missing #vrps header');
  const vrps: Vrp[] = [];
  let expiresAt: Date | undefined;
  let generatedAt: Date | undefined;
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    const entry = `line ${i + 1}`;
    const fields = line.split(/\s+/);
    if (fields[0] === '!expires') {
      expiresAt = new Date(fields[1] ?? '');
      continue;
    }
    if (fields[0] === '!generated') {
      generatedAt = new Date(fields[1] ?? '');
      continue;
    }
    if (fields.length !== 3) throw new RpkiFormatError(source, entry, `expected 3 fields, got ${fields.length}`);
    try {
      vrps.push(parseVrp(fields[0]!, fields[1], fields[2], 'test'));
    } catch (err) {
      throw new RpkiFormatError(source, entry, err instanceof Error ? err.message : String(err));
    }
  }
  return { payload: makePayload(VrpTable.from(vrps)), format: 'bare-array-json', expiresAt, generatedAt };
}

/** The text of a file in the line format. */
export function lines(vrps: readonly string[], meta: { expires?: string; generated?: string } = {}): string {
  const head = ['#vrps'];
  if (meta.expires) head.push(`!expires ${meta.expires}`);
  if (meta.generated) head.push(`!generated ${meta.generated}`);
  return [...head, ...vrps, ''].join('\n');
}

/** `AS65000 192.0.2.0/24-24` strings, sorted, for t.same. */
export function vrpList(p: RpkiPayload | VrpTable | undefined): string[] {
  if (p === undefined) return [];
  const table = p instanceof VrpTable ? p : p.vrps;
  return [...table].map((v) => `AS${v.asn} ${v.prefix.toString()}-${v.maxLength}`).sort();
}

/**
 * Resolves with the next value passed to a listener registered by
 * `subscribe`, or rejects after `timeoutMs`. Always unsubscribes and clears
 * its timer.
 */
export function next<T>(subscribe: (fn: (value: T) => void) => Unsubscribe, timeoutMs = 5000, what = 'event'): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const unsubscribe = subscribe((value) => {
      clearTimeout(timer);
      unsubscribe();
      resolve(value);
    });
    const timer = setTimeout(() => {
      unsubscribe();
      reject(new Error(`no ${what} within ${timeoutMs} ms`));
    }, timeoutMs);
  });
}

/** The next update of a source (bounded wait). */
export const nextUpdate = (s: Pick<RpkiSource, 'onUpdate'>, timeoutMs = 5000): Promise<SourceUpdate> =>
  next<SourceUpdate>((fn) => s.onUpdate(fn), timeoutMs, 'update');

/** The next failure of a source (bounded wait). */
export const nextError = (s: Pick<RpkiSource, 'onError'>, timeoutMs = 5000): Promise<SourceFailure> =>
  next<SourceFailure>((fn) => s.onError(fn), timeoutMs, 'error');

/** Resolves once `cond()` is true, polling every few ms; rejects after timeoutMs. */
export async function until(cond: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`${what} not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

export interface Teardown {
  teardown(fn: () => unknown): void;
}

/** A fresh temp directory, removed at teardown. */
export async function tempDir(t: Teardown): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'rovd-sources-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

export interface LogLine {
  readonly level: 'info' | 'warn' | 'error';
  readonly obj: object;
  readonly msg: string;
}

/** A Logger that keeps every line. */
export function recordingLogger(): Logger & { readonly lines: LogLine[] } {
  const out: LogLine[] = [];
  return {
    lines: out,
    info: (obj, msg) => out.push({ level: 'info', obj, msg }),
    warn: (obj, msg) => out.push({ level: 'warn', obj, msg }),
    error: (obj, msg) => out.push({ level: 'error', obj, msg }),
  };
}
