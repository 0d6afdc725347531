/**
 * The journal: records round-trip through a real file, concurrent appends
 * share a sync, a reopen sees everything, a torn last write (every kind
 * journal-frame.ts names) is truncated and logged, and damage before the
 * last record refuses the open with the offset.
 */
import t, { type Test } from 'tap';
import { appendFile, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from '../../src/store/crc32.js';
import { JournalClosedError, JournalCorruptError, JournalEncodeError, JournalWriteError } from '../../src/store/journal-error.js';
import { encodeFrame, encodeRecord, FRAME_HEADER_BYTES, MAGIC, MAX_RECORD_BYTES, scanFrames } from '../../src/store/journal-frame.js';
import { FileJournal, type JournalValue } from '../../src/store/journal.js';
import { MemoryJournal } from '../../src/store/memory-journal.js';
import { caughtAsync } from '../helpers/errors.js';
import * as zlib from 'node:zlib';

interface Logged {
  readonly level: string;
  readonly obj: object;
  readonly msg: string;
}

function recorder(): { logger: { info(o: object, m: string): void; warn(o: object, m: string): void; error(o: object, m: string): void }; lines: Logged[] } {
  const lines: Logged[] = [];
  return {
    lines,
    logger: {
      info: (obj, msg) => lines.push({ level: 'info', obj, msg }),
      warn: (obj, msg) => lines.push({ level: 'warn', obj, msg }),
      error: (obj, msg) => lines.push({ level: 'error', obj, msg }),
    },
  };
}

async function tempFile(t: Test): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'rovd-journal-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return join(dir, 'outbox.journal');
}

/** A journal file with these records, written with the real framing. */
async function writeJournal(path: string, records: readonly JournalValue[]): Promise<number[]> {
  const offsets: number[] = [];
  let offset = MAGIC.length;
  const frames = records.map((r) => {
    offsets.push(offset);
    const f = encodeFrame(encodeRecord(r));
    offset += f.length;
    return f;
  });
  await writeFile(path, Buffer.concat([MAGIC, ...frames]));
  return offsets;
}

const R: JournalValue[] = [{ kind: 'a', n: 1 }, { kind: 'b', n: 2, nested: { list: [1, 'x', null, true] } }, { kind: 'c', n: 3.5 }];

t.test('crc32 is zlib\'s CRC-32', async (t) => {
  const z = (zlib as unknown as { crc32?: (b: Uint8Array) => number }).crc32;
  const samples = [Buffer.alloc(0), Buffer.from('123456789'), Buffer.from('rovd journal'), Buffer.alloc(1000, 0xa5)];
  t.equal(crc32(Buffer.from('123456789')), 0xcbf43926, 'the check value of CRC-32/ISO-HDLC');
  for (const s of samples) if (z) t.equal(crc32(s), z(s), `len ${s.length}`);
  t.equal(crc32(Buffer.from('xx123456789yy'), 2, 11), 0xcbf43926, 'a range');
});

t.test('append, reopen, recovered in order', async (t) => {
  const path = await tempFile(t);
  const j = await FileJournal.open(path);
  t.same(j.recovered(), [], 'a new journal is empty');
  t.equal((await readFile(path)).length, MAGIC.length, 'a new file holds the magic');
  // Concurrent appends: one write and one sync for those that queue behind the first.
  await Promise.all(R.map((r) => j.append(r)));
  await j.append({ kind: 'd', bytes: new Uint8Array([1, 2, 3]) });
  await j.close();
  await j.close();
  t.match(await caughtAsync(() => j.append({ kind: 'late' })), JournalClosedError, 'append after close');

  const again = await FileJournal.open(path);
  const got = again.recovered() as Array<Record<string, unknown>>;
  t.same(got.slice(0, 3), R);
  t.same([...(got[3]!.bytes as Uint8Array)], [1, 2, 3]);
  await again.append({ kind: 'e' });
  await again.close();
  const third = await FileJournal.open(path);
  t.equal(third.recovered().length, 5, 'appends after a reopen go after the old records');
  await third.close();
});

t.test('a record DAG-CBOR cannot hold is refused, nothing written', async (t) => {
  const path = await tempFile(t);
  const j = await FileJournal.open(path);
  t.teardown(() => j.close());
  const err = await caughtAsync(() => j.append({ kind: 'x', bad: undefined } as never));
  t.match(err, JournalEncodeError);
  t.match((err as Error).message, /undefined/);
  t.match(await caughtAsync(() => j.append({ n: Number.NaN })), JournalEncodeError);
  await j.append({ ok: true });
  t.equal((await stat(path)).size, MAGIC.length + FRAME_HEADER_BYTES + encodeRecord({ ok: true }).length);
});

t.test('a failed write rejects its batch and is undone; later appends work', async (t) => {
  const path = await tempFile(t);
  const j = await FileJournal.open(path);
  t.teardown(() => j.close());
  await j.append({ n: 1 });
  const inner = j as unknown as { handle: { write: (...a: unknown[]) => Promise<unknown> } };
  const realWrite = inner.handle.write.bind(inner.handle);
  let calls = 0;
  inner.handle.write = async (...args: unknown[]) => {
    // Write part of the frame, then fail: what ENOSPC in the middle looks like.
    if (calls++ === 0) {
      const [buf] = args as [Buffer];
      await realWrite(buf, 0, 5);
      throw Object.assign(new Error('no space left on device'), { code: 'ENOSPC' });
    }
    return realWrite(...args);
  };
  const err = await caughtAsync(() => j.append({ n: 2 }));
  t.match(err, JournalWriteError);
  t.match((err as Error).message, /no space left/);
  await j.append({ n: 3 });
  await j.close();
  const again = await FileJournal.open(path);
  t.same(again.recovered(), [{ n: 1 }, { n: 3 }], 'the half-written frame was cut away');
  await again.close();
});

t.test('torn tails are truncated and logged', async (t) => {
  const cases: Array<{ name: string; damage: (bytes: Buffer, offsets: number[]) => Buffer; reason: RegExp }> = [
    { name: 'cut inside a frame header', damage: (b, o) => b.subarray(0, o[2]! + 5), reason: /less than a frame header/ },
    { name: 'cut inside the last payload', damage: (b) => b.subarray(0, b.length - 3), reason: /cut at/ },
    {
      name: 'last payload garbled',
      damage: (b) => {
        const c = Buffer.from(b);
        c[c.length - 1] ^= 0xff;
        return c;
      },
      reason: /last record fails its checksum/,
    },
    { name: 'zero-filled tail', damage: (b) => Buffer.concat([b, Buffer.alloc(4096)]), reason: /zero bytes/ },
  ];
  for (const c of cases) {
    await t.test(c.name, async (t) => {
      const path = await tempFile(t);
      const offsets = await writeJournal(path, R);
      const intact = await readFile(path);
      await writeFile(path, c.damage(intact, offsets));
      const { logger, lines } = recorder();
      const j = await FileJournal.open(path, { logger });
      const expected = c.name === 'zero-filled tail' ? R : R.slice(0, 2);
      t.same(j.recovered(), expected);
      t.equal(lines.length, 1);
      t.match(lines[0], { level: 'warn', msg: /torn last write truncated/, obj: { journal: path, reason: c.reason } });
      await j.append({ kind: 'after' });
      await j.close();
      const again = await FileJournal.open(path);
      t.same(again.recovered(), [...expected, { kind: 'after' }], 'appends continue at the good end');
      await again.close();
    });
  }
});

t.test('damage before the last record refuses the open, naming file and offset', async (t) => {
  const cases: Array<{ name: string; at: (o: number[]) => number; reason: RegExp }> = [
    { name: 'payload byte of the first record', at: (o) => o[0]! + FRAME_HEADER_BYTES + 2, reason: /record checksum mismatch/ },
    { name: 'length of the second record', at: (o) => o[1]! + 3, reason: /frame header checksum mismatch/ },
  ];
  for (const c of cases) {
    await t.test(c.name, async (t) => {
      const path = await tempFile(t);
      const offsets = await writeJournal(path, R);
      const bytes = await readFile(path);
      bytes[c.at(offsets)] ^= 0x40;
      await writeFile(path, bytes);
      const err = await caughtAsync(() => FileJournal.open(path));
      t.match(err, JournalCorruptError);
      const frame = c.name.startsWith('payload') ? offsets[0] : offsets[1];
      t.match(err, { file: path, offset: frame, reason: c.reason });
      t.match((err as Error).message, new RegExp(`corrupt at offset ${frame}`));
      t.equal((await readFile(path)).length, bytes.length, 'the file is left as it was');
    });
  }
  await t.test('not a journal', async (t) => {
    const path = await tempFile(t);
    await writeFile(path, 'hello world, not a journal');
    t.match(await caughtAsync(() => FileJournal.open(path)), { name: 'JournalCorruptError', offset: 0, reason: /bad magic/ });
  });
  await t.test('a CRC-valid frame that is not DAG-CBOR', async (t) => {
    const path = await tempFile(t);
    await writeFile(path, Buffer.concat([MAGIC, encodeFrame(Buffer.from([0xff, 0x00])), encodeFrame(encodeRecord({ a: 1 }))]));
    t.match(await caughtAsync(() => FileJournal.open(path)), { offset: MAGIC.length, reason: /not DAG-CBOR/ });
  });
  await t.test('a length over the limit', async (t) => {
    const header = Buffer.alloc(FRAME_HEADER_BYTES);
    header.writeUInt32BE(MAX_RECORD_BYTES + 1, 0);
    header.writeUInt32BE(crc32(header, 0, 8), 8);
    const scan = scanFrames(Buffer.concat([MAGIC, header, Buffer.alloc(10, 1)]));
    t.match(scan.corrupt, { offset: MAGIC.length, reason: /over the/ });
    t.throws(() => encodeFrame(new Uint8Array(MAX_RECORD_BYTES + 1)), RangeError);
  });
});

t.test('an empty or magic-torn file starts a new journal', async (t) => {
  for (const content of [Buffer.alloc(0), MAGIC.subarray(0, 3)]) {
    const path = await tempFile(t);
    await writeFile(path, content);
    const j = await FileJournal.open(path);
    t.same(j.recovered(), []);
    await j.append({ n: 1 });
    await j.close();
    const again = await FileJournal.open(path);
    t.same(again.recovered(), [{ n: 1 }]);
    await again.close();
  }
  // appendFile keeps the test honest that 'a+' really appends.
  const path = await tempFile(t);
  const j = await FileJournal.open(path);
  await j.close();
  await appendFile(path, encodeFrame(encodeRecord({ z: 1 })));
  const again = await FileJournal.open(path);
  t.same(again.recovered(), [{ z: 1 }]);
  await again.close();
});

t.test('MemoryJournal: same encoding, reopen sees everything', async (t) => {
  const m = new MemoryJournal();
  t.equal(m.name, 'memory');
  await m.append({ a: 1 });
  await m.append({ b: [1, 2] });
  t.match(await caughtAsync(() => m.append({ c: undefined } as never)), JournalEncodeError);
  t.same(m.recovered(), []);
  t.same(m.all(), [{ a: 1 }, { b: [1, 2] }]);
  const r = m.reopen();
  t.same(r.recovered(), [{ a: 1 }, { b: [1, 2] }]);
  await r.close();
  t.match(await caughtAsync(() => r.append({ d: 1 })), JournalClosedError);
});
