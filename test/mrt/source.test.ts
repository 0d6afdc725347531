/**
 * MRT input: compression detected by magic bytes (plain, gzip, bzip2),
 * streamed reading in batches and one record at a time, typed errors for a
 * corrupt or truncated compressed file, bounded memory on a large stream.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import t from 'tap';
import { MrtError } from '../../src/mrt/mrt-error.js';
import { type OpenMrtOptions, detectCompression, openMrtFile, readMrt, readMrtBatches, readMrtFile } from '../../src/mrt/source.js';
import type { MrtRecord } from '../../src/mrt/framer.js';
import { caughtAsync } from '../helpers/errors.js';
import { bytes, mrtRecord } from './helpers/build.js';

const dir = mkdtempSync(join(tmpdir(), 'rovd-mrt-'));
const RECORDS = Array.from({ length: 50 }, (_, i) => mrtRecord(16, 1, new Uint8Array(i * 7).fill(i), { timestamp: 1000 + i }));
const PLAIN = bytes(...RECORDS);

/** A bzip2 file made by the system's bzip2 if it has one, else a committed-free fallback: none. */
function bzip2(data: Uint8Array): Buffer | undefined {
  try {
    return execFileSync('bzip2', ['-c'], { input: data });
  } catch {
    return undefined;
  }
}

async function collect(path: string, options: OpenMrtOptions = {}): Promise<MrtRecord[]> {
  const out: MrtRecord[] = [];
  for await (const batch of readMrtFile(path, options)) out.push(...batch);
  return out;
}

const describe = (rs: MrtRecord[]): string[] => rs.map((r) => `${r.offset} ${r.timestamp} ${Buffer.from(r.body).toString('hex')}`);

t.test('detectCompression reads magic bytes, not names', async (t) => {
  t.equal(detectCompression(Uint8Array.from([0x1f, 0x8b, 8, 0])), 'gzip');
  t.equal(detectCompression(Buffer.from('BZh9')), 'bzip2');
  t.equal(detectCompression(Buffer.from('BZh0')), 'none', 'block size digit must be 1-9');
  t.equal(detectCompression(Uint8Array.from([0x1f])), 'none');
  t.equal(detectCompression(PLAIN.subarray(0, 4)), 'none');
});

t.test('plain, gzip and bzip2 files give identical records', async (t) => {
  const expected = describe(await collect(writeFile('plain.mrt', PLAIN)));
  t.equal(expected.length, 50);
  t.equal((await openMrtFile(join(dir, 'plain.mrt'))).compression, 'none');
  const gz = writeFile('x.bz2', gzipSync(PLAIN)); // the name lies: magic bytes decide
  t.equal((await openMrtFile(gz)).compression, 'gzip');
  t.same(describe(await collect(gz)), expected);
  // Two gzip members back to back (as `cat a.gz b.gz` makes): one stream.
  const twoMembers = writeFile('two.gz', Buffer.concat([gzipSync(PLAIN.subarray(0, RECORDS[0]!.length + RECORDS[1]!.length)), gzipSync(PLAIN.subarray(RECORDS[0]!.length + RECORDS[1]!.length))]));
  t.same(describe(await collect(twoMembers)), expected);
  const bz = bzip2(PLAIN);
  if (bz === undefined) {
    t.pass('no bzip2 binary to make a test file', { skip: 'bzip2 not installed; the corpus bz2 files cover bzip2' });
  } else {
    const path = writeFile('x.gz', bz);
    t.equal((await openMrtFile(path)).compression, 'bzip2');
    t.same(describe(await collect(path)), expected, 'the system bzip2');
    t.same(describe(await collect(path, { bzip2: 'js' })), expected, 'unbzip2-stream');
  }
});

t.test('readMrt and readMrtBatches over any chunking', async (t) => {
  const expected = describe(await collect(writeFile('plain2.mrt', PLAIN)));
  for (const size of [1, 5, 12, 13, 100, 4096]) {
    const chunks: Uint8Array[] = [];
    for (let i = 0; i < PLAIN.length; i += size) chunks.push(PLAIN.subarray(i, i + size));
    const one: MrtRecord[] = [];
    for await (const r of readMrt(Readable.from(chunks))) one.push(r);
    t.same(describe(one), expected, `chunks of ${size}`);
  }
  async function* gen(): AsyncGenerator<Uint8Array> {
    yield PLAIN;
  }
  let batches = 0;
  for await (const b of readMrtBatches(gen())) batches += b.length > 0 ? 1 : 0;
  t.equal(batches, 1, 'one batch per chunk');
});

t.test('damage: typed errors naming the file, after every record before it', async (t) => {
  const truncated = writeFile('trunc.mrt', PLAIN.subarray(0, PLAIN.length - 3));
  const seen: MrtRecord[] = [];
  const err = await caughtAsync(async () => {
    for await (const b of readMrtFile(truncated)) seen.push(...b);
  });
  t.ok(err instanceof MrtError);
  t.match(err, { kind: 'truncated', field: 'mrt.body', recordType: 16, recordSubtype: 1, source: truncated });
  t.equal(seen.length, 49);
  t.match((err as Error).message, new RegExp(`^${truncated}: BGP4MP/MESSAGE record at offset \\d+: truncated`));

  const gz = gzipSync(PLAIN);
  const cutGz = writeFile('cut.gz', gz.subarray(0, gz.length - 20));
  t.match(await caughtAsync(() => collect(cutGz)), { name: 'MrtError', kind: 'malformed', field: 'mrt.compression', source: cutGz });
  const badGz = Buffer.from(gz);
  badGz.fill(0x55, 20, 40);
  t.match(await caughtAsync(() => collect(writeFile('bad.gz', badGz))), { name: 'MrtError', field: 'mrt.compression' });

  const bz = bzip2(PLAIN);
  if (bz !== undefined) {
    const badBz = Buffer.from(bz);
    badBz.fill(0x55, 30, 60);
    for (const bzip2 of ['auto', 'js'] as const) {
      t.match(await caughtAsync(() => collect(writeFile('bad.bz2', badBz), { bzip2 })), { name: 'MrtError', field: 'mrt.compression' }, `damaged, ${bzip2}`);
      t.match(await caughtAsync(() => collect(writeFile('cut.bz2', bz.subarray(0, bz.length - 30)), { bzip2 })), { name: 'MrtError', field: 'mrt.compression' }, `cut, ${bzip2}`);
    }
  }
  t.match(await caughtAsync(() => collect(join(dir, 'missing.mrt'))), { code: 'ENOENT' });
});

t.test('bounded memory: 64 MB of records streamed with a small heap increase', async (t) => {
  const body = new Uint8Array(4000).fill(1);
  const record = mrtRecord(13, 2, body);
  async function* big(): AsyncGenerator<Uint8Array> {
    // Chunks cut across record boundaries, made on the fly, never held.
    const total = Math.floor((64 << 20) / record.length) * record.length;
    for (let sent = 0; sent < total; sent += 65536) {
      const chunk = new Uint8Array(Math.min(65536, total - sent));
      for (let i = 0; i < chunk.length; i++) chunk[i] = record[(sent + i) % record.length]!;
      yield chunk;
    }
  }
  global.gc?.();
  const before = process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
  let records = 0;
  let peak = 0;
  for await (const batch of readMrtBatches(big(), { maxRecordLength: 1 << 20 })) {
    records += batch.length;
    if (records % 1000 < batch.length) peak = Math.max(peak, process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers - before);
  }
  t.equal(records, Math.floor((64 << 20) / record.length));
  t.ok(peak < 48 << 20, `memory growth ${Math.round(peak / 1048576)} MiB stays well below the 64 MB read`);
});

function writeFile(name: string, data: Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, data);
  return path;
}
