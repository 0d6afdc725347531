/**
 * OPEN (RFC 4271 §4.2), capabilities (RFC 5492: 1, 2, 6, 65, 69, others raw),
 * RFC 9072 extended optional parameters, negotiate() and encodeOpen().
 */
import t from 'tap';
import { readBgpMessage } from '../../src/bgp/message.js';
import { type BgpOpen, decodeOpen, encodeOpen, encodeOpenBody, negotiate, openCapabilities } from '../../src/bgp/open.js';
import { caught } from '../helpers/errors.js';
import { hex, u16, u32 } from './helpers/build.js';

const cap = (code: number, value: number[]): number[] => [code, value.length, ...value];
const param = (caps: number[]): number[] => [2, caps.length, ...caps];
const open = (myAs: number, hold: number, id: number[], params: number[]): Uint8Array => Uint8Array.from([4, ...u16(myAs), ...u16(hold), ...id, params.length, ...params]);
const CAPS = [
  ...cap(1, [0, 1, 0, 1]),
  ...cap(1, [0, 2, 0, 1]),
  ...cap(2, []),
  ...cap(6, []),
  ...cap(65, u32(4200000000)),
  ...cap(69, [0, 1, 1, 3, 0, 2, 1, 1]),
  ...cap(64, [0x80, 0x78]),
  ...cap(128, []),
];

t.test('an OPEN with every decoded capability, and unknown ones kept raw', async (t) => {
  const o = decodeOpen(open(23456, 180, [192, 0, 2, 1], param(CAPS)));
  t.equal(o.version, 4);
  t.equal(o.myAsn, 4200000000, 'the 4-octet AS from capability 65, not AS_TRANS');
  t.equal(o.holdTime, 180);
  t.equal(o.bgpId, '192.0.2.1');
  t.equal(o.asn4, true);
  t.same(o.multiprotocol, [{ afi: 1, safi: 1 }, { afi: 2, safi: 1 }]);
  t.equal(o.routeRefresh, true);
  t.equal(o.extendedMessage, true);
  t.same(o.addPath, [
    { afi: 1, safi: 1, send: true, receive: true },
    { afi: 2, safi: 1, send: false, receive: true },
  ]);
  t.same(o.capabilities.map((c) => [c.code, [...c.value]]), [
    [1, [0, 1, 0, 1]],
    [1, [0, 2, 0, 1]],
    [2, []],
    [6, []],
    [65, u32(4200000000)],
    [69, [0, 1, 1, 3, 0, 2, 1, 1]],
    [64, [0x80, 0x78]],
    [128, []],
  ]);
});

t.test('a minimal OPEN: no optional parameters, the 2-octet AS', async (t) => {
  const o = decodeOpen(open(65001, 90, [10, 0, 0, 1], []));
  t.equal(o.myAsn, 65001);
  t.equal(o.asn4, false);
  t.equal(o.extendedMessage, false);
  t.equal(o.routeRefresh, false);
  t.same(o.multiprotocol, []);
  t.same(o.addPath, []);
  t.same(o.capabilities, []);
});

t.test('capabilities spread over several parameters, other parameter types skipped', async (t) => {
  const params = [...param(cap(65, u32(65001))), 1, 2, 0xaa, 0xbb, ...param([...cap(2, []), ...cap(1, [0, 2, 0, 1])])];
  const o = decodeOpen(open(65001, 90, [10, 0, 0, 1], params));
  t.equal(o.asn4, true);
  t.equal(o.routeRefresh, true);
  t.same(o.multiprotocol, [{ afi: 2, safi: 1 }]);
  t.equal(o.capabilities.length, 3);
});

t.test('RFC 9072: Non-Ext OP Type 255, then a 2-octet length and 2-octet parameter lengths', async (t) => {
  const caps = CAPS;
  const body = Uint8Array.from([4, ...u16(23456), ...u16(90), 192, 0, 2, 1, 255, 255, ...u16(3 + caps.length), 2, ...u16(caps.length), ...caps]);
  const o = decodeOpen(body);
  t.equal(o.myAsn, 4200000000);
  t.equal(o.capabilities.length, 8);
  t.same(o.addPath.length, 2);
  t.test('a long capability list only the extended form can carry', async (t) => {
    const many: number[] = [];
    for (let i = 0; i < 80; i++) many.push(...cap(1, [0, 1, 0, i]));
    const b = Uint8Array.from([4, ...u16(1), ...u16(90), 1, 1, 1, 1, 255, 255, ...u16(3 + many.length), 2, ...u16(many.length), ...many]);
    t.equal(decodeOpen(b).multiprotocol.length, 80);
  });
  t.test('cut or overrun extended lengths are typed errors', async (t) => {
    t.match(caught(() => decodeOpen(body.subarray(0, 12))), { kind: 'truncated', field: 'bgp.open.extendedOptionalParametersLength' });
    t.match(caught(() => decodeOpen(body.subarray(0, body.length - 1))), { kind: 'truncated', field: 'bgp.open.optionalParameters' });
  });
});

t.test('errors', async (t) => {
  const good = open(65001, 90, [10, 0, 0, 1], param(CAPS));
  t.test('cut at every byte: truncated, naming the field', async (t) => {
    for (let n = 0; n < good.length; n++) {
      const e = caught(() => decodeOpen(good.subarray(0, n), 19));
      t.match(e, { name: 'ParseError', kind: 'truncated' }, `cut at ${n}`);
    }
  });
  t.test('version other than 4: unsupported', async (t) => {
    const b = Uint8Array.from(good);
    b[0] = 3;
    t.match(caught(() => decodeOpen(b, 19)), { kind: 'unsupported', field: 'bgp.open.version', offset: 19 });
  });
  t.test('bytes after the parameters: malformed', async (t) => {
    t.match(caught(() => decodeOpen(Uint8Array.from([...good, 0]))), { kind: 'malformed', field: 'bgp.open' });
  });
  t.test('a capability that overruns its parameter', async (t) => {
    t.match(caught(() => decodeOpen(open(1, 90, [1, 1, 1, 1], [2, 3, 65, 4, 0]))), { kind: 'truncated', field: 'bgp.open.capability.value' });
  });
  t.test('known capabilities with lengths their RFC does not allow', async (t) => {
    t.match(caught(() => decodeOpen(open(1, 90, [1, 1, 1, 1], param(cap(1, [0, 1, 1]))))), { kind: 'malformed', field: 'bgp.open.capability.multiprotocol' });
    t.match(caught(() => decodeOpen(open(1, 90, [1, 1, 1, 1], param(cap(65, [0, 1]))))), { kind: 'malformed', field: 'bgp.open.capability.asn4' });
    t.match(caught(() => decodeOpen(open(1, 90, [1, 1, 1, 1], param(cap(6, [0]))))), { kind: 'malformed', field: 'bgp.open.capability.extendedMessage' });
    t.match(caught(() => decodeOpen(open(1, 90, [1, 1, 1, 1], param(cap(69, [0, 1, 1, 3, 0]))))), { kind: 'malformed', field: 'bgp.open.capability.addPath' });
  });
  t.test('ADD-PATH with a Send/Receive value outside 1..3 is ignored as not understood (RFC 7911 §4)', async (t) => {
    for (const sr of [0, 4, 255]) {
      const o = decodeOpen(open(1, 90, [1, 1, 1, 1], param(cap(69, [0, 1, 1, 3, 0, 2, 1, sr]))));
      t.same(o.addPath, [], `value ${sr}`);
      t.equal(o.capabilities.length, 1, 'kept raw');
    }
  });
  t.test('error offsets count from streamOffset', async (t) => {
    t.match(caught(() => decodeOpen(open(1, 90, [1, 1, 1, 1], param(cap(65, [0, 1]))), 19)), { offset: 19 + 10 + 2 + 2 });
  });
});

t.test('negotiate(sender, receiver)', async (t) => {
  const make = (o: { asn4?: boolean; ext?: boolean; addPath?: [number, number, number][] }): BgpOpen => {
    const caps = openCapabilities({
      asn4: o.asn4 === true ? 65001 : undefined,
      extendedMessage: o.ext,
      addPath: (o.addPath ?? []).map(([afi, safi, sr]) => ({ afi, safi, send: (sr & 2) !== 0, receive: (sr & 1) !== 0 })),
    });
    return decodeOpen(readBgpMessage(encodeOpen({ myAsn: 65001, holdTime: 90, bgpId: '10.0.0.1', capabilities: caps })).body);
  };
  t.test('4-octet AS only when both advertise it', async (t) => {
    t.equal(negotiate(make({ asn4: true }), make({ asn4: true })).asn4, true);
    t.equal(negotiate(make({ asn4: true }), make({})).asn4, false);
    t.equal(negotiate(make({}), make({ asn4: true })).asn4, false);
  });
  t.test('extended messages only when both advertise them', async (t) => {
    t.equal(negotiate(make({ ext: true }), make({ ext: true })).extendedMessage, true);
    t.equal(negotiate(make({ ext: true }), make({})).extendedMessage, false);
  });
  t.test('ADD-PATH per AFI/SAFI: the sender can send and the receiver can receive (RFC 7911 §4)', async (t) => {
    const cases: [number, number, boolean][] = [
      [2, 1, true], // send → receive
      [3, 1, true],
      [2, 3, true],
      [3, 3, true],
      [1, 1, false], // the sender only receives
      [2, 2, false], // the receiver only sends
      [1, 2, false],
      [3, 2, false],
    ];
    for (const [s, r, expected] of cases) {
      const c = negotiate(make({ addPath: [[1, 1, s]] }), make({ addPath: [[1, 1, r]] }));
      t.equal(c.addPath.has('1/1'), expected, `sender ${s}, receiver ${r}`);
    }
    const c = negotiate(make({ addPath: [[1, 1, 3], [2, 1, 2], [1, 128, 2]] }), make({ addPath: [[1, 1, 1], [2, 1, 1], [1, 2, 1]] }));
    t.same([...c.addPath].sort(), ['1/1', '2/1']);
    t.equal(negotiate(make({ addPath: [[1, 1, 3]] }), make({})).addPath.size, 0, 'the receiver does not advertise ADD-PATH');
  });
  t.test('the direction matters', async (t) => {
    const a = make({ addPath: [[2, 1, 2]] });
    const b = make({ addPath: [[2, 1, 1]] });
    t.equal(negotiate(a, b).addPath.has('2/1'), true);
    t.equal(negotiate(b, a).addPath.has('2/1'), false);
  });
});

t.test('encodeOpen', async (t) => {
  t.test('a decoded OPEN encodes back to the same bytes', async (t) => {
    const body = open(23456, 180, [192, 0, 2, 1], param(CAPS));
    const o = decodeOpen(body);
    t.equal(hex(encodeOpenBody(o)), hex(body));
    const msg = encodeOpen(o);
    t.equal(readBgpMessage(msg).type, 1);
    t.equal(hex(readBgpMessage(msg).body), hex(body));
  });
  t.test('openCapabilities builds what decodeOpen reads', async (t) => {
    const caps = openCapabilities({
      multiprotocol: [{ afi: 1, safi: 1 }, { afi: 2, safi: 1 }],
      routeRefresh: true,
      extendedMessage: true,
      asn4: 4200000000,
      addPath: [{ afi: 2, safi: 1, send: true, receive: false }],
    });
    const o = decodeOpen(encodeOpenBody({ myAsn: 4200000000, holdTime: 90, bgpId: '198.51.100.1', capabilities: caps }));
    t.equal(o.myAsn, 4200000000);
    t.same(o.multiprotocol, [{ afi: 1, safi: 1 }, { afi: 2, safi: 1 }]);
    t.same(o.addPath, [{ afi: 2, safi: 1, send: true, receive: false }]);
    t.ok(o.routeRefresh && o.extendedMessage && o.asn4);
    const body = encodeOpenBody({ myAsn: 4200000000, holdTime: 90, bgpId: '198.51.100.1', capabilities: caps });
    t.same([...body.subarray(1, 3)], u16(23456), 'My AS is AS_TRANS for a 4-octet AS (RFC 6793 §4.2.1)');
  });
  t.test('RFC 9072 form on request and when needed; one parameter per capability on request', async (t) => {
    const caps = openCapabilities({ asn4: 65001, routeRefresh: true });
    const ext = encodeOpenBody({ myAsn: 65001, holdTime: 90, bgpId: '10.0.0.1', capabilities: caps, extendedParameters: true });
    t.same([...ext.subarray(9, 11)], [255, 255]);
    t.equal(decodeOpen(ext).asn4, true);
    const many = openCapabilities({ multiprotocol: Array.from({ length: 80 }, (_, i) => ({ afi: 1, safi: i })) });
    const big = encodeOpenBody({ myAsn: 1, holdTime: 90, bgpId: '10.0.0.1', capabilities: many });
    t.equal(big[9], 255);
    t.equal(decodeOpen(big).multiprotocol.length, 80);
    const split = encodeOpenBody({ myAsn: 65001, holdTime: 90, bgpId: '10.0.0.1', capabilities: caps, parameterPerCapability: true });
    t.equal(split[9], 2 * 2 + 6 + 2, 'two parameters');
    t.same(decodeOpen(split).capabilities.map((c) => c.code), [2, 65]);
  });
  t.test('bad input is a RangeError', async (t) => {
    t.throws(() => encodeOpenBody({ myAsn: -1, holdTime: 90, bgpId: '10.0.0.1', capabilities: [] }), RangeError);
    t.throws(() => encodeOpenBody({ myAsn: 1, holdTime: 90, bgpId: '10.0.0', capabilities: [] }), RangeError);
    t.throws(() => encodeOpenBody({ myAsn: 1, holdTime: 90, bgpId: '10.0.0.1', capabilities: [{ code: 1, value: new Uint8Array(256) }] }), RangeError);
    t.throws(() => openCapabilities({ addPath: [{ afi: 1, safi: 1, send: false, receive: false }] }), RangeError);
  });
});
