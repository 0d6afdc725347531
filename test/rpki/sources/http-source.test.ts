/**
 * HttpSource against a local node:http server on 127.0.0.1 (port 0): first
 * load, 304 via ETag and via Last-Modified (the conditional headers are
 * checked on the server side), non-2xx, timeout, a streamed body over
 * maxBytes, gzip, a bad body rejected whole, polling, and stop() aborting
 * a request in flight.
 */
import t from 'tap';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { HttpSource, type HttpSourceOptions } from '../../../src/rpki/sources/http-source.js';
import { caught } from '../../helpers/errors.js';
import { lines, nextError, nextUpdate, parseLines, recordingLogger, type Teardown, vrpList } from './helpers.js';

const V1 = ['192.0.2.0/24 24 65000'];
const V2 = ['192.0.2.0/24 24 65000', '198.51.100.0/24 24 65002'];

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

interface TestServer {
  readonly url: string;
  /** Request headers, one entry per request, in order. */
  readonly requests: IncomingHttpHeaders[];
  handler: Handler;
}

async function serve(t: Teardown, handler: Handler): Promise<TestServer> {
  const requests: IncomingHttpHeaders[] = [];
  const state: { handler: Handler } = { handler };
  const server = createServer((req, res) => {
    requests.push(req.headers);
    state.handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/vrps`,
    requests,
    get handler() {
      return state.handler;
    },
    set handler(h: Handler) {
      state.handler = h;
    },
  };
}

function source(t: Teardown, url: string, options: Partial<HttpSourceOptions> = {}): HttpSource {
  // A long interval: tests drive attempts with refresh().
  const s = new HttpSource({ url, parse: parseLines, intervalMs: 3_600_000, timeoutMs: 2000, ...options });
  t.teardown(() => s.stop());
  return s;
}

const send =
  (body: string, headers: Record<string, string> = {}): Handler =>
  (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': String(Buffer.byteLength(body)), ...headers });
    res.end(body);
  };

t.test('first load, then 304 via ETag keeps the set and counts as success', async (t) => {
  let clock = 5_000;
  const srv = await serve(t, (req, res) => {
    if (req.headers['if-none-match'] === '"v1"') {
      res.writeHead(304, { etag: '"v1"' });
      res.end();
      return;
    }
    send(lines(V1), { etag: '"v1"' })(req, res);
  });
  const s = source(t, srv.url, { now: () => clock });
  await s.start();
  t.same(vrpList(s.payload), ['AS65000 192.0.2.0/24-24']);
  t.equal(srv.requests[0]!['if-none-match'], undefined, 'nothing conditional on the first request');
  t.match(srv.requests[0]!['accept-encoding'], /gzip/);

  const payload = s.payload;
  let updates = 0;
  s.onUpdate(() => updates++);
  clock = 9_000;
  await s.refresh();
  t.equal(srv.requests[1]!['if-none-match'], '"v1"', 'If-None-Match sent');
  t.equal(s.payload, payload);
  t.equal(updates, 0);
  t.match(s.status(), { loadsOk: 1, unchanged: 1, failures: 0, lastResult: 'unchanged' });
  t.equal(s.status().lastSuccessAt?.getTime(), 9_000);
  t.equal(s.status().lastChangeAt?.getTime(), 5_000);
});

t.test('304 via Last-Modified', async (t) => {
  const stamp = 'Wed, 01 Jan 2025 00:00:00 GMT';
  const srv = await serve(t, (req, res) => {
    if (req.headers['if-modified-since'] === stamp) {
      res.writeHead(304);
      res.end();
      return;
    }
    send(lines(V1), { 'last-modified': stamp })(req, res);
  });
  const s = source(t, srv.url);
  await s.start();
  await s.refresh();
  t.equal(srv.requests[1]!['if-modified-since'], stamp, 'If-Modified-Since sent verbatim');
  t.equal(srv.requests[1]!['if-none-match'], undefined);
  t.match(s.status(), { loadsOk: 1, unchanged: 1, lastResult: 'unchanged' });
});

t.test('a 200 with new content replaces the set and reports the previous one', async (t) => {
  let body = lines(V1);
  const srv = await serve(t, (req, res) => send(body)(req, res));
  const s = source(t, srv.url);
  await s.start();
  body = lines(V2);
  const changed = nextUpdate(s, 2000);
  await s.refresh();
  const u = await changed;
  t.same(vrpList(u.payload), ['AS65000 192.0.2.0/24-24', 'AS65002 198.51.100.0/24-24']);
  t.same(vrpList(u.previous), ['AS65000 192.0.2.0/24-24']);
  // The same content again is a successful load without an update.
  let updates = 0;
  s.onUpdate(() => updates++);
  await s.refresh();
  t.equal(updates, 0);
  t.match(s.status(), { loadsOk: 3, lastResult: 'loaded' });
});

t.test('a 500 is a failure with the status; the old set stays', async (t) => {
  const srv = await serve(t, send(lines(V1)));
  const s = source(t, srv.url);
  await s.start();
  const payload = s.payload;
  srv.handler = (_req, res) => {
    res.writeHead(500, 'Internal Server Error');
    res.end('boom');
  };
  const failed = nextError(s, 2000);
  await s.refresh();
  const f = await failed;
  t.match(f.error, { name: 'SourceError', status: 500, message: /HTTP 500 Internal Server Error/ });
  t.equal(s.payload, payload);
  t.match(s.status(), { failures: 1, loadsOk: 1, lastResult: 'failed', lastError: /HTTP 500/ });
});

t.test('a server that never answers times out', async (t) => {
  const srv = await serve(t, () => {
    /* never respond */
  });
  const s = source(t, srv.url, { timeoutMs: 200 });
  const started = Date.now();
  await s.start();
  t.ok(Date.now() - started < 1500, 'gave up promptly');
  t.match(s.status(), { loaded: false, failures: 1, lastResult: 'failed', lastError: /timed out after 200 ms/ });
});

t.test('a body that stalls mid-stream also times out', async (t) => {
  const srv = await serve(t, (_req, res) => {
    res.writeHead(200);
    res.write('#vrps\n');
  });
  const s = source(t, srv.url, { timeoutMs: 200 });
  await s.start();
  t.match(s.status().lastError, /timed out after 200 ms/);
});

t.test('a chunked body over maxBytes is aborted while streaming', async (t) => {
  let sent = 0;
  let closed = false;
  const chunk = Buffer.alloc(16 * 1024, 0x20);
  const srv = await serve(t, (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' }); // no Content-Length: chunked
    res.on('close', () => (closed = true));
    const pump = (): void => {
      // Up to 64 MiB if nobody stops us.
      while (!closed && sent < 64 * 1024 * 1024) {
        sent += chunk.length;
        if (!res.write(chunk)) {
          res.once('drain', pump);
          return;
        }
      }
      if (!closed) res.end();
    };
    pump();
  });
  const s = source(t, srv.url, { maxBytes: 100_000 });
  await s.start();
  t.match(s.status(), { loaded: false, lastResult: 'failed', lastError: /over maxBytes 100000; aborted after \d+ bytes/ });
  t.ok(sent < 8 * 1024 * 1024, `server stopped early (sent ${sent} bytes)`);
});

t.test('a declared Content-Length over maxBytes is refused up front', async (t) => {
  const srv = await serve(t, send('#vrps\n' + ' '.repeat(500)));
  const s = source(t, srv.url, { maxBytes: 100 });
  await s.start();
  t.match(s.status().lastError, /Content-Length\) is over maxBytes 100/);
});

t.test('gzip bodies are decoded, and the limit counts decoded bytes', async (t) => {
  const body = lines(V2);
  const srv = await serve(t, (_req, res) => {
    res.writeHead(200, { 'content-encoding': 'gzip' });
    res.end(gzipSync(body));
  });
  const ok = source(t, srv.url);
  await ok.start();
  t.equal(ok.payload?.vrps.size, 2);
  const small = source(t, srv.url, { maxBytes: body.length - 1 });
  await small.start();
  t.match(small.status().lastError, /over maxBytes/);
});

t.test('a bad body keeps the old set, and its validators are not kept', async (t) => {
  const log = recordingLogger();
  const srv = await serve(t, send(lines(V1), { etag: '"good"' }));
  const s = source(t, srv.url, { logger: log, name: 'upstream' });
  await s.start();
  const payload = s.payload;
  srv.handler = send(lines(['192.0.2.0/33 33 65000']), { etag: '"bad"' });
  await s.refresh();
  t.equal(s.payload, payload);
  t.match(s.status(), { name: 'upstream', lastResult: 'failed', failures: 1, lastError: /line 2: .*invalid prefix/ });
  t.ok(log.lines.some((l) => l.level === 'error' && l.msg === 'source load rejected'));
  // The next request still says "I hold the good one".
  await s.refresh();
  t.equal(srv.requests[2]!['if-none-match'], '"good"');
});

t.test('polls on intervalMs, and retries on retryIntervalMs after a failure', async (t) => {
  let n = 0;
  const srv = await serve(t, (req, res) => {
    n++;
    if (n === 1) {
      res.writeHead(503);
      res.end();
      return;
    }
    send(lines(V1))(req, res);
  });
  const s = source(t, srv.url, { intervalMs: 3_600_000, retryIntervalMs: 20 });
  const loaded = nextUpdate(s, 2000);
  await s.start();
  t.match(s.status().lastError, /HTTP 503/);
  await loaded;
  t.equal(n, 2);

  const polled = await serve(t, send(lines(V1)));
  const p = source(t, polled.url, { intervalMs: 20 });
  await p.start();
  const deadline = Date.now() + 2000;
  while (polled.requests.length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  t.ok(polled.requests.length >= 3, 'polled again');
});

t.test('stop() aborts a request in flight and records nothing', async (t) => {
  let got: () => void = () => {};
  const arrived = new Promise<void>((r) => (got = r));
  const srv = await serve(t, () => got());
  const s = source(t, srv.url, { timeoutMs: 60_000 });
  const starting = s.start();
  await arrived;
  await s.stop();
  await starting;
  t.match(s.status(), { failures: 0, lastResult: undefined, lastAttemptAt: undefined });
});

t.test('a connection refused is a failure naming the cause', async (t) => {
  // A port that was free a moment ago (fetch refuses "bad ports" like 1).
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  const s = source(t, `http://127.0.0.1:${port}/vrps`);
  await s.start();
  t.match(s.status().lastError, /GET http:\/\/127.0.0.1:\d+\/vrps failed: fetch failed: .*ECONNREFUSED/);
});

t.test('bad options are refused, naming the key', async (t) => {
  t.match(caught(() => new HttpSource({ url: 'ftp://x/', parse: parseLines })), { name: 'SourceConfigError', key: 'url' });
  t.match(caught(() => new HttpSource({ url: 'not a url', parse: parseLines })), { key: 'url' });
  t.match(caught(() => new HttpSource({ url: 'https://u:p@x/', parse: parseLines })), { key: 'url', message: /credentials/ });
  t.match(caught(() => new HttpSource({ url: 'https://x/', parse: parseLines, timeoutMs: 0 })), { key: 'timeoutMs' });
  t.match(caught(() => new HttpSource({ url: 'https://x/', parse: parseLines, intervalMs: Number.NaN })), { key: 'intervalMs' });
  t.match(caught(() => new HttpSource({ url: 'https://x/', parse: parseLines, maxBytes: -5 })), { key: 'maxBytes' });
  const s = new HttpSource({ url: 'https://example.net/vrps.json', parse: parseLines, intervalMs: 120_000 });
  t.match(s, { name: 'https://example.net/vrps.json', kind: 'http', intervalMs: 120_000, retryIntervalMs: 60_000, timeoutMs: 60_000 });
});
