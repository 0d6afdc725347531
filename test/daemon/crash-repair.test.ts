/**
 * `rovd run` on a store whose alert journal is damaged before its last
 * record: the start is refused with the file, the offset and what to do;
 * `rovd run --repair` keeps every readable record, sets the damaged file
 * aside, logs what was dropped, and starts with the other alerts back.
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import t from 'tap';
import { AlertState } from '../../src/alerts/persistence.js';
import { FRAME_HEADER_BYTES } from '../../src/store/journal-frame.js';
import { FileJournal } from '../../src/store/journal.js';
import { condition, harness } from '../alerts/engine-fixtures.js';
import { runRovd } from '../helpers/rovd.js';

t.test('damaged alert journal: refused with the offset; --repair starts with every other record', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'rovd-repair-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const store = join(dir, 'state');
  await (await import('node:fs/promises')).mkdir(store);
  const path = join(store, 'alerts.journal');
  // Three alerts raised, journaled as a running daemon would (a snapshot, then events).
  const journal = await FileJournal.open(path);
  const h = harness({ holdDown: { fireMs: 3_600_000, resolveMs: 0 } }); // pending: one record per alert
  const state = new AlertState({ engine: h.engine, journal, now: h.clock.now });
  await state.start();
  const offsets: number[] = [];
  for (const prefix of ['198.51.100.0/24', '203.0.113.0/24', '192.0.2.0/24']) {
    offsets.push(journal.stats().bytes);
    h.engine.raise(condition({ labels: { prefix } }));
    await new Promise((r) => setImmediate(r));
  }
  await state.close();
  h.engine.close();
  await journal.close();
  const bytes = await readFile(path);
  const victim = offsets[1]!; // the second alert's first record
  bytes[victim + FRAME_HEADER_BYTES + 3]! ^= 0x08;
  await writeFile(path, bytes);
  await writeFile(join(dir, 'rovd.yaml'), `rpki: { files: [${JSON.stringify(join(process.cwd(), 'config/sample/vrps.json'))}] }\nbmp: { listen: "127.0.0.1:0", decodeThread: false }\nhttp: { listen: "127.0.0.1:0" }\nstore: { dir: state }\n`);

  const refused = await runRovd(['run', '--config', join(dir, 'rovd.yaml')]);
  t.equal(refused.code, 1);
  t.match(refused.err, new RegExp(`journal ${path.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: corrupt at offset ${victim}: record checksum mismatch`));
  t.match(refused.err, /rovd run --repair/);
  t.same(await readFile(path), bytes, 'the file is left as it was');

  const shutdown = new AbortController();
  const out = new PassThrough();
  let text = '';
  out.setEncoding('utf8').on('data', (s: string) => (text += s));
  const run = runRovd(['run', '--config', join(dir, 'rovd.yaml'), '--repair'], { stdout: out, shutdown: shutdown.signal });
  const started = Date.now();
  while (!text.includes('"rovd: running"') && Date.now() - started < 30_000) await new Promise((r) => setTimeout(r, 25));
  const lines = text.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  const repaired = lines.find((l) => l.msg === 'journal: repaired (damaged spans dropped, every readable record kept)');
  t.match(repaired, { journal: path, droppedSpans: 1, dropped: [{ offset: victim }] }, 'what was dropped is logged');
  const restored = lines.find((l) => l.msg === 'alerts: state restored from the journal');
  t.match(restored, { alerts: 2 }, 'the two other alerts are back');
  t.ok((await readdir(store)).some((f) => f.startsWith('alerts.journal.damaged-')), 'the damaged file is kept aside');
  shutdown.abort('test');
  t.equal((await run).code, 0);
});
