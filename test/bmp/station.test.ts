/**
 * The station over real TCP on 127.0.0.1: a good router and one sending
 * garbage at once (the garbage one is closed with an error event, the good
 * one keeps flowing), a source outside `allow` refused, backpressure
 * reaching the router through TCP, listener errors contained, stop().
 */
import { type Socket, connect } from 'node:net';
import t from 'tap';
import type { BmpEvent } from '../../src/bmp/events.js';
import { BmpStation, normaliseAddress } from '../../src/bmp/station.js';
import { Prefix } from '../../src/net/prefix.js';
import type { Logger } from '../../src/rpki/sources/source.js';
import { BGP_UPDATE, attr, bgp, bmp, cat, ipv4, nlri4, openBody, peerUpBody, perPeer, tlv, u16, u32, u8, updateBody } from './helpers/build.js';
import { until as pollUntil } from '../helpers/until.js';

const LOOPBACK = [Prefix.parse('127.0.0.0/8')];
const INIT = bmp(4, cat(tlv(1, 'test'), tlv(2, 'router-a')));
const PEER_UP = bmp(3, cat(perPeer(), peerUpBody(openBody({ asn: 65000 }), openBody({ asn: 64500 }))));
const rm = (prefix: string): Buffer => bmp(0, cat(perPeer(), bgp(BGP_UPDATE, updateBody({ nlri: [prefix] }))));

interface Captured {
  readonly events: BmpEvent[];
  readonly logs: Array<[string, object, string]>;
  readonly logger: Logger;
}

function capture(): Captured {
  const logs: Array<[string, object, string]> = [];
  return {
    events: [],
    logs,
    logger: {
      info: (o, m) => void logs.push(['info', o, m]),
      warn: (o, m) => void logs.push(['warn', o, m]),
      error: (o, m) => void logs.push(['error', o, m]),
    },
  };
}

/** Resolves when `check` holds, polling on each event-loop turn; fails after `ms`. */
/** The shared poller (test/helpers/until.ts) with this file's bound. */
const until = (check: () => boolean, what: string, timeoutMs = 15_000): Promise<void> => pollUntil(check, what, timeoutMs, 5);

function dial(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port }, () => resolve(socket));
    socket.on('error', reject);
  });
}

const closed = (s: Socket): Promise<void> => new Promise((r) => (s.destroyed ? r() : s.once('close', () => r())));

t.test('a garbage router is closed with an error; the good one keeps flowing', async (t) => {
  const c = capture();
  const station = new BmpStation({ host: '127.0.0.1', port: 0, allow: LOOPBACK, logger: c.logger });
  station.onEvent((e) => void c.events.push(e));
  const { port } = await station.start();
  t.teardown(() => station.stop());
  t.ok(port > 0);

  const good = await dial(port);
  const bad = await dial(port);
  const goodPort = good.localPort;
  const badPort = bad.localPort;
  good.write(cat(INIT, PEER_UP, rm('192.0.2.0/24')));
  bad.write(Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'));
  await closed(bad);
  await until(() => c.events.some((e) => e.type === 'route-monitoring'), 'the good router\'s route');

  const badDown = c.events.find((e) => e.type === 'router-down');
  t.match(badDown, { reason: { kind: 'error', error: { kind: 'unsupported', field: 'bmp.header.version' } } });
  t.equal(badDown?.router.port, badPort);
  t.ok(c.logs.some(([level, o, m]) => level === 'warn' && /broken stream/.test(m) && (o as { router: string }).router === badDown?.router.id));

  // The good router goes on after the bad one is gone.
  good.write(cat(rm('198.51.100.0/24'), rm('203.0.113.0/24')));
  await until(() => c.events.filter((e) => e.type === 'route-monitoring').length === 3, 'three routes');
  const routes = c.events.filter((e) => e.type === 'route-monitoring').map((e) => (e.type === 'route-monitoring' ? String(e.update.announced[0]!.prefix) : ''));
  t.same(routes, ['192.0.2.0/24', '198.51.100.0/24', '203.0.113.0/24']);
  const goodRm = c.events.find((e) => e.type === 'route-monitoring');
  t.match(goodRm, { router: { address: '127.0.0.1', port: goodPort, sysName: 'router-a' }, capabilitiesFrom: 'peer-up' });
  t.equal(station.routers().length, 1);
  t.match(station.routers()[0], { router: { sysName: 'router-a' }, counters: { routeMonitoring: 3 }, peers: 1, paused: false });

  good.end();
  await until(() => c.events.filter((e) => e.type === 'router-down').length === 2, 'the good router\'s end');
  t.match(c.events.at(-1), { type: 'router-down', reason: { kind: 'closed' }, router: { port: goodPort } });
  t.equal(station.routers().length, 0);
});

t.test('a source outside `allow` is refused and logged', async (t) => {
  const c = capture();
  const station = new BmpStation({ host: '127.0.0.1', port: 0, allow: [Prefix.parse('192.0.2.0/24'), Prefix.parse('2001:db8::/32')], logger: c.logger });
  station.onEvent((e) => void c.events.push(e));
  const { port } = await station.start();
  t.teardown(() => station.stop());
  const s = await dial(port);
  s.write(INIT);
  await closed(s);
  t.equal(station.refused, 1);
  t.same(c.events, [], 'no event: the router never existed for the consumer');
  t.ok(c.logs.some(([level, o]) => level === 'warn' && (o as { address: string }).address === '127.0.0.1'));

  const none = new BmpStation({ host: '127.0.0.1', port: 0, allow: [] });
  const { port: p2 } = await none.start();
  t.teardown(() => none.stop());
  await closed(await dial(p2));
  t.equal(none.refused, 1, 'an empty allow list admits nobody');
});

t.test('maxRouters: one more connection is refused', async (t) => {
  const station = new BmpStation({ host: '127.0.0.1', port: 0, allow: LOOPBACK, maxRouters: 1 });
  const { port } = await station.start();
  t.teardown(() => station.stop());
  const first = await dial(port);
  await until(() => station.routers().length === 1, 'the first router');
  await closed(await dial(port));
  t.equal(station.refused, 1);
  t.equal(station.routers().length, 1);
  first.destroy();
});

t.test('backpressure: a slow consumer pauses the router\'s socket; nothing is lost', async (t) => {
  const station = new BmpStation({ host: '127.0.0.1', port: 0, allow: LOOPBACK });
  let release: (() => void) | undefined;
  let routes = 0;
  station.onEvent((e) => {
    if (e.type !== 'route-monitoring') return;
    routes++;
    if (routes === 1) return new Promise<void>((r) => (release = r));
  });
  const { port } = await station.start();
  t.teardown(() => station.stop());
  const client = await dial(port);
  // UPDATEs of ~3 KB (one prefix and a large unknown optional transitive attribute), 256 to a batch of ~800 KB.
  const attrs = cat(attr(0x40, 1, u8(0)), attr(0x40, 2, cat(u8(2), u8(1), u32(64500))), attr(0x40, 3, ipv4('192.0.2.1')), attr(0xc0, 250, Buffer.alloc(3000, 7)));
  const bigUpdate = bmp(0, cat(perPeer(), bgp(BGP_UPDATE, cat(u16(0), u16(attrs.length), attrs, nlri4('10.0.0.0/8')))));
  const batch = cat(...Array.from({ length: 256 }, () => bigUpdate));
  const total = 64;
  let written = 0;
  // Write until TCP pushes back on the client (its buffer grows) or everything is out.
  while (written < total && client.writableLength < 4 * batch.length) {
    client.write(batch);
    written++;
    await new Promise((r) => setTimeout(r, 2));
  }
  await until(() => release !== undefined, 'the first route held');
  const status = station.routers()[0]!;
  t.ok(status.paused, 'the router\'s delivery waits on the consumer');
  t.ok(client.writableLength > 0, `TCP backpressure reached the sender (${client.writableLength} bytes queued there)`);
  t.ok(written < total, `the sender was held back after ${written} of ${total} batches`);
  t.ok(status.counters.bytes < written * batch.length, `the station read ${status.counters.bytes} of ${written * batch.length} bytes written`);
  t.equal(routes, 1, 'no further event while the consumer is busy');
  release!();
  while (written < total) {
    client.write(batch);
    written++;
  }
  await until(() => routes === total * 256, `all ${total * 256} UPDATEs`, 30000);
  t.equal(station.routers()[0]!.counters.announced, total * 256);
  client.destroy();
});

t.test('listener errors are contained; stop() ends every session', async (t) => {
  const c = capture();
  const station = new BmpStation({ host: '127.0.0.1', port: 0, allow: LOOPBACK, logger: c.logger });
  const events: BmpEvent[] = [];
  station.onEvent(() => {
    throw new Error('consumer bug');
  });
  const off = station.onEvent((e) => void events.push(e));
  const { port } = await station.start();
  const s = await dial(port);
  s.write(cat(INIT, rm('192.0.2.0/24')));
  await until(() => events.some((e) => e.type === 'route-monitoring'), 'the route despite the throwing listener');
  t.ok(station.routers()[0]!.counters.listenerErrors >= 2);
  t.ok(c.logs.some(([level, , m]) => level === 'error' && /listener failed/.test(m)));
  await station.stop();
  await closed(s);
  t.match(events.at(-1), { type: 'router-down', reason: { kind: 'stopped' } });
  t.equal(station.routers().length, 0);
  off();
  await station.stop();
  t.pass('stop() twice is harmless');
});

t.test('options are validated; addresses normalised', async (t) => {
  t.throws(() => new BmpStation({ host: '', port: 0, allow: [] }), TypeError);
  t.throws(() => new BmpStation({ host: '127.0.0.1', port: 70000, allow: [] }), RangeError);
  t.throws(() => new BmpStation({ host: '127.0.0.1', port: 0, allow: ['127.0.0.1/8' as unknown as Prefix] }), TypeError);
  t.throws(() => new BmpStation({ host: '127.0.0.1', port: 0, allow: [], maxMessageBytes: 10 }), RangeError);
  t.throws(() => new BmpStation({ host: '127.0.0.1', port: 0, allow: [], maxRouters: 0 }), RangeError);
  t.equal(normaliseAddress('::ffff:192.0.2.1'), '192.0.2.1');
  t.equal(normaliseAddress('FE80::1%eth0'), 'fe80::1');
  t.equal(normaliseAddress('2001:db8::1'), '2001:db8::1');
  const s = new BmpStation({ host: '127.0.0.1', port: 0, allow: [] });
  await s.start();
  await t.rejects(s.start(), /already started/);
  await s.stop();
});
