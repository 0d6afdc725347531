/**
 * The StayRTR harness against the real StayRTR: what it starts serves
 * exactly the file it wrote (checked with StayRTR's own client, rtrdump),
 * updates arrive under a new serial, a restart changes the session id, TLS
 * and SLURM work, and stop() leaves no process behind.
 */
import t from 'tap';
import { join } from 'node:path';
import { Prefix } from '../../src/net/prefix.js';
import { createServer } from 'node:net';
import { findPeer, freePort } from '../helpers/peers.js';
import { type AspaSpec, StayRtr, type VrpSpec, aspaKeys, sampleValue, stayRtrJson, syntheticVrps, vrpKeys } from '../helpers/stayrtr.js';

const VRPS: VrpSpec[] = [
  { asn: 65000, prefix: '192.0.2.0/24', maxLength: 24 },
  { asn: 65001, prefix: '198.51.100.0/22', maxLength: 24 },
  { asn: 65002, prefix: '2001:db8::/32', maxLength: 48 },
  { asn: 0, prefix: '203.0.113.0/24', maxLength: 32 },
];
const ASPAS: AspaSpec[] = [
  { customer: 65000, providers: [65010, 65011] },
  { customer: 65001, providers: [65020], afi: 'ipv6' },
];

t.test('serves the file it wrote; updates, restarts', async (t) => {
  if (!findPeer(t, 'rtrdump')) return;
  const rtr = await StayRtr.start(t, { vrps: VRPS, aspas: ASPAS });
  if (!rtr) return;
  t.ok(rtr.sessionId !== undefined, 'session id read from the log');
  t.equal(rtr.serial, 0, 'the first load is serial 0');

  const first = await rtr.dump();
  t.same(vrpKeys(first.vrps), vrpKeys(VRPS), 'rtrdump sees exactly the VRPs written');
  t.same(aspaKeys(first.aspas), aspaKeys(ASPAS), 'and the ASPAs, per family');
  t.equal(first.sessionId, rtr.sessionId, 'End of Data carries the session id from the log');

  const next = [...VRPS.slice(1), { asn: 65003, prefix: '2001:db8:1::/48', maxLength: 48 }];
  const serial = await rtr.updateVrps(next);
  t.ok(serial > first.serial!, `served under a newer serial (${first.serial} -> ${serial})`);
  const updated = await rtr.dump();
  t.same(vrpKeys(updated.vrps), vrpKeys(next), 'rtrdump sees the update');
  t.same(updated.aspas, [], 'the ASPAs are gone with the file that held them');
  t.ok(updated.serial! >= serial);

  // Without ASPAs an unchanged file keeps its serial across refreshes.
  const still = rtr.serial!;
  await rtr.waitForLog(/is identical to the previous version/);
  t.equal(rtr.serial, still, 'no serial bump on a refresh without a change');
  t.equal(await rtr.waitForSerial(still), still);

  const before = rtr.sessionId;
  const port = rtr.port;
  const session = await rtr.restart();
  t.not(session, before, `new session id after a restart (${before} -> ${session})`);
  t.equal(rtr.port, port, 'same port after a restart');
  const afterRestart = await rtr.dump();
  t.equal(afterRestart.sessionId, session);
  t.same(vrpKeys(afterRestart.vrps), vrpKeys(next), 'same data after a restart');
});

t.test('RTR version 1 carries no ASPAs; metrics count the VRPs', async (t) => {
  if (!findPeer(t, 'rtrdump')) return;
  const rtr = await StayRtr.start(t, { vrps: VRPS, aspas: ASPAS });
  if (!rtr) return;
  const v1 = await rtr.dump({ version: 1 });
  t.same(vrpKeys(v1.vrps), vrpKeys(VRPS));
  t.same(v1.aspas, [], 'ASPA PDUs exist only in version 2');
  t.equal(await rtr.metric('rpki_vrps', { ip_version: 'ipv4', filtered: 'filtered' }), 3);
  t.equal(await rtr.metric('rpki_vrps', { ip_version: 'ipv6', filtered: 'filtered' }), 1);
  t.equal(await rtr.metric('no_such_metric'), undefined);
});

t.test('RTR over TLS', async (t) => {
  if (!findPeer(t, 'rtrdump') || !findPeer(t, 'openssl')) return;
  const rtr = await StayRtr.start(t, { vrps: VRPS, tls: 'self-signed' });
  if (!rtr) return;
  t.ok(rtr.tlsPort !== undefined && rtr.tlsPort !== rtr.port);
  const dump = await rtr.dump({ tls: true });
  t.same(vrpKeys(dump.vrps), vrpKeys(VRPS));
});

t.test('SLURM applied by StayRTR', async (t) => {
  if (!findPeer(t, 'rtrdump')) return;
  const dir = t.testdir({
    'slurm.json': JSON.stringify({
      slurmVersion: 1,
      validationOutputFilters: { prefixFilters: [{ prefix: '192.0.2.0/24' }], bgpsecFilters: [] },
      locallyAddedAssertions: { prefixAssertions: [{ asn: 64511, prefix: '198.18.0.0/15', maxPrefixLength: 24 }], bgpsecAssertions: [] },
    }),
  });
  const rtr = await StayRtr.start(t, { vrps: VRPS, slurm: join(dir, 'slurm.json') });
  if (!rtr) return;
  const dump = await rtr.dump();
  const want = [...VRPS.filter((v) => v.prefix !== '192.0.2.0/24'), { asn: 64511, prefix: '198.18.0.0/15', maxLength: 24 }];
  t.same(vrpKeys(dump.vrps), vrpKeys(want));
});

/** True while a process with this id exists. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

let leftRunning: number | undefined;

t.test('stop() ends the process; teardown ends the ones left running', async (t) => {
  const rtr = await StayRtr.start(t, { vrps: VRPS });
  if (!rtr) return;
  const pid = rtr.pid!;
  t.ok(alive(pid));
  await rtr.stop();
  t.notOk(rtr.running);
  t.notOk(alive(pid), 'the process is gone');
  await rtr.stop();
  t.pass('stop() twice is harmless');
  await t.rejects(rtr.waitForSerial(99, 100), /StayRTR is not running/);

  const other = await StayRtr.start(t, { vrps: VRPS });
  leftRunning = other?.pid;
});

t.test('… checked after that test ended', async (t) => {
  if (leftRunning === undefined) return;
  t.notOk(alive(leftRunning), 'the teardown stopped it');
});

t.test('a file StayRTR refuses fails the start with its log', async (t) => {
  if (!findPeer(t, 'stayrtr')) return;
  const err = await StayRtr.start(t, { vrps: [{ asn: 1, prefix: '192.0.2.0/24', maxLength: 33 }] }).then(
    () => undefined,
    (e: unknown) => e,
  );
  t.match(err, { message: /refused the initial file: 192\.0\.2\.0\/24 Maxlength wrong: 24 - 33\n--- stayrtr -cache / });
});

t.test('entries StayRTR refuses fail the update, naming them', async (t) => {
  const rtr = await StayRtr.start(t, { vrps: VRPS });
  if (!rtr) return;
  // StayRTR itself drops bad entries one by one and serves the rest.
  const err = await rtr.updateVrps([...VRPS, { asn: 1, prefix: '10.0.0.0/8', maxLength: 40 }]).then(
    () => undefined,
    (e: unknown) => e,
  );
  t.match(err, { message: /refused update 1: 10\.0\.0\.0\/8 Maxlength wrong: 8 - 40/ });
  t.ok(rtr.running, 'StayRTR keeps running');
  t.ok((await rtr.updateVrps(VRPS)) >= 2, 'and takes the next good file');
});

t.test('syntheticVrps: distinct, valid, 70/30, reproducible', async (t) => {
  const vrps = syntheticVrps(20000, 7);
  t.equal(vrps.length, 20000);
  t.equal(vrpKeys(vrps).length, 20000, 'distinct');
  let v4 = 0;
  for (const v of vrps) {
    const p = Prefix.parse(v.prefix);
    if (p.afi === 4) v4++;
    if (p.toString() !== v.prefix || v.maxLength < p.length || v.maxLength > p.maxLength) {
      t.fail(`bad VRP ${JSON.stringify(v)}`);
      return;
    }
  }
  t.equal(v4, 14000, '70% IPv4');
  t.same(syntheticVrps(100, 1), syntheticVrps(100, 1), 'same seed, same list');
  t.not(JSON.stringify(syntheticVrps(10, 1)), JSON.stringify(syntheticVrps(10, 2)));
});

t.test('the file format and the metrics parser', async (t) => {
  const text = stayRtrJson([{ asn: 65000, prefix: '192.0.2.0/24', maxLength: 24 }], ASPAS, new Date('2024-01-02T03:04:05.678Z'));
  t.same(JSON.parse(text), {
    metadata: { buildtime: '2024-01-02T03:04:05Z', vrps: 1 },
    roas: [{ asn: 'AS65000', prefix: '192.0.2.0/24', maxLength: 24, ta: 'test' }],
    provider_authorizations: {
      ipv4: [{ customer_asid: 65000, providers: [65010, 65011] }],
      ipv6: [
        { customer_asid: 65000, providers: [65010, 65011] },
        { customer_asid: 65001, providers: [65020] },
      ],
    },
  });
  t.notMatch(stayRtrJson([]), /provider_authorizations/, 'no ASPA member without ASPAs');
  const metrics = '# HELP x\nrpki_vrps{filtered="filtered",ip_version="ipv4",path="a"} 3\nrtr_clients{bind="x"} 0\nplain 7\n';
  t.equal(sampleValue(metrics, 'rpki_vrps', { ip_version: 'ipv4' }), 3);
  t.equal(sampleValue(metrics, 'rpki_vrps', { ip_version: 'ipv6' }), undefined);
  t.equal(sampleValue(metrics, 'plain'), 7);
});

t.test('findPeer: skips with the install command, fails under ROVD_REQUIRE_PEERS=1', async (t) => {
  const saved = { path: process.env.PATH, required: process.env.ROVD_REQUIRE_PEERS };
  t.teardown(() => {
    process.env.PATH = saved.path;
    if (saved.required === undefined) delete process.env.ROVD_REQUIRE_PEERS;
    else process.env.ROVD_REQUIRE_PEERS = saved.required;
  });
  const calls: unknown[][] = [];
  const recorder = {
    pass: (...args: unknown[]) => calls.push(['pass', ...args]) > 0,
    fail: (...args: unknown[]) => calls.push(['fail', ...args]) > 0,
  } as unknown as Parameters<typeof findPeer>[0];

  process.env.PATH = t.testdir({});
  delete process.env.ROVD_REQUIRE_PEERS;
  t.equal(findPeer(recorder, 'stayrtr'), undefined);
  process.env.ROVD_REQUIRE_PEERS = '1';
  t.equal(findPeer(recorder, 'alertmanager'), undefined);
  t.same(calls, [
    ['pass', 'needs stayrtr', { skip: 'stayrtr not installed: apt-get install -y stayrtr' }],
    ['fail', 'alertmanager not installed: apt-get install -y prometheus-alertmanager; required because ROVD_REQUIRE_PEERS=1'],
  ]);
});

t.test('freePort gives a port that can be bound', async (t) => {
  const port = await freePort();
  t.ok(port > 0 && port < 65536);
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  await new Promise<void>((resolve) => server.close(() => resolve()));
  t.pass(`bound 127.0.0.1:${port}`);
});
