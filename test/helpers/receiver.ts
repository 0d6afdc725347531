/**
 * A local HTTP receiver for sink and outbox tests: node:http on 127.0.0.1,
 * port 0, recording every request (method, path, headers, raw body) and
 * answering from a script: a list of responses used in order (the last
 * repeats), or a function. `hang` never answers (for timeouts); such
 * requests are released when the server closes in the test's teardown.
 */
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  /** Date.now() when the whole body had arrived. */
  readonly at: number;
}

export type Reply = { readonly status: number; readonly body?: string; readonly headers?: Readonly<Record<string, string>> } | 'hang';

export interface Receiver {
  readonly url: string;
  readonly port: number;
  readonly requests: Received[];
  /** Replies in order; the last one repeats. */
  replies: Reply[];
  /** Resolves when `n` requests have arrived (bounded). */
  waitFor(n: number, timeoutMs?: number): Promise<Received[]>;
  close(): Promise<void>;
}

interface Teardown {
  teardown(fn: () => unknown): void;
}

export async function startReceiver(t: Teardown, replies: Reply[] = [{ status: 200, body: 'ok' }]): Promise<Receiver> {
  const requests: Received[] = [];
  const waiters: Array<() => void> = [];
  const hanging = new Set<ServerResponse>();
  const state = { replies };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const index = requests.length;
      requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() });
      const list = state.replies;
      const reply = list[Math.min(index, list.length - 1)] ?? { status: 200 };
      if (reply === 'hang') {
        hanging.add(res);
      } else {
        res.writeHead(reply.status, reply.headers ?? {});
        res.end(reply.body ?? '');
      }
      for (const w of waiters.splice(0)) w();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  let closed = false;
  const close = (): Promise<void> => {
    if (closed) return Promise.resolve();
    closed = true;
    for (const res of hanging) res.destroy();
    server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  };
  t.teardown(close);
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    get replies() {
      return state.replies;
    },
    set replies(r: Reply[]) {
      state.replies = r;
    },
    async waitFor(n: number, timeoutMs = 10_000): Promise<Received[]> {
      const deadline = Date.now() + timeoutMs;
      while (requests.length < n) {
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`receiver: ${requests.length} of ${n} requests after ${timeoutMs} ms`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          waiters.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
      return requests;
    },
    close,
  };
}
