/**
 * The sources with the default parser (parseRpkiBytes) and real export
 * shapes: a Routinator `json` file on disk, an rpki-client `json` over
 * HTTP (gzip, per-entry `expires` giving expiresAt), a bad entry rejected
 * whole with the entry named, and a SourceSet over both.
 */
import t from 'tap';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { FileSource } from '../../../src/rpki/sources/file-source.js';
import { HttpSource } from '../../../src/rpki/sources/http-source.js';
import { SourceSet } from '../../../src/rpki/sources/source-set.js';
import { nextError, nextUpdate, tempDir, type Teardown, vrpList } from './helpers.js';

/** Routinator `json`: string ASNs, `ta`, metadata.generated in unix seconds. */
const routinator = (roas: readonly { asn: string; prefix: string; maxLength: number }[]): string =>
  JSON.stringify({
    metadata: { generated: 1735689600, generatedTime: '2025-01-01T00:00:00Z' },
    roas: roas.map((r) => ({ ...r, ta: 'ripe' })),
  });

/** rpki-client `json`: numeric ASNs, per-entry `expires` (unix seconds). */
const rpkiClient = (roas: readonly { asn: number; prefix: string; maxLength: number; expires: number }[]): string =>
  JSON.stringify({
    metadata: { buildmachine: 'test', buildtime: '2025-01-01T00:00:00Z', roas: roas.length },
    roas: roas.map((r) => ({ ...r, ta: 'arin' })),
  });

async function serve(t: Teardown, handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<string> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/rpki.json`;
}

t.test('FileSource reads Routinator json with the default parser; a bad entry is named', async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, 'vrps.json');
  await writeFile(path, routinator([{ asn: 'AS65000', prefix: '192.0.2.0/24', maxLength: 24 }]));
  const source = new FileSource({ path, debounceMs: 20, pollIntervalMs: 0 });
  t.teardown(() => source.stop());
  await source.start();
  t.same(vrpList(source.payload), ['AS65000 192.0.2.0/24-24']);
  t.match(source.status(), { format: 'routinator-json', loaded: true });
  t.equal(source.status().generatedAt?.toISOString(), '2025-01-01T00:00:00.000Z');

  const failed = nextError(source);
  await writeFile(join(dir, 'tmp'), routinator([
    { asn: 'AS65000', prefix: '192.0.2.0/24', maxLength: 24 },
    { asn: 'AS65001', prefix: '198.51.100.0/24', maxLength: 16 },
  ]));
  await rename(join(dir, 'tmp'), path);
  const f = await failed;
  t.match(f.error, { name: 'RpkiFormatError', source: path, entry: 'roas[1]', reason: /maxLength 16 out of range/ });
  t.same(vrpList(source.payload), ['AS65000 192.0.2.0/24-24'], 'old set kept');
  t.match(source.status().lastError, /roas\[1\]: maxLength 16/);
});

t.test('HttpSource reads gzip rpki-client json; expires gives expiresAt and staleness', async (t) => {
  const expires = 1893456000; // 2030-01-01T00:00:00Z
  const body = gzipSync(
    rpkiClient([
      { asn: 65010, prefix: '2001:db8::/32', maxLength: 48, expires },
      { asn: 65011, prefix: '203.0.113.0/24', maxLength: 24, expires: expires + 3600 },
    ]),
  );
  const url = await serve(t, (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
    res.end(body);
  });
  const source = new HttpSource({ url, intervalMs: 3_600_000, timeoutMs: 2000, maxAgeMs: 10 * 365 * 86_400_000 });
  t.teardown(() => source.stop());
  await source.start();
  t.same(vrpList(source.payload), ['AS65010 2001:db8::/32-48', 'AS65011 203.0.113.0/24-24']);
  const s = source.status(Date.parse('2029-12-31T23:59:59Z'));
  t.match(s, { format: 'rpki-client-json', stale: false });
  t.equal(s.expiresAt?.toISOString(), '2030-01-01T00:00:00.000Z', 'earliest expires');
  t.equal(source.staleReason(Date.parse('2030-01-01T00:00:00Z')), 'expired');
});

t.test('SourceSet over a JSON file and a JSON URL: one startup emit, then a delta', async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, 'local.json');
  await writeFile(path, routinator([{ asn: 'AS65000', prefix: '192.0.2.0/24', maxLength: 24 }]));
  let remote = rpkiClient([{ asn: 65001, prefix: '198.51.100.0/24', maxLength: 24, expires: 1893456000 }]);
  const url = await serve(t, (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(remote);
  });
  const file = new FileSource({ name: 'local', path, debounceMs: 20, pollIntervalMs: 0 });
  const http = new HttpSource({ name: 'remote', url, intervalMs: 3_600_000, timeoutMs: 2000 });
  const set = new SourceSet([file, http]);
  t.teardown(() => set.stop());
  let emits = 0;
  set.onUpdate(() => emits++);
  await set.start();
  t.equal(emits, 1);
  t.same(vrpList(set.payload), ['AS65000 192.0.2.0/24-24', 'AS65001 198.51.100.0/24-24']);

  remote = rpkiClient([{ asn: 65002, prefix: '198.51.100.0/24', maxLength: 24, expires: 1893456000 }]);
  const changed = nextUpdate(http);
  await http.refresh();
  await changed;
  t.equal(emits, 2);
  t.same(vrpList(set.payload), ['AS65000 192.0.2.0/24-24', 'AS65002 198.51.100.0/24-24']);
  t.match(
    set.status().map((s) => [s.name, s.format]),
    [
      ['local', 'routinator-json'],
      ['remote', 'rpki-client-json'],
    ],
  );
});
