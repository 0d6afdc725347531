/**
 * BmpRouterSession: which capabilities decode which RIB (Adj-RIB-In from the
 * peer's OPEN, Adj-RIB-Out from the router's, Loc-RIB from the fabricated
 * OPEN, the A flag per message), the fallback without Peer Up, a broken
 * UPDATE dropped while the stream goes on, framing errors ending the
 * session, Termination, guarded listeners, and backpressure.
 */
import t from 'tap';
import type { BmpEvent, BmpRouteMonitoringEvent } from '../../src/bmp/events.js';
import { BmpRouterSession, type BmpRouterSessionOptions } from '../../src/bmp/router-session.js';
import {
  BGP_UPDATE,
  attr,
  bgp,
  bmp,
  cat,
  ipv4,
  nlri4,
  openBody,
  peerUpBody,
  perPeer,
  tlv,
  u16,
  u32,
  u8,
  updateBody,
} from './helpers/build.js';

const PEER = { address: '192.0.2.1', asn: 64501, bgpId: '192.0.2.1' };
const INIT = bmp(4, cat(tlv(1, 'test router'), tlv(2, 'r1')));

function session(extra: Partial<BmpRouterSessionOptions> = {}): { s: BmpRouterSession; events: BmpEvent[] } {
  const events: BmpEvent[] = [];
  const s = new BmpRouterSession({ address: '203.0.113.1', port: 4242, deliver: (e) => void events.push(e), ...extra });
  return { s, events };
}

const rms = (events: BmpEvent[]): BmpRouteMonitoringEvent[] => events.filter((e): e is BmpRouteMonitoringEvent => e.type === 'route-monitoring');

/** An UPDATE body announcing IPv4 NLRI with ADD-PATH path identifiers (RFC 7911 §3). */
function addPathUpdate(entries: Array<[number, string]>): Buffer {
  const attrs = cat(attr(0x40, 1, u8(0)), attr(0x40, 2, cat(u8(2), u8(1), u32(64501))), attr(0x40, 3, ipv4('192.0.2.1')));
  return cat(u16(0), u16(attrs.length), attrs, ...entries.map(([id, p]) => cat(u32(id), nlri4(p))));
}

t.test('Peer Up: Adj-RIB-In uses the peer\'s OPEN as sender, Adj-RIB-Out the router\'s', async (t) => {
  // The router can receive ADD-PATH IPv4 unicast (1), the peer can send it (2): on for Adj-RIB-In only.
  const sent = openBody({ asn: 65000, addPath: [{ afi: 1, safi: 1, sendReceive: 1 }] });
  const received = openBody({ asn: 64501, addPath: [{ afi: 1, safi: 1, sendReceive: 2 }] });
  const { s, events } = session();
  s.push(cat(INIT, bmp(3, cat(perPeer(PEER), peerUpBody(sent, received)))));
  const up = events.find((e) => e.type === 'peer-up');
  t.ok(up?.type === 'peer-up');
  if (up?.type !== 'peer-up') return;
  t.same([...up.capabilities.adjRibIn.addPath], ['1/1']);
  t.same([...up.capabilities.adjRibOut.addPath], []);
  t.equal(up.capabilities.adjRibIn.asn4, true);
  t.equal(up.peerUp.sentOpen.myAsn, 65000);
  t.equal(up.peerUp.receivedOpen.myAsn, 64501);
  t.match(up.peerUp, { localAddress: '192.0.2.254', localPort: 179, remotePort: 50000 });

  // Pre-policy Adj-RIB-In: path identifiers read.
  s.push(bmp(0, cat(perPeer(PEER), bgp(BGP_UPDATE, addPathUpdate([[7, '198.51.100.0/24'], [8, '198.51.100.0/24']])))));
  // Adj-RIB-Out (O flag): no ADD-PATH, plain NLRI.
  s.push(bmp(0, cat(perPeer({ ...PEER, flags: 0x10 }), bgp(BGP_UPDATE, updateBody({ nlri: ['203.0.113.0/24'], asPath: [65000] })))));
  const [inRm, outRm] = rms(events);
  t.same(inRm!.update.announced.map((n) => [String(n.prefix), n.pathId]), [
    ['198.51.100.0/24', 7],
    ['198.51.100.0/24', 8],
  ]);
  t.equal(inRm!.rib, 'adj-rib-in-pre');
  t.equal(inRm!.capabilitiesFrom, 'peer-up');
  t.same(outRm!.update.announced.map((n) => [String(n.prefix), n.pathId]), [['203.0.113.0/24', 0]]);
  t.equal(outRm!.rib, 'adj-rib-out-pre');
  t.equal(s.counters.withoutPeerUp, 0);
});

t.test('Peer Up for Loc-RIB: the fabricated OPEN\'s own capabilities decode Loc-RIB', async (t) => {
  const fabricated = openBody({ asn: 65000, addPath: [{ afi: 1, safi: 1, sendReceive: 2 }] });
  const loc = { type: 3, address: '0.0.0.0', asn: 65000, bgpId: '192.0.2.254' };
  const { s, events } = session();
  s.push(cat(INIT, bmp(3, cat(perPeer(loc), peerUpBody(fabricated, fabricated, { local: '0.0.0.0', localPort: 0, remotePort: 0, tlvs: [tlv(3, 'global')] })))));
  s.push(bmp(0, cat(perPeer({ ...loc, flags: 0x80 }), bgp(BGP_UPDATE, addPathUpdate([[1, '192.0.2.0/24']])))));
  const up = events.find((e) => e.type === 'peer-up');
  t.match(up, { type: 'peer-up', peerUp: { vrfTableName: 'global', localAddress: '0.0.0.0' } });
  const [rm] = rms(events);
  t.match(rm, { rib: 'loc-rib', header: { filtered: true }, capabilitiesFrom: 'peer-up' });
  t.same(rm!.update.announced.map((n) => [String(n.prefix), n.pathId]), [['192.0.2.0/24', 1]]);
});

t.test('the A flag decides the AS number width per message', async (t) => {
  const { s, events } = session();
  s.push(cat(INIT, bmp(3, cat(perPeer(PEER), peerUpBody(openBody(), openBody({ asn: 64501 }))))));
  s.push(bmp(0, cat(perPeer({ ...PEER, flags: 0x20 }), bgp(BGP_UPDATE, updateBody({ nlri: ['198.51.100.0/24'], asPath: [64501, 3356], asn4: false })))));
  s.push(bmp(0, cat(perPeer(PEER), bgp(BGP_UPDATE, updateBody({ nlri: ['198.51.100.0/24'], asPath: [64501, 4200000000] })))));
  const [as2, as4] = rms(events);
  t.same(as2!.update.attributes!.asPath.segments[0]!.asns, [64501, 3356]);
  t.equal(as2!.capabilities.asn4, false);
  t.same(as4!.update.attributes!.asPath.segments[0]!.asns, [64501, 4200000000]);
  t.equal(as4!.capabilities.asn4, true);
  t.equal(s.counters.droppedUpdates, 0);
});

t.test('without Peer Up: the A flag, no ADD-PATH, counted', async (t) => {
  const { s, events } = session();
  s.push(bmp(0, cat(perPeer({ ...PEER, flags: 0x20 }), bgp(BGP_UPDATE, updateBody({ nlri: ['198.51.100.0/24'], asPath: [64501], asn4: false })))));
  s.push(bmp(0, cat(perPeer({ type: 3, address: '0.0.0.0' }), bgp(BGP_UPDATE, updateBody({ nlri: ['198.51.100.0/24'], asPath: [4200000000] })))));
  const [a, b] = rms(events);
  t.match(a, { capabilitiesFrom: 'fallback', capabilities: { asn4: false } });
  t.same(a!.update.attributes!.asPath.segments[0]!.asns, [64501]);
  t.match(b, { capabilitiesFrom: 'fallback', capabilities: { asn4: true }, rib: 'loc-rib' });
  t.equal(s.counters.withoutPeerUp, 2);
  t.equal(events[0]!.type, 'router-up', 'router-up comes first even without Initiation');
});

t.test('Peer Down forgets the peer\'s capabilities', async (t) => {
  const { s, events } = session();
  s.push(bmp(3, cat(perPeer(PEER), peerUpBody(openBody({ addPath: [{ afi: 1, safi: 1, sendReceive: 3 }] }), openBody({ addPath: [{ afi: 1, safi: 1, sendReceive: 3 }] })))));
  t.equal(s.peerCount, 1);
  s.push(bmp(2, cat(perPeer(PEER), u8(4))));
  t.equal(s.peerCount, 0);
  s.push(bmp(0, cat(perPeer(PEER), bgp(BGP_UPDATE, updateBody({ nlri: ['198.51.100.0/24'] })))));
  t.match(events.find((e) => e.type === 'peer-down'), { peerDown: { reason: 4 }, peer: { address: '192.0.2.1' } });
  t.equal(rms(events)[0]!.capabilitiesFrom, 'fallback');
});

t.test('a broken UPDATE is dropped with router, peer and offset; the stream goes on', async (t) => {
  const { s, events } = session();
  const good = bmp(0, cat(perPeer(PEER), bgp(BGP_UPDATE, updateBody({ nlri: ['198.51.100.0/24'] }))));
  // Withdrawn Routes Length overruns the message: RFC 7606 session-reset, a BgpUpdateError.
  const broken = bmp(0, cat(perPeer(PEER), bgp(BGP_UPDATE, cat(u16(200), u16(0)))));
  // A malformed Initiation TLV: that message only.
  const badInit = bmp(4, cat(u16(2), u16(99), Buffer.from('x')));
  s.push(cat(good, broken, badInit, good));
  const dropped = events.filter((e) => e.type === 'message-dropped');
  t.equal(dropped.length, 2);
  t.match(dropped[0], { messageType: 'route-monitoring', offset: good.length, peer: { address: '192.0.2.1' }, error: { kind: 'malformed' } });
  t.match(dropped[1], { messageType: 'initiation', offset: good.length + broken.length, peer: undefined, error: { kind: 'truncated', field: 'bmp.initiation.tlv.value' } });
  t.equal(rms(events).length, 2, 'both good messages delivered');
  t.match(s.counters, { malformedMessages: 2, droppedUpdates: 1, routeMonitoring: 3, announced: 2, messages: 4 });
  t.equal(s.isEnded, false);
});

t.test('a framing error delivers what came before, then ends the session', async (t) => {
  let ended = 0;
  const { s, events } = session({ onEnded: () => ended++ });
  const good = bmp(0, cat(perPeer(PEER), bgp(BGP_UPDATE, updateBody({ nlri: ['198.51.100.0/24'] }))));
  s.push(cat(INIT, good, Buffer.from([3, 0xff, 0xff, 0xff, 0xff, 0])));
  t.same(events.map((e) => e.type), ['router-up', 'initiation', 'route-monitoring', 'router-down']);
  t.match(events.at(-1), { reason: { kind: 'error', error: { kind: 'malformed', field: 'bmp.header.length', offset: INIT.length + good.length + 1 } } });
  t.equal(ended, 1);
  t.ok(s.isEnded);
  s.push(good);
  s.end();
  t.equal(events.length, 4, 'nothing after router-down');
});

t.test('end(): closed, truncated inside a message, or terminated', async (t) => {
  const a = session();
  a.s.push(INIT);
  a.s.end('ECONNRESET');
  t.match(a.events.at(-1), { type: 'router-down', reason: { kind: 'closed', message: 'ECONNRESET' }, router: { sysName: 'r1', sysDescr: 'test router' } });

  const b = session();
  b.s.push(INIT.subarray(0, 10));
  b.s.end();
  t.match(b.events.at(-1), { type: 'router-down', reason: { kind: 'error', error: { kind: 'truncated', field: 'bmp.message' } } });

  const c = session();
  c.s.push(cat(INIT, bmp(5, cat(tlv(0, 'maintenance'), tlv(1, u16(0)))), INIT));
  c.s.end();
  t.match(c.events.at(-1), { type: 'router-down', reason: { kind: 'terminated', termination: { reason: 0, reasonName: 'administratively-closed', strings: ['maintenance'] } } });
  t.equal(c.s.counters.afterTermination, 1);

  const d = session();
  d.s.push(INIT);
  d.s.stop();
  d.s.stop();
  t.match(d.events.at(-1), { type: 'router-down', reason: { kind: 'stopped' } });
  t.equal(d.events.filter((e) => e.type === 'router-down').length, 1);
});

t.test('unknown message types and TLVs are skipped and counted; Route Mirroring counted', async (t) => {
  const { s, events } = session();
  s.push(cat(bmp(42, Buffer.from('future')), bmp(4, cat(tlv(2, 'r'), tlv(77, 'x'))), bmp(6, cat(perPeer(), tlv(1, u16(1))))));
  t.match(s.counters, { unknownMessageTypes: 1, unknownTlvs: 1, routeMirroring: 1, messages: 3, malformedMessages: 0 });
  t.same(events.map((e) => e.type), ['router-up', 'initiation']);
});

t.test('a throwing or rejecting listener is counted; delivery goes on', async (t) => {
  let calls = 0;
  const { s } = session({
    deliver: (e) => {
      calls++;
      if (e.type === 'initiation') throw new Error('boom');
      if (e.type === 'route-monitoring') return Promise.reject(new Error('async boom'));
    },
  });
  s.push(cat(INIT, bmp(0, cat(perPeer(PEER), bgp(BGP_UPDATE, updateBody({ nlri: ['198.51.100.0/24'] })))), INIT));
  await new Promise((r) => setImmediate(r));
  t.equal(s.counters.listenerErrors, 3, 'two throws, one rejection');
  t.equal(calls, 4, 'router-up, initiation, route-monitoring, initiation');
});

t.test('backpressure: a pending promise pauses delivery; it resumes in order', async (t) => {
  const seen: string[] = [];
  let release: (() => void) | undefined;
  let pauses = 0;
  let resumes = 0;
  const s = new BmpRouterSession({
    address: '203.0.113.1',
    port: 1,
    deliver: (e) => {
      seen.push(e.type === 'route-monitoring' ? String(e.update.announced[0]!.prefix) : e.type);
      if (e.type === 'route-monitoring' && release === undefined) return new Promise<void>((r) => (release = r));
    },
    onPause: () => pauses++,
    onResume: () => resumes++,
  });
  const rm = (p: string) => bmp(0, cat(perPeer(PEER), bgp(BGP_UPDATE, updateBody({ nlri: [p] }))));
  s.push(cat(rm('192.0.2.0/24'), rm('198.51.100.0/24')));
  t.ok(s.paused);
  t.equal(pauses, 1);
  s.push(rm('203.0.113.0/24'));
  s.end();
  t.same(seen, ['router-up', '192.0.2.0/24'], 'nothing more while the consumer is busy');
  release!();
  await new Promise((r) => setImmediate(r));
  t.same(seen, ['router-up', '192.0.2.0/24', '198.51.100.0/24', '203.0.113.0/24', 'router-down']);
  t.equal(resumes, 1);
  t.notOk(s.paused);
});
