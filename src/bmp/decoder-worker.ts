/**
 * Worker-thread entry of a BMP decoder thread (decoder-thread.ts): one
 * router's stream, framed and decoded by BmpBatchDecoder. Messages in:
 * `{ type: 'chunk', buffer, length }` (the bytes, transferred) and
 * `{ type: 'end' }`; out: `{ type: 'chunk', chunk }` (the batch buffer
 * transferred) and `{ type: 'ended', failure }`. Anything else is a bug on
 * the other side: it throws, the thread dies, and the session that owns it
 * ends with an error (never the daemon).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { BmpBatchDecoder, type BmpBatchDecoderOptions } from './batch-decoder.js';

/** What the session's side sends. */
export type DecoderRequest = { readonly type: 'chunk'; readonly buffer: ArrayBuffer; readonly length: number } | { readonly type: 'end' };

const port = parentPort!;
const decoder = new BmpBatchDecoder(workerData as BmpBatchDecoderOptions);

port.on('message', (m: DecoderRequest) => {
  if (m.type === 'chunk') {
    if (!(m.buffer instanceof ArrayBuffer) || typeof m.length !== 'number') throw new TypeError('a chunk without bytes');
    const chunk = decoder.push(new Uint8Array(m.buffer, 0, m.length));
    port.postMessage({ type: 'chunk', chunk }, [chunk.buffer]);
  } else if (m.type === 'end') {
    port.postMessage({ type: 'ended', failure: decoder.end() });
  } else {
    throw new TypeError(`unknown message ${JSON.stringify((m as { type: unknown }).type)}`);
  }
});
