/**
 * Regenerates the StayRTR captures in test/fixtures/rtr/. Not part of the
 * test suite: it does nothing unless ROVD_CAPTURE_STAYRTR=1 (`tap test/rtr`
 * loads every file in the folder). Starts a local StayRTR serving test/fixtures/rpki/
 * stayrtr-test.rpki.json, sends each query below on its own connection and
 * writes every byte the cache answers until End of Data, Cache Reset or an
 * Error Report. Run from the repository root:
 *
 *   ROVD_CAPTURE_STAYRTR=1 node --import ./node_modules/@tapjs/typescript/dist/esm/import.mjs test/rtr/helpers/capture-stayrtr.ts
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { fixturePath } from '../../helpers/corpus.js';

const PORT = 32323;
const QUERIES: ReadonlyArray<[string, Buffer]> = [
  ['stayrtr-0.5.1-reset-v0.bin', Buffer.from([0, 2, 0, 0, 0, 0, 0, 8])],
  ['stayrtr-0.5.1-reset-v1.bin', Buffer.from([1, 2, 0, 0, 0, 0, 0, 8])],
  ['stayrtr-0.5.1-reset-v2.bin', Buffer.from([2, 2, 0, 0, 0, 0, 0, 8])],
  ['stayrtr-0.5.1-reset-v3.bin', Buffer.from([3, 2, 0, 0, 0, 0, 0, 8])],
  ['stayrtr-0.5.1-serial-wrong-session-v1.bin', Buffer.from([1, 1, 0x12, 0x34, 0, 0, 0, 12, 0, 0, 0, 0])],
];

function exchange(query: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = connect(PORT, '127.0.0.1', () => socket.write(query));
    let got = Buffer.alloc(0);
    const done = (): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(got);
    };
    const timer = setTimeout(done, 5000);
    socket.on('data', (d: Buffer) => {
      got = Buffer.concat([got, d]);
      for (let p = 0; got.length - p >= 8 && got.length - p >= got.readUInt32BE(p + 4); p += got.readUInt32BE(p + 4)) {
        if ([7, 8, 10].includes(got[p + 1]!)) return done();
      }
    });
    socket.on('error', (e) => (got.length > 0 ? done() : reject(e)));
    socket.on('close', done);
  });
}

async function capture(): Promise<void> {
    const cache = spawn(
    'stayrtr',
    ['-bind', `127.0.0.1:${PORT}`, '-metrics.addr', `127.0.0.1:${PORT + 1}`, '-cache', fixturePath('rpki/stayrtr-test.rpki.json'), '-checktime=false', '-notifications=false'],
    { stdio: 'ignore' },
  );
  try {
    await new Promise((r) => setTimeout(r, 1500));
    for (const [name, query] of QUERIES) {
      // StayRTR closes right after an Error Report; a reset can beat the data, so retry an empty answer.
      let answer = await exchange(query);
      for (let i = 0; answer.length === 0 && i < 10; i++) answer = await exchange(query);
      if (answer.length === 0) throw new Error(`${name}: no answer from StayRTR`);
      writeFileSync(fixturePath(`rtr/${name}`), answer);
      console.log(`${name}: ${answer.length} bytes`);
    }
  } finally {
    cache.kill();
  }
}

if (process.env.ROVD_CAPTURE_STAYRTR === '1') await capture();
