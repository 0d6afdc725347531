/**
 * GET /api/v1/vrps/{cid} on a real Daemon: an alert's evidence names the
 * CID of the VRP set that decided it, and that CID resolves to the set
 * holding the evidence VRPs, as JSON, as a CAR of verified blocks and as
 * single DAG-CBOR blocks; unknown sets are 404, malformed identifiers 400,
 * a damaged block a 500 naming it (never wrong data).
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import * as dagCbor from '@ipld/dag-cbor';
import type { FastifyInstance } from 'fastify';
import { varint } from 'multiformats';
import { CID } from 'multiformats/cid';
import { parseConfig } from '../../src/config/config.js';
import { Daemon } from '../../src/daemon/daemon.js';
import { buildApiServer } from '../../src/http/server.js';
import { blockMatches } from '../../src/store/vrp-set-codec.js';

async function api(t: Test): Promise<{ app: FastifyInstance; daemon: Daemon; dir: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'rovd-vrps-api-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  await writeFile(
    join(dir, 'vrps.json'),
    JSON.stringify({
      roas: [
        { asn: 'AS7224', prefix: '10.0.0.0/8', maxLength: 16, ta: 'arin' },
        { asn: 'AS64500', prefix: '203.0.113.0/24', maxLength: 24, ta: 'ripe' },
        { asn: 'AS64501', prefix: '2001:db8::/32', maxLength: 48, ta: 'ripe' },
      ],
      aspas: [{ customer: 'AS64500', providers: ['AS7224'], ta: 'ripe' }],
    }),
  );
  const config = parseConfig(
    `
rpki: { files: [vrps.json] }
bmp: { listen: "127.0.0.1:0" }
store: { dir: state, keepVrpSets: 3 }
vifs:
  - { id: dxvif-a1, type: private, region: us-east-1, router: 192.0.2.1, peers: [{ address: 169.254.0.1, asn: 7224 }], awsPrefixes: [10.0.0.0/8] }
alerts:
  holdDown: { fireSeconds: 0, resolveSeconds: 0 }
`,
    join(dir, 'rovd.yaml'),
  );
  const daemon = new Daemon({ config, summaryIntervalMs: 0, alertTickMs: 20 });
  await daemon.start();
  const app = await buildApiServer({ daemon, version: '0.0.0-test' });
  t.teardown(async () => {
    await app.close();
    await daemon.stop();
  });
  return { app, daemon, dir };
}

t.test("an alert's vrpSet is a CID that resolves to the set holding its evidence VRPs", async (t) => {
  const { app, daemon, dir } = await api(t);
  const announced = await app.inject({
    method: 'POST',
    url: '/api/v1/announcements',
    headers: { 'content-type': 'application/x-ndjson' },
    payload: JSON.stringify({ action: 'announce', vif: 'dxvif-a1', prefix: '10.2.0.0/24', asPath: '7224 64511' }) + '\n',
  });
  t.equal(announced.statusCode, 200);
  await daemon.vrpSets.idle();
  let alert: { evidence: { vrpSet: string; unmatchedLength: { asn: string; prefix: string; maxLength: number }[]; details: { generation: number } } } | undefined;
  for (let i = 0; i < 50 && alert === undefined; i++) {
    alert = (await app.inject({ url: '/api/v1/alerts?type=rpki-invalid' })).json().items[0];
    if (alert === undefined) await new Promise((r) => setTimeout(r, 20));
  }
  t.ok(alert, 'the invalid route raised an alert');
  const cid = alert!.evidence.vrpSet;
  t.match(cid, /^bafyrei[a-z2-7]{52}$/);
  t.equal(alert!.evidence.details.generation, 1);
  t.equal(daemon.vrpSets.id(1), cid);

  // JSON: the set, with the VRPs the evidence lists.
  const res = await app.inject({ url: `/api/v1/vrps/${cid}` });
  t.equal(res.statusCode, 200);
  t.match(res.headers['content-type'], /^application\/json/);
  t.equal(res.headers.etag, `"${cid}"`);
  const body = res.json();
  t.match(body.metadata, { cid, counts: { vrps: 3, ipv4: 2, ipv6: 1, aspas: 1 } });
  t.ok(Date.parse(body.metadata.generatedAt) > 0);
  t.same(body.roas, [
    { asn: 'AS7224', prefix: '10.0.0.0/8', maxLength: 16, ta: 'arin' },
    { asn: 'AS64500', prefix: '203.0.113.0/24', maxLength: 24, ta: 'ripe' },
    { asn: 'AS64501', prefix: '2001:db8::/32', maxLength: 48, ta: 'ripe' },
  ]);
  t.same(body.aspas, [{ customer: 'AS64500', providers: ['AS7224'], ta: 'ripe' }]);
  for (const v of alert!.evidence.unmatchedLength) t.ok(body.roas.some((r: { asn: string; prefix: string; maxLength: number }) => r.asn === v.asn && r.prefix === v.prefix && r.maxLength === v.maxLength), `evidence VRP ${v.prefix}-${v.maxLength} ${v.asn} is in the set`);

  // CAR: header naming the root, then every block, each hashing to its CID.
  const car = await app.inject({ url: `/api/v1/vrps/${cid}`, headers: { accept: 'application/vnd.ipld.car' } });
  t.equal(car.statusCode, 200);
  t.match(car.headers['content-type'], /^application\/vnd\.ipld\.car/);
  const bytes = car.rawPayload;
  const [headerLength, n] = varint.decode(bytes);
  const header = dagCbor.decode(bytes.subarray(n, n + headerLength)) as { version: number; roots: CID[] };
  t.same([header.version, header.roots.map(String)], [1, [cid]]);
  const blocks: CID[] = [];
  for (let at = n + headerLength; at < bytes.length; ) {
    const [len, m] = varint.decode(bytes.subarray(at));
    const [block, data] = CID.decodeFirst(bytes.subarray(at + m, at + m + len));
    t.ok(blockMatches(block, data), `block ${block} verifies`);
    blocks.push(block);
    at += m + len;
  }
  t.equal(blocks[0]!.toString(), cid, 'root first');
  t.equal(blocks.length, 1 + 3, 'root, one IPv4 chunk, one IPv6 chunk, one ASPA chunk');

  // DAG-CBOR: the root block, and a child block by ?block=.
  const root = await app.inject({ url: `/api/v1/vrps/${cid}`, headers: { accept: 'application/vnd.ipld.dag-cbor' } });
  t.equal(root.statusCode, 200);
  t.equal(root.headers['content-type'], 'application/vnd.ipld.dag-cbor');
  t.ok(blockMatches(CID.parse(cid), root.rawPayload));
  t.match(dagCbor.decode(root.rawPayload), { version: 1, vrps: 3, tas: ['arin', 'ripe'] });
  const child = await app.inject({ url: `/api/v1/vrps/${cid}?block=${blocks[1]}`, headers: { accept: 'application/vnd.ipld.dag-cbor' } });
  t.equal(child.statusCode, 200);
  t.match(dagCbor.decode(child.rawPayload), { afi: 4, count: 2 });

  // Errors.
  const unknown = 'bafyreihz3jq3q2m3lm6sgc5vnzlmvm3dzkd4hbrflyr6iwfhzwvkpwnmmq';
  const nf = await app.inject({ url: `/api/v1/vrps/${unknown}` });
  t.equal(nf.statusCode, 404);
  t.match(nf.json(), { error: 'NotFound', message: `no VRP set ${unknown} is kept (rovd keeps the sets alerts name and the last store.keepVrpSets published)` });
  t.match((await app.inject({ url: `/api/v1/vrps/${cid}?block=${unknown}`, headers: { accept: 'application/vnd.ipld.dag-cbor' } })).json(), { error: 'NotFound', message: /is not part of VRP set/ });
  const bad = await app.inject({ url: '/api/v1/vrps/not-a-cid' });
  t.equal(bad.statusCode, 400);
  t.match(bad.json(), { error: 'BadRequest', message: /^params\/cid: "not-a-cid" is not a CID/ });
  t.match((await app.inject({ url: '/api/v1/vrps/QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG' })).json(), { error: 'BadRequest', message: /is not a VRP set identifier \(CIDv1, dag-cbor, sha2-256\)/ });
  t.match((await app.inject({ url: `/api/v1/vrps/${cid}?block=${blocks[1]}` })).json(), { error: 'BadRequest', message: /only with Accept: application\/vnd\.ipld\.dag-cbor/ });
  t.match((await app.inject({ url: `/api/v1/vrps/${cid}?other=1` })).json(), { error: 'BadRequest' });

  // A damaged block on disk: a 500 naming it, not wrong data.
  const path = join(dir, 'state', 'vrp-sets', 'blocks', blocks[1]!.toString());
  const damaged = await readFile(path);
  damaged[damaged.length - 1] ^= 0xff;
  await writeFile(path, damaged);
  const broken = await app.inject({ url: `/api/v1/vrps/${cid}` });
  t.equal(broken.statusCode, 500);
  t.match(broken.json(), { error: 'InternalError', message: new RegExp(`${blocks[1]} is damaged`) });
});
