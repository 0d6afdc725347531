/**
 * BmpRouterSession with `offThread`: the decoder thread (decoder-thread.ts,
 * batch-decoder.ts) gives the consumer the same stream as the in-thread
 * session: every event but Route Monitoring equal, Route Monitoring as
 * route-batch messages equal to the in-thread UPDATEs (RFC 4271 §4.3 rule
 * applied, ADD-PATH ids, End-of-RIB, RFC 7606 treat-as-withdraw,
 * nextHopOptional for the router's own tables), the same counters, the
 * same order; framing errors and a stream cut inside a message end the
 * session the same way; a thread that dies ends only its session, with an
 * error; backpressure pauses the socket.
 */
import t from 'tap';
import type { BmpEvent } from '../../src/bmp/events.js';
import { BmpRouterSession, type BmpRouterSessionOptions } from '../../src/bmp/router-session.js';
import { plain } from '../rib/fixtures.js';
import { cat } from './helpers/build.js';
import { mixedStream } from './helpers/mixed-stream.js';

/** A session recording its events; `respond` answers each delivery (a promise holds the session back). */
function session(extra: Partial<BmpRouterSessionOptions> = {}, respond: (e: BmpEvent) => Promise<void> | undefined = () => undefined): { s: BmpRouterSession; events: BmpEvent[]; down: Promise<void> } {
  const events: BmpEvent[] = [];
  let done: () => void = () => {};
  const down = new Promise<void>((r) => (done = r));
  const s = new BmpRouterSession({
    address: '203.0.113.1',
    port: 4242,
    now: () => 0,
    deliver: (e) => {
      events.push(e);
      if (e.type === 'router-down') done();
      return respond(e);
    },
    ...extra,
  });
  return { s, events, down };
}

/** The events in comparable form, route-batch messages and route-monitoring events alike as 'route'. */
function normalise(events: BmpEvent[]): unknown[] {
  const out: unknown[] = [];
  for (const e of events) {
    if (e.type === 'route-batch') {
      for (const m of e.batch.messages()) {
        out.push({ type: 'route', peer: m.peer.key, rib: m.rib, offset: m.offset, seconds: m.timestampSeconds, from: m.capabilitiesFrom, action: m.action, withdrawn: m.withdrawn.map(nl), announced: m.announced.map(nl), attributes: plain(m.attributes), endOfRib: m.endOfRib });
      }
    } else if (e.type === 'route-monitoring') {
      const u = e.update;
      const announced = new Set(u.announced.map(nl));
      out.push({
        type: 'route',
        peer: e.peer.key,
        rib: e.rib,
        offset: e.offset,
        seconds: e.header.timestampSeconds,
        from: e.capabilitiesFrom,
        action: u.action,
        withdrawn: u.withdrawn.map(nl).filter((k) => !announced.has(k)),
        announced: u.announced.map(nl),
        attributes: plain(u.attributes),
        endOfRib: u.endOfRib,
      });
    } else {
      // Bytes as arrays: a Buffer pushed in-thread, a Uint8Array view of the batch off-thread (the station hands both paths Uint8Array).
      const bytes = (v: unknown): unknown => (v !== null && typeof v === 'object' && (v as { type?: unknown }).type === 'Buffer' && Array.isArray((v as { data?: unknown }).data) ? (v as { data: unknown }).data : v);
      out.push(JSON.parse(JSON.stringify(e, (_k, v: unknown) => bytes(v instanceof Uint8Array ? [...v] : v instanceof Set ? [...v] : v instanceof Error ? { ...v, message: v.message } : v))));
    }
  }
  return out;
}
const nl = (x: { prefix: { toString(): string }; pathId: number }): string => `${x.prefix.toString()}#${x.pathId}`;

t.test('off-thread = in-thread: events, order, counters (whole stream, and cut into small pieces)', async (t) => {
  const stream = cat(...mixedStream());
  const a = session();
  a.s.push(stream);
  a.s.end();
  await a.down;
  for (const piece of [stream.length, 97]) {
    const b = session({ offThread: true });
    for (let i = 0; i < stream.length; i += piece) b.s.push(stream.subarray(i, i + piece));
    b.s.end();
    await b.down;
    t.same(normalise(b.events), normalise(a.events), `events (pieces of ${piece})`);
    t.same(b.events.at(-1), a.events.at(-1), `router-down and its counters (pieces of ${piece})`);
    t.ok(b.events.some((e) => e.type === 'route-batch'), 'route-batch events');
    t.notOk(b.events.some((e) => e.type === 'route-monitoring'), 'no route-monitoring event: every UPDATE was decoded on the thread');
  }
  const routes = normalise(a.events).filter((e) => (e as { type: string }).type === 'route') as { action: string; rib: string; announced: string[]; withdrawn: string[]; from: string }[];
  t.ok(routes.some((r) => r.from === 'fallback'), 'the stream has a message decoded without Peer Up');
  t.ok(routes.some((r) => r.rib === 'adj-rib-in-post' && r.action === 'attribute-discard' && r.announced.length === 1), 'post-policy without NEXT_HOP: kept');
  t.ok(routes.some((r) => r.rib === 'adj-rib-in-pre' && r.action === 'treat-as-withdraw' && r.withdrawn.length === 1), 'pre-policy without NEXT_HOP: treat-as-withdraw');
  t.ok(routes.some((r) => r.announced.includes('192.0.2.0/24#1') && !r.withdrawn.includes('192.0.2.0/24#1') && r.withdrawn.includes('198.51.100.0/24#1')), 'RFC 4271 §4.3');
  t.match(a.events.at(-1), { type: 'router-down', reason: { kind: 'terminated' }, counters: { afterTermination: 1, droppedUpdates: 1, withoutPeerUp: 4, endOfRib: 3, treatAsWithdraw: 1, attributeDiscard: 1 } });
});

t.test('framing errors and a stream cut inside a message end the session as in-thread', async (t) => {
  const [init, , peerUp, v4] = mixedStream();
  const cases: [string, Buffer, boolean][] = [
    ['bad version after two messages', cat(init!, peerUp!, Buffer.from([9, 0, 0, 0, 6, 0]), v4!), false],
    ['length over the cap', cat(init!, Buffer.from([3, 0x7f, 0, 0, 0, 0])), false],
    ['cut inside a message', cat(init!, peerUp!, v4!.subarray(0, 30)), true],
  ];
  for (const [what, bytes, closeWithEnd] of cases) {
    const a = session();
    a.s.push(bytes);
    if (closeWithEnd) a.s.end();
    await a.down;
    const b = session({ offThread: true });
    b.s.push(bytes);
    if (closeWithEnd) b.s.end();
    await b.down;
    t.same(normalise(b.events), normalise(a.events), what);
    const down = b.events.at(-1) as Extract<BmpEvent, { type: 'router-down' }>;
    t.match(down.reason, { kind: 'error' }, `${what}: router-down error`);
    t.equal((down.reason as { error: Error }).error.constructor.name, 'ParseError', `${what}: a ParseError again`);
  }
});

t.test('a decoder thread that dies ends its session with an error, after what it had decoded', async (t) => {
  const logs: unknown[] = [];
  const logger = { info: () => {}, debug: () => {}, warn: () => {}, error: (o: unknown, m: string) => void logs.push([o, m]) };
  const [init, , peerUp, v4] = mixedStream();
  const b = session({ offThread: true, logger: logger as never });
  b.s.push(cat(init!, peerUp!, v4!));
  await new Promise<void>((r) => {
    const check = (): void => (b.events.some((e) => e.type === 'route-batch') ? r() : void setTimeout(check, 5));
    check();
  });
  await b.s.decoderThread!.thread.terminate();
  await b.down;
  t.match(b.events.map((e) => e.type), ['router-up', 'initiation', 'peer-up', 'route-batch', 'router-down']);
  t.match(b.events.at(-1), { type: 'router-down', reason: { kind: 'error', message: /decoder thread exited/ } });
  t.match(logs, [[{ router: '203.0.113.1:4242' }, /decoder thread failed/]]);
  t.ok(b.s.isEnded);

  // A thread that throws (a message it cannot take) ends the same way.
  const c = session({ offThread: true, logger: logger as never });
  c.s.push(init!);
  c.s.decoderThread!.thread.postMessage({ type: 'nonsense' });
  await c.down;
  t.match(c.events.at(-1), { type: 'router-down', reason: { kind: 'error', message: /decoder thread failed: unknown message/ } });
});

t.test('backpressure: a pending listener pauses the session (the socket) and nothing is lost', async (t) => {
  const stream = cat(...mixedStream());
  const a = session();
  a.s.push(stream);
  a.s.end();
  await a.down;
  let release: () => void = () => {};
  let pauses = 0;
  let resumes = 0;
  const { s, events, down } = session({ offThread: true, onPause: () => pauses++, onResume: () => resumes++ }, (e) =>
    e.type === 'route-batch' && pauses === 0 ? new Promise<void>((r) => (release = r)) : undefined,
  );
  s.push(stream);
  s.end();
  await new Promise<void>((r) => {
    const check = (): void => (s.paused ? r() : void setTimeout(check, 5));
    check();
  });
  t.equal(pauses, 1, 'paused once');
  const seen = events.length;
  await new Promise((r) => setTimeout(r, 50));
  t.equal(events.length, seen, 'nothing delivered while the listener holds it');
  release();
  await down;
  t.equal(resumes, 1, 'resumed');
  t.same(normalise(events), normalise(a.events), 'the same events in the end');
});
