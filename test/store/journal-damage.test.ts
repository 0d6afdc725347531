/**
 * The crash proofs at the file level:
 * - torn write: the journal cut at every byte offset of its last record
 *   opens, the record is cut away, nothing before it is lost;
 * - bit flip: one bit flipped in an earlier record (every bit of a frame
 *   header, bits of a payload) refuses the open with the offset and what to
 *   do; repair (FileJournal.open with repair, `rovd run --repair`) keeps
 *   every other record, sets the damaged file aside and logs the span.
 */
import t, { type Test } from 'tap';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { JournalCorruptError } from '../../src/store/journal-error.js';
import { FRAME_HEADER_BYTES, MAGIC } from '../../src/store/journal-frame.js';
import { FileJournal } from '../../src/store/journal.js';
import { repairJournal } from '../../src/store/journal-repair.js';
import { caughtAsync } from '../helpers/errors.js';

async function tempDir(t: Test): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'rovd-damage-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

const R = Array.from({ length: 8 }, (_, i) => ({ kind: 'enqueued', n: i, text: `record ${i} ${'y'.repeat(i * 7)}` }));

/** Writes R; returns the file bytes and each frame's offset. */
async function build(path: string): Promise<{ bytes: Buffer; offsets: number[] }> {
  const j = await FileJournal.open(path);
  const offsets: number[] = [];
  for (const r of R) {
    offsets.push(j.stats().bytes);
    await j.append(r);
  }
  await j.close();
  return { bytes: await readFile(path), offsets };
}

const quiet = { info() {}, warn() {}, error() {} };

t.test('torn write: cut at every byte offset of the last record', async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, 'j');
  const { bytes, offsets } = await build(path);
  const last = offsets.at(-1)!;
  let cuts = 0;
  for (let cut = last; cut < bytes.length; cut++) {
    await writeFile(path, bytes.subarray(0, cut));
    const warned: string[] = [];
    const j = await FileJournal.open(path, { logger: { info() {}, warn: (_o, m) => warned.push(m), error() {} } });
    if (!isDeepStrictEqual(j.recovered(), R.slice(0, -1))) t.fail(`cut at ${cut}: earlier records lost`);
    if (cut > last && !warned.includes('journal: torn last write truncated')) t.fail(`cut at ${cut}: not logged`);
    await j.close();
    if ((await readFile(path)).length !== last) t.fail(`cut at ${cut}: the tail was not truncated`);
    cuts++;
  }
  t.equal(cuts, bytes.length - last, `${cuts} cut points, each opened with the first ${R.length - 1} records`);
  // And a write after the cut lands where the record was.
  const j = await FileJournal.open(path);
  await j.append({ again: true });
  await j.close();
  t.same((await FileJournal.open(path).then(async (k) => (await k.close(), k))).recovered().at(-1), { again: true });
});

t.test('bit flip in an earlier record: refused with the offset; repair keeps every other record', async (t) => {
  const dir = await tempDir(t);
  const pristinePath = join(dir, 'pristine');
  const { bytes, offsets } = await build(pristinePath);
  const victim = 3;
  const frame = offsets[victim]!;
  const frameEnd = offsets[victim + 1]!;
  // Every bit of the header, and a bit in each payload byte.
  const flips: { byte: number; bit: number }[] = [];
  for (let b = frame; b < frame + FRAME_HEADER_BYTES; b++) for (let bit = 0; bit < 8; bit++) flips.push({ byte: b, bit });
  for (let b = frame + FRAME_HEADER_BYTES; b < frameEnd; b++) flips.push({ byte: b, bit: b % 8 });
  let refused = 0;
  let repaired = 0;
  for (const [i, f] of flips.entries()) {
    const path = join(dir, `j${i}`);
    const damaged = Buffer.from(bytes);
    damaged[f.byte]! ^= 1 << f.bit;
    await writeFile(path, damaged);
    const err = await caughtAsync(() => FileJournal.open(path));
    if (!(err instanceof JournalCorruptError) || err.offset !== frame || err.file !== path) {
      t.fail(`flip ${f.byte}.${f.bit}: ${String(err)}`);
      continue;
    }
    if (!/rovd run --repair/.test(err.message)) t.fail('the message says what to do');
    refused++;
    const j = await FileJournal.open(path, { repair: true, logger: quiet });
    const expected = R.filter((_, k) => k !== victim);
    if (!isDeepStrictEqual(j.recovered(), expected)) t.fail(`flip ${f.byte}.${f.bit}: repair kept ${JSON.stringify(j.recovered())}`);
    else repaired++;
    await j.close();
  }
  t.equal(refused, flips.length, `${flips.length} flips in record ${victim} at offset ${frame}: all refused, naming offset ${frame}`);
  t.equal(repaired, flips.length, `repair kept the other ${R.length - 1} records every time`);
});

t.test('repair: the damaged file kept aside, the span logged, a repaired journal opens plainly', async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, 'outbox.journal');
  const { bytes, offsets } = await build(path);
  const damaged = Buffer.from(bytes);
  // Two damaged records, the first and the fifth, and one garbage span inside.
  damaged[offsets[0]! + FRAME_HEADER_BYTES + 1]! ^= 0x10;
  damaged[offsets[4]! + 2]! ^= 0x01;
  await writeFile(path, damaged);
  const warned: { obj: Record<string, unknown>; msg: string }[] = [];
  const report = await repairJournal(path, { logger: { info() {}, warn: (obj, msg) => warned.push({ obj: obj as Record<string, unknown>, msg }), error() {} }, now: () => Date.UTC(2025, 0, 2, 3, 4, 5) });
  t.ok(report);
  t.equal(report!.kept, R.length - 2);
  t.same(report!.dropped.map((d) => d.offset), [offsets[0], offsets[4]]);
  t.same(report!.dropped.map((d) => d.bytes), [offsets[1]! - offsets[0]!, offsets[5]! - offsets[4]!]);
  t.equal(report!.damagedCopy, `${path}.damaged-20250102T030405000Z`);
  t.same(await readFile(report!.damagedCopy), damaged, 'the damaged file, byte for byte');
  t.match(warned[0], { msg: /repaired/, obj: { kept: 6, droppedSpans: 2 } });
  const j = await FileJournal.open(path);
  t.same(j.recovered(), R.filter((_, k) => k !== 0 && k !== 4));
  await j.close();
  t.equal(await repairJournal(path), undefined, 'an intact journal is left alone');
  t.same((await readdir(dir)).sort(), ['outbox.journal', 'outbox.journal.damaged-20250102T030405000Z']);

  await t.test('a file that is not a journal is set aside whole, a new one starts', async (t) => {
    const p2 = join(dir, 'other.journal');
    await writeFile(p2, 'hello, not a journal');
    const j2 = await FileJournal.open(p2, { repair: true, logger: quiet });
    t.same(j2.recovered(), []);
    await j2.close();
    t.same((await readFile(p2)).subarray(0, MAGIC.length), MAGIC);
    t.ok((await readdir(dir)).some((f) => f.startsWith('other.journal.damaged-')));
  });
});
