/**
 * Interop with real routers: two gobgpd speakers from Debian's packages on
 * loopback. "amazon" (AS 7224) announces routes over eBGP to "customer"
 * (AS 65000), which exports BMP, pre- and post-policy, to rovd's station.
 * rovd's Adj-RIB-In must equal what `gobgp neighbor … adj-in` shows on
 * the customer router, with the RFC 6811 states the VRPs give, through
 * announcements, implicit withdrawals and withdrawals.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { parseConfig } from '../../src/config/config.js';
import { Daemon } from '../../src/daemon/daemon.js';
import type { HeldRoute } from '../../src/rib/route-event.js';
import { rovStateName } from '../../src/rov/validity.js';
import { type AdjInRoute, GoBgpPair } from '../helpers/gobgp.js';
import { sleep } from '../helpers/peers.js';

const VRPS = {
  roas: [
    { asn: 'AS65001', prefix: '192.0.2.0/24', maxLength: 24, ta: 'test' },
    { asn: 'AS64999', prefix: '198.51.100.0/22', maxLength: 24, ta: 'test' },
    { asn: 'AS65003', prefix: '2001:db8:1::/48', maxLength: 48, ta: 'test' },
  ],
};

let diagnose: () => string = () => '';

async function until(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}\n${diagnose()}`);
    await sleep(100);
  }
}

/** The daemon's routes of one RIB kind for the peer 127.0.0.2, as comparable rows. */
function held(daemon: Daemon, kind: string): HeldRoute[] {
  const tables = daemon.rib.tablesOfRouter('127.0.0.1').filter((x) => x.kind === kind && x.peer.endsWith('|127.0.0.2'));
  return tables.flatMap((table) => [...daemon.rib.routes(table)]);
}

const rowOfHeld = (r: HeldRoute) => ({
  prefix: String(r.prefix),
  asPath: r.attributes.asPath.segments.flatMap((s) => [...s.asns] as number[]),
  nextHop: r.attributes.nextHop,
  communities: [...r.attributes.communities],
});
const rowOfAdjIn = (r: AdjInRoute) => ({ prefix: r.prefix, asPath: [...r.asPath], nextHop: r.nextHop, communities: [...r.communities] });
const byPrefix = <T extends { prefix: string }>(rows: T[]) => rows.sort((a, b) => (a.prefix < b.prefix ? -1 : a.prefix > b.prefix ? 1 : 0));

t.test('rovd holds what the customer router received, validated, through announce, replace and withdraw', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'rovd-interop-'));
  await writeFile(join(dir, 'vrps.json'), JSON.stringify(VRPS));
  const config = parseConfig(
    `
rpki:
  files: [vrps.json]
bmp:
  listen: 127.0.0.1:0
  staleGraceSeconds: 1
vifs:
  - id: dxvif-interop1
    type: private
    region: us-east-1
    router: 127.0.0.1
    peers: [{ address: 127.0.0.2, asn: 7224 }]
`,
    join(dir, 'rovd.yaml'),
  );
  const daemon = new Daemon({ config, summaryIntervalMs: 0 });
  t.teardown(() => daemon.stop());
  const { bmp } = await daemon.start();
  const pair = await GoBgpPair.start(t, { bmpPort: bmp.port, bmpPolicy: 'all' });
  if (!pair) return;
  diagnose = () =>
    JSON.stringify({ tables: daemon.rib.tables().map((x) => [x.router, x.peer, x.kind, x.count()]), ingest: daemon.ingest.counters, routers: daemon.station.routers() }) + `\n${pair.output.slice(-3000)}`;

  // AS paths as the customer receives them start with 7224 (eBGP prepends the sender's AS).
  await pair.announce('192.0.2.0/24', [65001], { communities: ['65000:100'] }); // valid
  await pair.announce('198.51.100.0/24', [64500, 65002]); // invalid: AS
  await pair.announce('198.51.100.0/25', [64999]); // invalid: length (maxLength 24)
  await pair.announce('203.0.113.0/24', [64501]); // not found
  await pair.announce('2001:db8:1::/48', [65003]); // valid
  await pair.announce('2001:db8:2::/48', [65004]); // not found

  const expectStates = async (want: Record<string, string>) => {
    await until(() => held(daemon, 'adj-rib-in-pre').length === Object.keys(want).length, `${Object.keys(want).length} routes in rovd`);
    const adjIn = [...(await pair.adjIn(4)), ...(await pair.adjIn(6))];
    const pre = held(daemon, 'adj-rib-in-pre');
    t.same(byPrefix(pre.map(rowOfHeld)), byPrefix(adjIn.map(rowOfAdjIn)), 'pre-policy Adj-RIB-In equals gobgp adj-in');
    t.same(Object.fromEntries(pre.map((r) => [String(r.prefix), rovStateName(r.state)])), want, 'RFC 6811 states');
    await until(() => held(daemon, 'adj-rib-in-post').length === Object.keys(want).length, 'post-policy routes');
    t.same(byPrefix(held(daemon, 'adj-rib-in-post').map(rowOfHeld)), byPrefix(pre.map(rowOfHeld)), 'post-policy equal (no import policy)');
  };
  await expectStates({
    '192.0.2.0/24': 'valid',
    '198.51.100.0/24': 'invalid',
    '198.51.100.0/25': 'invalid',
    '203.0.113.0/24': 'not-found',
    '2001:db8:1::/48': 'valid',
    '2001:db8:2::/48': 'not-found',
  });
  t.equal(daemon.ingest.vifLabel('127.0.0.1', '127.0.0.2'), 'dxvif-interop1', 'the peer maps to its VIF');

  // Implicit withdraw: a new path replaces the held one (RFC 4271 §9.1); the hijack is fixed.
  await pair.announce('198.51.100.0/24', [64999]);
  await until(() => held(daemon, 'adj-rib-in-pre').some((r) => String(r.prefix) === '198.51.100.0/24' && rovStateName(r.state) === 'valid'), 'the replaced route');
  await pair.withdraw('203.0.113.0/24');
  await pair.withdraw('2001:db8:2::/48');
  await expectStates({
    '192.0.2.0/24': 'valid',
    '198.51.100.0/24': 'valid',
    '198.51.100.0/25': 'invalid',
    '2001:db8:1::/48': 'valid',
  });

  // The VRPs change: held routes are revalidated without any BGP change.
  await writeFile(join(dir, 'vrps.json'), JSON.stringify({ roas: [...VRPS.roas, { asn: 'AS64999', prefix: '198.51.100.0/25', maxLength: 25, ta: 'test' }] }));
  await until(() => held(daemon, 'adj-rib-in-pre').every((r) => rovStateName(r.state) === 'valid'), 'revalidation after the VRP change');
  t.pass('all four routes valid after the new ROA');

  // The router's BMP session breaks (gobgpd killed, so no Peer Down): its routes stay, stale, for the grace period, then go.
  await pair.killCustomer();
  await until(() => daemon.ingest.counters.routerDown === 1, 'router down');
  t.equal(daemon.ingest.counters.peerDown, 0, 'no Peer Down came');
  t.ok(daemon.ingest.counters.staleMarked >= 8, `routes marked stale (${daemon.ingest.counters.staleMarked})`);
  await until(() => daemon.rib.count() === 0, 'stale routes dropped after the grace period', 10_000);
  t.ok(daemon.ingest.counters.staleDropped >= 4, `stale routes withdrawn (${daemon.ingest.counters.staleDropped})`);
});
