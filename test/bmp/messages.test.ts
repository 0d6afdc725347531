/**
 * decodeBmpMessage with hand-written bytes, grouped by message type and
 * field: the per-peer header and each flag, Initiation, Termination, Peer
 * Down (every reason), Statistics (every shape), Route Mirroring, Route
 * Monitoring framing (v3, both v4 layouts), unknown types; and the typed
 * error for each malformed field.
 */
import t from 'tap';
import { decodeBmpMessage, type BmpMessage } from '../../src/bmp/message.js';
import type { BmpFrame } from '../../src/bmp/framer.js';
import { PeerHeaderCache, formatDistinguisher } from '../../src/bmp/per-peer-header.js';
import { caught } from '../helpers/errors.js';
import {
  BGP_NOTIFICATION,
  BGP_OPEN,
  BGP_UPDATE,
  bgp,
  bmp,
  cat,
  ipv4,
  perPeer,
  rd0,
  tlv,
  tlvIndexed,
  u16,
  u32,
  u64,
  u8,
  updateBody,
} from './helpers/build.js';

function decode(bytes: Buffer, offset = 0, cache?: PeerHeaderCache): BmpMessage {
  const frame: BmpFrame = { bytes, offset, version: bytes[0]!, type: bytes[5]! };
  return decodeBmpMessage(frame, cache);
}

function as<T extends BmpMessage['type']>(m: BmpMessage, type: T): Extract<BmpMessage, { type: T }> {
  if (m.type !== type) throw new Error(`expected ${type}, got ${m.type}`);
  return m as Extract<BmpMessage, { type: T }>;
}

const UPDATE = bgp(BGP_UPDATE, updateBody({ nlri: ['198.51.100.0/24'] }));

t.test('per-peer header: every field', async (t) => {
  const m = as(decode(bmp(0, cat(perPeer({ type: 0, flags: 0, address: '203.0.113.9', asn: 4200000000, bgpId: '10.0.0.1', seconds: 1700000001, micros: 999999 }), UPDATE))), 'route-monitoring');
  const h = m.message.header;
  t.same(
    { ...h.peer },
    { key: '0|0:0:0|203.0.113.9', type: 0, distinguisher: '0:0:0', address: '203.0.113.9', asn: 4200000000, bgpId: '10.0.0.1' },
  );
  t.equal(h.timestampSeconds, 1700000001);
  t.equal(h.timestampMicros, 999999);
  t.equal(h.flags, 0);
  t.ok(Object.isFrozen(h.peer));
});

t.test('per-peer header flags: V, L, A, O and the RIB they select', async (t) => {
  const cases: Array<[number, string, Record<string, boolean>]> = [
    [0x00, 'adj-rib-in-pre', { ipv6: false, postPolicy: false, legacyAs2: false, adjRibOut: false }],
    [0x80, 'adj-rib-in-pre', { ipv6: true }],
    [0x40, 'adj-rib-in-post', { postPolicy: true }],
    [0x20, 'adj-rib-in-pre', { legacyAs2: true }],
    [0x10, 'adj-rib-out-pre', { adjRibOut: true }],
    [0x50, 'adj-rib-out-post', { postPolicy: true, adjRibOut: true }],
    [0xf0, 'adj-rib-out-post', { ipv6: true, postPolicy: true, legacyAs2: true, adjRibOut: true, filtered: false }],
  ];
  for (const [flags, rib, expected] of cases) {
    const address = flags & 0x80 ? '2001:db8::7' : '192.0.2.7';
    const h = as(decode(bmp(0, cat(perPeer({ flags, address }), UPDATE))), 'route-monitoring').message.header;
    t.equal(h.rib, rib, `flags 0x${flags.toString(16)}`);
    t.match(h, expected);
    t.equal(h.peer.address, address);
  }
});

t.test('peer types: RD instance distinguisher, local instance, Loc-RIB with the F flag', async (t) => {
  const rd = as(decode(bmp(0, cat(perPeer({ type: 1, rd: rd0(64499, 94), address: '192.0.33.181' }), UPDATE))), 'route-monitoring').message.header;
  t.equal(rd.peer.distinguisher, '0:64499:94');
  t.equal(rd.peer.key, '1|0:64499:94|192.0.33.181');
  const local = as(decode(bmp(0, cat(perPeer({ type: 2, rd: Buffer.from([0, 9, 1, 2, 3, 4, 5, 6]) }), UPDATE))), 'route-monitoring').message.header;
  t.equal(local.peer.distinguisher, '0x0009010203040506', 'a locally defined distinguisher, as hex');
  // Loc-RIB: flags byte 0x80 is F (filtered), not V; address zero.
  const loc = as(decode(bmp(0, cat(perPeer({ type: 3, flags: 0x80, address: '0.0.0.0' }), UPDATE))), 'route-monitoring').message.header;
  t.match(loc, { rib: 'loc-rib', filtered: true, ipv6: false, postPolicy: false, adjRibOut: false, legacyAs2: false });
  t.equal(loc.peer.address, '0.0.0.0');
  const locUnfiltered = as(decode(bmp(0, cat(perPeer({ type: 3, flags: 0x00, address: '0.0.0.0' }), UPDATE))), 'route-monitoring').message.header;
  t.equal(locUnfiltered.filtered, false);
});

t.test('route distinguisher text: types 0, 1, 2', async (t) => {
  t.equal(formatDistinguisher(rd0(65000, 4294967295)), '0:65000:4294967295');
  t.equal(formatDistinguisher(cat(u16(1), ipv4('192.0.2.1'), u16(7))), '1:192.0.2.1:7');
  t.equal(formatDistinguisher(cat(u16(2), u32(4226809947), u16(13))), '2:4226809947:13');
  t.equal(formatDistinguisher(Buffer.alloc(8)), '0:0:0');
});

t.test('per-peer header cache: the same identity reuses the peer object; a change makes a new one', async (t) => {
  const cache = new PeerHeaderCache();
  const a = as(decode(bmp(0, cat(perPeer({ seconds: 1 }), UPDATE)), 0, cache), 'route-monitoring').message.header;
  const b = as(decode(bmp(0, cat(perPeer({ seconds: 2, flags: 0x40 }), UPDATE)), 0, cache), 'route-monitoring').message.header;
  t.equal(a.peer, b.peer, 'timestamp and L flag differ, identity the same');
  t.equal(b.timestampSeconds, 2);
  const c = as(decode(bmp(0, cat(perPeer({ asn: 1 }), UPDATE)), 0, cache), 'route-monitoring').message.header;
  t.not(c.peer, a.peer);
  t.equal(c.peer.asn, 1);
  // Same bytes, V flag toggled: the address reads differently, so a new identity.
  const d = as(decode(bmp(0, cat(perPeer({ asn: 1, flags: 0x80, address: '::c000:201' }), UPDATE)), 0, cache), 'route-monitoring').message.header;
  t.not(d.peer, c.peer);
  t.equal(d.peer.address, '::c000:201');
});

t.test('per-peer header truncated', async (t) => {
  t.match(caught(() => decode(bmp(0, perPeer().subarray(0, 41)), 1000)), { kind: 'truncated', field: 'bmp.peer', offset: 1006, required: 42, remaining: 41 });
});

t.test('Initiation: sysName, sysDescr, strings, unknown TLVs', async (t) => {
  const m = as(decode(bmp(4, cat(tlv(0, 'hello'), tlv(1, 'Cisco IOS XR'), tlv(2, 'r1.example'), tlv(0, 'again'), tlv(99, 'x')))), 'initiation');
  t.same(
    { sysName: m.message.sysName, sysDescr: m.message.sysDescr, strings: m.message.strings, unknown: m.message.unknownTlvs, tlvs: m.message.tlvs.length },
    { sysName: 'r1.example', sysDescr: 'Cisco IOS XR', strings: ['hello', 'again'], unknown: 1, tlvs: 5 },
  );
  const empty = as(decode(bmp(4, Buffer.alloc(0))), 'initiation');
  t.equal(empty.message.sysName, undefined);
  t.equal(as(decode(bmp(4, tlv(2, Buffer.from([0xff, 0x41])))), 'initiation').message.sysName, '\ufffdA', 'bad UTF-8 does not throw');
});

t.test('Initiation: a TLV longer than the message is truncated, naming the TLV', async (t) => {
  const bytes = bmp(4, cat(tlv(2, 'abc'), u16(1), u16(50), Buffer.from('short')));
  t.match(caught(() => decode(bytes, 10)), { kind: 'truncated', field: 'bmp.initiation.tlv.value', offset: 10 + 6 + 7 + 4, required: 50, remaining: 5 });
  t.match(caught(() => decode(bmp(4, Buffer.from([0, 1, 0])))), { kind: 'truncated', field: 'bmp.initiation.tlv.length' });
});

t.test('Termination: reason codes and strings; a reason of the wrong length is malformed', async (t) => {
  for (const [code, name] of [
    [0, 'administratively-closed'],
    [1, 'unspecified'],
    [2, 'out-of-resources'],
    [3, 'redundant-connection'],
    [4, 'permanently-administratively-closed'],
    [77, 'reason-77'],
  ] as const) {
    const m = as(decode(bmp(5, cat(tlv(0, 'bye'), tlv(1, u16(code))))), 'termination');
    t.match(m.message, { reason: code, reasonName: name, strings: ['bye'] });
  }
  t.equal(as(decode(bmp(5, tlv(0, 'only a string'))), 'termination').message.reason, undefined);
  t.match(caught(() => decode(bmp(5, tlv(1, u32(1))))), { kind: 'malformed', field: 'bmp.termination.reason', offset: 8 });
});

t.test('Peer Down: every reason with its data', async (t) => {
  const notification = bgp(BGP_NOTIFICATION, cat(u8(6), u8(2), Buffer.from('shut')));
  const r1 = as(decode(bmp(2, cat(perPeer(), u8(1), notification))), 'peer-down').message;
  t.match(r1, { reason: 1, reasonName: 'local-notification', notification: { code: 6, subcode: 2 } });
  t.equal(Buffer.from(r1.notification!.data).toString(), 'shut');
  const r2 = as(decode(bmp(2, cat(perPeer(), u8(2), u16(18)))), 'peer-down').message;
  t.match(r2, { reason: 2, fsmEvent: 18, notification: undefined });
  const r3 = as(decode(bmp(2, cat(perPeer(), u8(3), bgp(BGP_NOTIFICATION, cat(u8(4), u8(0)))))), 'peer-down').message;
  t.match(r3, { reason: 3, reasonName: 'remote-notification', notification: { code: 4, subcode: 0 } });
  t.match(as(decode(bmp(2, cat(perPeer(), u8(4)))), 'peer-down').message, { reason: 4, reasonName: 'remote-no-notification', data: undefined });
  t.match(as(decode(bmp(2, cat(perPeer(), u8(5)))), 'peer-down').message, { reason: 5, reasonName: 'peer-deconfigured' });
  const r6 = as(decode(bmp(2, cat(perPeer({ type: 3 }), u8(6), tlv(3, 'vrf-blue')))), 'peer-down').message;
  t.match(r6, { reason: 6, reasonName: 'local-tlv', vrfTableName: 'vrf-blue' });
  t.equal(r6.tlvs.length, 1);
  const r7 = as(decode(bmp(2, cat(perPeer(), u8(7), Buffer.from([1, 2, 3])))), 'peer-down').message;
  t.match(r7, { reason: 7, reasonName: 'reason-7' });
  t.same([...r7.data!], [1, 2, 3], 'unknown reason: data kept raw');
});

t.test('Peer Down: trailing bytes kept (v3), TLVs read (v4); broken NOTIFICATION is typed', async (t) => {
  t.same([...as(decode(bmp(2, cat(perPeer(), u8(4), u8(9)))), 'peer-down').message.data!], [9]);
  const v4 = as(decode(bmp(2, cat(perPeer(), u8(2), u16(1), tlv(3, 'red')), 4)), 'peer-down').message;
  t.equal(v4.vrfTableName, 'red');
  t.match(caught(() => decode(bmp(2, cat(perPeer(), u8(1), bgp(BGP_OPEN, Buffer.alloc(10)))))), {
    kind: 'malformed',
    field: 'bmp.peerDown.notification.type',
  });
  t.match(caught(() => decode(bmp(2, cat(perPeer(), u8(1), bgp(BGP_NOTIFICATION, u8(6)))))), { kind: 'truncated', field: 'bmp.peerDown.notification.code' });
  t.match(caught(() => decode(bmp(2, cat(perPeer(), u8(2), u8(0))))), { kind: 'truncated', field: 'bmp.peerDown.fsmEvent' });
  const badMarker = bgp(BGP_NOTIFICATION, cat(u8(6), u8(2)));
  badMarker[3] = 0;
  t.match(caught(() => decode(bmp(2, cat(perPeer(), u8(3), badMarker)), 0)), { kind: 'malformed', field: 'bgp.header.marker', offset: 6 + 42 + 1 + 3 });
});

t.test('Statistics: 32-bit counters, 64-bit gauges, per-AFI/SAFI gauges, unknown types', async (t) => {
  const stats = [
    tlv(0, u32(1)),
    tlv(2, u32(49575)),
    tlv(7, u64(5000000000n)),
    tlv(9, cat(u16(2), u8(1), u64(12345n))),
    tlv(11, u32(3)),
    tlv(13, u32(4)),
    tlv(14, u64(10n)),
    tlv(17, cat(u16(1), u8(128), u64(77n))),
    tlv(65531, Buffer.from([1, 2, 3])),
  ];
  const m = as(decode(bmp(1, cat(perPeer(), u32(stats.length), ...stats))), 'statistics-report').message;
  t.same(
    m.stats.map((s) => [s.type, s.name, s.shape, s.value, s.afi, s.safi]),
    [
      [0, 'rejectedPrefixes', 'counter32', 1, undefined, undefined],
      [2, 'duplicateWithdraws', 'counter32', 49575, undefined, undefined],
      [7, 'adjRibInRoutes', 'gauge64', 5000000000, undefined, undefined],
      [9, 'adjRibInRoutesPerAfiSafi', 'afiSafiGauge64', 12345, 2, 1],
      [11, 'treatAsWithdrawUpdates', 'counter32', 3, undefined, undefined],
      [13, 'duplicateUpdates', 'counter32', 4, undefined, undefined],
      [14, 'adjRibOutPreRoutes', 'gauge64', 10, undefined, undefined],
      [17, 'adjRibOutPostRoutesPerAfiSafi', 'afiSafiGauge64', 77, 1, 128],
      [65531, 'stat-65531', undefined, undefined, undefined, undefined],
    ],
  );
  t.equal(m.unknownStats, 1);
  t.same([...m.stats[8]!.raw], [1, 2, 3]);
});

t.test('Statistics: wrong lengths, a huge count, trailing bytes', async (t) => {
  t.match(caught(() => decode(bmp(1, cat(perPeer(), u32(1), tlv(7, u32(1)))))), {
    kind: 'malformed',
    field: 'bmp.stats.length',
    offset: 6 + 42 + 4 + 2,
    message: /adjRibInRoutes \(7\) has length 4, expected 8/,
  });
  t.match(caught(() => decode(bmp(1, cat(perPeer(), u32(0xffffffff), tlv(0, u32(1)))))), { kind: 'truncated', field: 'bmp.stats.type' });
  t.match(caught(() => decode(bmp(1, cat(perPeer(), u32(1), tlv(0, u32(1)), u8(0))))), { kind: 'malformed', field: 'bmp.stats' });
  const v4 = as(decode(bmp(1, cat(perPeer(), u32(1), tlv(0, u32(1)), tlv(1, 'x')), 4)), 'statistics-report').message;
  t.equal(v4.tlvs.length, 1, 'version 4: TLVs after the statistics');
});

t.test('Route Mirroring: BGP message and information TLVs, counted', async (t) => {
  const m = as(decode(bmp(6, cat(perPeer(), tlv(0, UPDATE), tlv(1, u16(1)), tlv(1, u16(0))))), 'route-mirroring').message;
  t.equal(m.messages, 1);
  t.same(m.information, [1, 0]);
  t.match(caught(() => decode(bmp(6, cat(perPeer(), u16(0), u16(100))))), { kind: 'truncated', field: 'bmp.mirroring.tlv.value' });
});

t.test('Route Monitoring v3: exactly one UPDATE', async (t) => {
  const m = as(decode(bmp(0, cat(perPeer(), UPDATE)), 500), 'route-monitoring').message;
  t.equal(m.update.offset, 500 + 48);
  t.equal(m.update.type, 2);
  t.same(Buffer.from(m.update.body), UPDATE.subarray(19));
  t.same(m.tlvs, []);
  t.match(caught(() => decode(bmp(0, cat(perPeer(), UPDATE, u8(0))))), { kind: 'malformed', field: 'bmp.routeMonitoring' });
  t.match(caught(() => decode(bmp(0, cat(perPeer(), bgp(BGP_OPEN, Buffer.alloc(10)))))), { kind: 'malformed', field: 'bmp.routeMonitoring.update.type' });
  t.match(caught(() => decode(bmp(0, cat(perPeer(), UPDATE.subarray(0, 30))))), { kind: 'truncated', field: 'bgp.body' });
  t.match(caught(() => decode(bmp(0, perPeer()))), { kind: 'truncated', field: 'bmp.routeMonitoring.update' });
});

t.test('Route Monitoring v4, early layout: UPDATE then TLVs without index (Huawei VRP 8.2)', async (t) => {
  const pathMarking = cat(u16(1), u16(1), u16(8), u32(1), u32(4));
  const m = as(decode(bmp(0, cat(perPeer(), UPDATE, tlv(0, pathMarking)), 4)), 'route-monitoring').message;
  t.same(Buffer.from(m.update.body), UPDATE.subarray(19));
  t.equal(m.tlvs.length, 1);
  t.match(m.tlvs[0], { type: 0, index: undefined });
  t.match(caught(() => decode(bmp(0, cat(perPeer(), UPDATE, u16(0), u16(10)), 4))), { kind: 'truncated', field: 'bmp.routeMonitoring.tlv.value' });
});

t.test('Route Monitoring v4, TLV layout: the BGP Message TLV found by its marker, other TLVs kept', async (t) => {
  const m = as(decode(bmp(0, cat(perPeer(), tlvIndexed(3, 0, Buffer.from('vrf')), tlvIndexed(4, 0, UPDATE), tlvIndexed(2, 0, u16(1))), 4), 0), 'route-monitoring').message;
  t.same(Buffer.from(m.update.body), UPDATE.subarray(19));
  t.equal(m.update.offset, 6 + 42 + 9 + 6);
  t.same(m.tlvs.map((x) => [x.type, x.index]), [
    [3, 0],
    [2, 0],
  ]);
  t.match(caught(() => decode(bmp(0, cat(perPeer(), tlvIndexed(3, 0, Buffer.from('vrf'))), 4))), { kind: 'malformed', message: /no BGP Message TLV/ });
  t.match(caught(() => decode(bmp(0, cat(perPeer(), tlvIndexed(4, 0, UPDATE), tlvIndexed(7, 0, UPDATE)), 4))), { kind: 'malformed', message: /a second BGP Message TLV/ });
  t.match(caught(() => decode(bmp(0, cat(perPeer(), tlvIndexed(4, 0, cat(UPDATE, u8(1)))), 4))), { kind: 'malformed', field: 'bmp.routeMonitoring.update' });
});

t.test('unknown message types are returned, not errors; an empty common header body is fine', async (t) => {
  t.match(decode(bmp(100, Buffer.from('anything'))), { type: 'unknown', code: 100 });
  t.match(decode(bmp(4, Buffer.alloc(0), 4)), { type: 'initiation', version: 4 });
});
