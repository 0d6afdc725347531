/**
 * A BMP decoder thread, as the router session sees it: the session's bytes
 * go to a worker thread (decoder-worker.ts) that frames and decodes them
 * (BmpBatchDecoder), and its batches come back, in order, to `chunk`.
 *
 * Why: framing and decoding a full table (BMP, BGP UPDATEs, path
 * attributes, NLRI) is about a third of the CPU an ingest takes and makes
 * most of its garbage; the RIB has to stay on the main thread, the decoding
 * need not. The bytes are copied once into a buffer of their own, which is
 * transferred (a socket chunk may share its memory with others); batches
 * come back transferred too.
 *
 * Failure: the thread dying (an exception, an exit, a message that cannot
 * be read) is reported once to `failed`, with an Error naming the cause;
 * nothing is thrown into the event loop. stop() ends the thread.
 */
import { Worker } from 'node:worker_threads';
import type { BmpBatchDecoderOptions } from './batch-decoder.js';
import type { DecodedChunk, SerialisedParseError } from './route-batch.js';
// Type only, and it makes tsc build the worker's entry beside this file.
import type { DecoderRequest } from './decoder-worker.js';

export interface BmpDecoderThreadHandlers {
  /** A chunk decoded (in the order pushed). */
  readonly chunk: (chunk: DecodedChunk) => void;
  /** The answer to end(): the framing error if the stream ended inside a message. */
  readonly ended: (failure: SerialisedParseError | undefined) => void;
  /** The thread failed; no further call follows. */
  readonly failed: (error: Error) => void;
}

const ENTRY = new URL(import.meta.url.endsWith('.ts') ? './decoder-worker.ts' : './decoder-worker.js', import.meta.url);

export class BmpDecoderThread {
  private readonly worker: Worker;
  private readonly handlers: BmpDecoderThreadHandlers;
  private done = false;

  constructor(options: BmpBatchDecoderOptions, handlers: BmpDecoderThreadHandlers) {
    this.handlers = handlers;
    this.worker = new Worker(ENTRY, { workerData: options });
    this.worker.on('message', (m: { type: string; chunk?: DecodedChunk; failure?: SerialisedParseError }) => {
      if (this.done) return;
      if (m.type === 'chunk' && m.chunk !== undefined) this.handlers.chunk(m.chunk);
      else if (m.type === 'ended') this.handlers.ended(m.failure);
      else this.fail(new Error(`BMP decoder thread: unknown message ${JSON.stringify(m.type)}`));
    });
    this.worker.on('messageerror', (err) => this.fail(new Error(`BMP decoder thread: unreadable message: ${err.message}`)));
    this.worker.on('error', (err) => this.fail(new Error(`BMP decoder thread failed: ${err.message}`)));
    this.worker.on('exit', (code) => this.fail(new Error(`BMP decoder thread exited (code ${code})`)));
  }

  /** The thread itself (tests use it to make one die). */
  get thread(): Worker {
    return this.worker;
  }

  /** Sends a chunk of the stream (copied into a buffer that is transferred). */
  push(bytes: Uint8Array): void {
    if (this.done) return;
    const copy = new Uint8Array(bytes.length);
    copy.set(bytes);
    const request: DecoderRequest = { type: 'chunk', buffer: copy.buffer, length: bytes.length };
    this.worker.postMessage(request, [copy.buffer]);
  }

  /** Asks whether the stream ended inside a message (answered through `ended`, after every chunk). */
  end(): void {
    const request: DecoderRequest = { type: 'end' };
    if (!this.done) this.worker.postMessage(request);
  }

  /** Ends the thread; no handler is called after this. */
  stop(): void {
    if (this.done) return;
    this.done = true;
    void this.worker.terminate();
  }

  private fail(error: Error): void {
    if (this.done) return;
    this.done = true;
    void this.worker.terminate();
    this.handlers.failed(error);
  }
}
