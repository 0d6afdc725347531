/**
 * encodeUpdate / encodePathAttributes: exact bytes for a hand-checked case,
 * and decode(encode(x)) = x for random UPDATEs on random session
 * capabilities; encode(decode(bytes)) = bytes for the encoder's own output.
 */
import t from 'tap';
import { AsPath, type AsPathSegment } from '../../src/bgp/as-path.js';
import { decodePathAttributes, encodePathAttributes, type Origin, type PathAttributesInput } from '../../src/bgp/attributes.js';
import { capabilities, type SessionCapabilities } from '../../src/bgp/capabilities.js';
import { readBgpMessage } from '../../src/bgp/message.js';
import { type BgpUpdate, decodeUpdate, encodeUpdate, encodeUpdateBody, type Nlri, type UpdateInput } from '../../src/bgp/update.js';
import type { Asn } from '../../src/net/asn.js';
import { Prefix } from '../../src/net/prefix.js';
import { pick, randomInt, seededRandom } from '../helpers/random.js';
import { CAPS2, CAPS4, hex } from './helpers/build.js';

const nlri = (text: string, pathId = 0): Nlri => ({ prefix: Prefix.parse(text), pathId });

t.test('exact bytes of a small IPv4 announcement', async (t) => {
  const bytes = encodeUpdate(
    { announced: [nlri('10.0.0.0/8'), nlri('192.0.2.0/24')], withdrawn: [nlri('198.51.100.0/24')], attributes: { origin: 'igp', asPath: AsPath.parse('65001 65002'), nextHop: '192.0.2.1', med: 10, communities: [0xffffff01] } },
    CAPS4,
  );
  t.equal(
    hex(bytes),
    'ffffffffffffffffffffffffffffffff' + // marker
      '0047' + '02' + // length 71, UPDATE
      '0004' + '18c63364' + // withdrawn: 198.51.100.0/24
      '0026' + // 38 octets of attributes: 4 + 13 + 7 + 7 + 7
      '400101' + '00' + // ORIGIN IGP
      '40020a' + '0202' + '0000fde9' + '0000fdea' + // AS_PATH sequence 65001 65002
      '400304' + 'c0000201' + // NEXT_HOP 192.0.2.1
      '800404' + '0000000a' + // MED 10
      'c00804' + 'ffffff01' + // COMMUNITIES NO_EXPORT
      '080a' + '18c00002', // NLRI 10/8, 192.0.2/24
  );
});

t.test('IPv6: MP_REACH_NLRI and MP_UNREACH_NLRI come first, with a link-local next hop', async (t) => {
  const body = encodeUpdateBody(
    { announced: [nlri('2001:db8::/32')], withdrawn: [nlri('2001:db8:1::/48')], attributes: { origin: 'igp', asPath: AsPath.parse('65001'), nextHop: '2001:db8::1', linkLocalNextHop: 'fe80::1' } },
    CAPS4,
  );
  t.equal(body[4], 0x80, 'MP_REACH_NLRI flags');
  t.equal(body[5], 14, 'MP_REACH_NLRI first');
  const u = decodeUpdate(body, CAPS4);
  t.same(u.announced.map((n) => n.prefix.toString()), ['2001:db8::/32']);
  t.same(u.withdrawn.map((n) => n.prefix.toString()), ['2001:db8:1::/48']);
  t.equal(u.attributes?.nextHop, '2001:db8::1');
  t.equal(u.attributes?.linkLocalNextHop, 'fe80::1');
});

t.test('options: IPv4 in MP_REACH (with an IPv6 next hop, RFC 8950), a separate MP next hop', async (t) => {
  const a = decodeUpdate(encodeUpdateBody({ announced: [nlri('10.0.0.0/8')], attributes: { origin: 'igp', asPath: AsPath.EMPTY, nextHop: '2001:db8::1' } }, CAPS4, { ipv4InMp: true }), CAPS4);
  t.same(a.announced.map((n) => n.prefix.toString()), ['10.0.0.0/8']);
  t.equal(a.attributes?.nextHop, '2001:db8::1');
  const mixed = decodeUpdate(
    encodeUpdateBody({ announced: [nlri('10.0.0.0/8'), nlri('2001:db8::/32')], attributes: { origin: 'igp', asPath: AsPath.EMPTY, nextHop: '192.0.2.1' } }, CAPS4, { mpNextHop: '2001:db8::9' }),
    CAPS4,
  );
  t.same(mixed.announced.map((n) => n.prefix.toString()), ['10.0.0.0/8', '2001:db8::/32']);
  t.equal(mixed.attributes?.nextHop, '192.0.2.1', 'NEXT_HOP for the IPv4 NLRI field');
  t.throws(() => encodeUpdateBody({ announced: [nlri('10.0.0.0/8'), nlri('2001:db8::/32')], attributes: { nextHop: '2001:db8::1' } }, CAPS4, { ipv4InMp: true }), RangeError);
  t.throws(() => encodeUpdateBody({ announced: [nlri('2001:db8::/32')], attributes: {} }, CAPS4), RangeError, 'MP_REACH needs a next hop');
  t.throws(() => encodeUpdateBody({ announced: [nlri('2001:db8::/32')], attributes: { nextHop: '192.0.2.1' } }, CAPS4), RangeError, 'an IPv6 one');
});

t.test('End-of-RIB markers', async (t) => {
  t.equal(hex(encodeUpdateBody({ endOfRib: { afi: 1, safi: 1 } }, CAPS4)), '00000000');
  const v6 = decodeUpdate(encodeUpdateBody({ endOfRib: { afi: 2, safi: 1 } }, CAPS4), CAPS4);
  t.same(v6.endOfRib, { afi: 2, safi: 1 });
  const decoded = decodeUpdate(encodeUpdateBody({ endOfRib: { afi: 1, safi: 128 } }, CAPS4), CAPS4);
  t.same(decoded.endOfRib, { afi: 1, safi: 128 });
  t.equal(hex(encodeUpdateBody(decoded, CAPS4)), hex(encodeUpdateBody({ endOfRib: { afi: 1, safi: 128 } }, CAPS4)), 'a decoded End-of-RIB encodes back');
  t.throws(() => encodeUpdateBody({ endOfRib: { afi: 1, safi: 1 }, announced: [nlri('10.0.0.0/8')] }, CAPS4), RangeError);
});

t.test('size limit: 4,096 octets, or 65,535 with the extended message capability (RFC 8654)', async (t) => {
  const many: Nlri[] = [];
  for (let i = 0; i < 1200; i++) many.push(nlri(`10.${i >> 8}.${i & 255}.0/24`));
  const input: UpdateInput = { announced: many, attributes: { origin: 'igp', asPath: AsPath.EMPTY, nextHop: '192.0.2.1' } };
  t.throws(() => encodeUpdate(input, CAPS4), RangeError);
  const big = encodeUpdate(input, capabilities({ asn4: true, extendedMessage: true }));
  t.ok(big.length > 4096);
  t.equal(decodeUpdate(readBgpMessage(big, { maxLength: 65535 }).body, CAPS4).announced.length, 1200);
});

t.test('bad input is a RangeError', async (t) => {
  t.throws(() => encodeUpdateBody({ announced: [nlri('10.0.0.0/8', 5)], attributes: { nextHop: '192.0.2.1' } }, CAPS4), RangeError, 'path id without ADD-PATH');
  t.throws(() => encodePathAttributes({ nextHop: '192.0.2' }, CAPS4), RangeError);
  t.throws(() => encodePathAttributes({ med: -1 }, CAPS4), RangeError);
  t.throws(() => encodePathAttributes({ largeCommunities: ['1:2'] }, CAPS4), RangeError);
  t.throws(() => encodePathAttributes({ extendedCommunities: [new Uint8Array(7)] }, CAPS4), RangeError);
  t.throws(() => encodePathAttributes({ asPath: AsPath.of([{ type: 'set', asns: new Array(256).fill(1) }]) }, CAPS4), RangeError);
});

t.test('long paths are split into segments of 255; long values get the Extended Length bit', async (t) => {
  const asns = Array.from({ length: 600 }, (_, i) => (i + 1) as Asn);
  const attrs = encodePathAttributes({ origin: 'igp', asPath: AsPath.sequence(asns) }, CAPS4);
  t.equal(attrs[4]! & 0x10, 0x10, 'AS_PATH has Extended Length');
  const d = decodePathAttributes(attrs, CAPS4);
  t.equal(d.attributes.asPath.segments.length, 3);
  t.same(d.attributes.asPath.segments.flatMap((s) => s.asns), asns);
});

t.test('abbreviated MP_REACH for MRT RIB entries round-trips through decodePathAttributes', async (t) => {
  const block = encodePathAttributes({ origin: 'egp', asPath: AsPath.parse('65001') }, CAPS4, { mpReach: { afi: 2, safi: 1, nextHop: '2001:db8::1', linkLocalNextHop: 'fe80::1', nlri: [] }, mpReachAbbreviated: true });
  const d = decodePathAttributes(block, CAPS4, { mpReachAbbreviated: true });
  t.equal(d.attributes.nextHop, '2001:db8::1');
  t.equal(d.attributes.linkLocalNextHop, 'fe80::1');
  t.equal(d.attributes.origin, 'egp');
});

// --- random round trips ----------------------------------------------------

function randomPrefix(rand: () => number, v6: boolean): Prefix {
  const len = randomInt(rand, 0, v6 ? 128 : 32);
  const w = () => randomInt(rand, 0, 0xffffffff);
  return v6 ? Prefix.masked(6, len, w(), w(), w(), w()) : Prefix.masked(4, len, w());
}

/**
 * Paths as routers build them: confederation segments (2-octet member ASes)
 * only in front, then sequences and sets. (RFC 6793 §4.2.3 cannot rebuild a
 * confederation segment behind the part AS4_PATH replaces: AS4_PATH carries
 * none.)
 */
function randomSegments(rand: () => number): AsPathSegment[] {
  const segs: AsPathSegment[] = [];
  const asn = (): Asn => (rand() < 0.5 ? randomInt(rand, 1, 65535) : randomInt(rand, 1, 0xffffffff)) as Asn;
  const run = (f: () => Asn): Asn[] => Array.from({ length: randomInt(rand, 1, 5) }, f);
  if (rand() < 0.2) segs.push({ type: pick(rand, ['confed-sequence', 'confed-set'] as const), asns: run(() => randomInt(rand, 64512, 65534) as Asn) });
  const n = randomInt(rand, 0, 3);
  for (let i = 0; i < n; i++) {
    const type = pick(rand, ['sequence', 'sequence', 'set'] as const);
    // Adjacent sequences would come back as one only where AS4_PATH joins them; keep them apart.
    if (segs.length > 0 && segs[segs.length - 1]!.type === type && type === 'sequence') continue;
    segs.push({ type, asns: run(asn) });
  }
  return segs;
}

function randomUpdate(rand: () => number, caps: SessionCapabilities): UpdateInput {
  const v4Ids = caps.addPath.has('1/1');
  const v6Ids = caps.addPath.has('2/1');
  const list = (count: number): Nlri[] =>
    Array.from({ length: count }, () => {
      const v6 = rand() < 0.4;
      return { prefix: randomPrefix(rand, v6), pathId: (v6 ? v6Ids : v4Ids) ? randomInt(rand, 0, 0xffffffff) : 0 };
    });
  // One family announced per UPDATE: a decoded UPDATE has one next hop
  // (PathAttributes.nextHop), so IPv4 and IPv6 together would not round-trip.
  const family = rand() < 0.5;
  const announced = list(randomInt(rand, 0, 6)).filter((n) => (n.prefix.afi === 6) === family);
  const withdrawn = list(randomInt(rand, 0, 6));
  const hasV4 = announced.some((n) => n.prefix.afi === 4);
  const hasV6 = announced.some((n) => n.prefix.afi === 6);
  const attributes: PathAttributesInput | undefined =
    announced.length === 0 && rand() < 0.5
      ? undefined
      : {
          origin: announced.length > 0 || rand() < 0.5 ? pick(rand, ['igp', 'egp', 'incomplete'] as Origin[]) : undefined,
          asPath: AsPath.of(randomSegments(rand)),
          nextHop: hasV4 ? `192.0.2.${randomInt(rand, 0, 255)}` : hasV6 ? `2001:db8::${randomInt(rand, 1, 0xffff).toString(16)}` : undefined,
          linkLocalNextHop: !hasV4 && hasV6 && rand() < 0.5 ? 'fe80::1' : undefined,
          med: rand() < 0.5 ? randomInt(rand, 0, 0xffffffff) : undefined,
          localPref: rand() < 0.5 ? randomInt(rand, 0, 0xffffffff) : undefined,
          atomicAggregate: rand() < 0.3,
          aggregator: rand() < 0.3 ? { asn: randomInt(rand, 1, 0xffffffff) as Asn, address: `198.51.100.${randomInt(rand, 0, 255)}` } : undefined,
          communities: Array.from({ length: randomInt(rand, 0, 3) }, () => randomInt(rand, 0, 0xffffffff)),
          largeCommunities: Array.from({ length: randomInt(rand, 0, 2) }, () => `${randomInt(rand, 0, 0xffffffff)}:${randomInt(rand, 0, 9)}:${randomInt(rand, 0, 0xffffffff)}`),
          extendedCommunities: Array.from({ length: randomInt(rand, 0, 2) }, () => Uint8Array.from({ length: 8 }, () => randomInt(rand, 0, 255))),
          otherAttributes: rand() < 0.3 ? [rand() < 0.3 ? { typeCode: 9, flags: 0x80, value: Uint8Array.of(10, 0, 0, 1) } : { typeCode: pick(rand, [99, 200]), flags: 0x80 | (rand() < 0.5 ? 0x40 : 0) | (rand() < 0.3 ? 0x20 : 0), value: Uint8Array.of(1, 2, 3) }] : [],
        };
  return { announced, withdrawn, attributes };
}

function normalised(u: UpdateInput | BgpUpdate): unknown {
  const byFamily = (l: readonly Nlri[] | undefined) => [...(l ?? []).filter((n) => n.prefix.afi === 4), ...(l ?? []).filter((n) => n.prefix.afi === 6)].map((n) => `${n.pathId}:${n.prefix.toString()}`);
  // MP_UNREACH alone makes an attribute block with nothing else in it; no
  // block and an empty one are the same UPDATE content.
  const a = u.attributes;
  const empty =
    a === undefined ||
    (a.origin === undefined && (a.asPath ?? AsPath.EMPTY).isEmpty && a.nextHop === undefined && a.med === undefined && a.localPref === undefined && a.atomicAggregate !== true && a.aggregator === undefined &&
      (a.communities ?? []).length === 0 && (a.largeCommunities ?? []).length === 0 && (a.extendedCommunities ?? []).length === 0 && (a.otherAttributes ?? []).length === 0);
  return {
    announced: byFamily(u.announced),
    withdrawn: byFamily(u.withdrawn),
    attributes:
      a === undefined || empty
        ? undefined
        : {
            origin: a.origin,
            asPath: (a.asPath ?? AsPath.EMPTY).toString(),
            nextHop: a.nextHop,
            linkLocalNextHop: a.linkLocalNextHop,
            med: a.med,
            localPref: a.localPref,
            atomicAggregate: a.atomicAggregate ?? false,
            aggregator: a.aggregator,
            communities: [...(a.communities ?? [])],
            largeCommunities: [...(a.largeCommunities ?? [])],
            extendedCommunities: (a.extendedCommunities ?? []).map((c) => hex(c)),
            otherAttributes: (a.otherAttributes ?? []).map((o) => [o.typeCode, o.flags, hex(o.value)]).sort((x, y) => (x[0] as number) - (y[0] as number)),
          },
  };
}

t.test('random UPDATEs: decode(encode(x)) = x and encode(decode(bytes)) = bytes', async (t) => {
  const rand = seededRandom(4271);
  const sessions = [CAPS4, CAPS2, capabilities({ asn4: true, addPath: [{ afi: 1, safi: 1 }, { afi: 2, safi: 1 }] }), capabilities({ asn4: false, addPath: [{ afi: 2, safi: 1 }], extendedMessage: true })];
  let checked = 0;
  for (let i = 0; i < 2000; i++) {
    const caps = pick(rand, sessions);
    const input = randomUpdate(rand, caps);
    const bytes = encodeUpdate(input, caps);
    const decoded = decodeUpdate(readBgpMessage(bytes, { maxLength: 65535 }).body, caps);
    const want = normalised(input);
    const got = normalised(decoded);
    if (decoded.action !== 'none' || JSON.stringify(got) !== JSON.stringify(want)) {
      t.same(got, want, `round trip ${i}`);
      t.equal(decoded.action, 'none', `round trip ${i}: ${JSON.stringify(decoded.problems)}`);
      return;
    }
    const again = encodeUpdate(decoded, caps);
    if (hex(again) !== hex(bytes)) {
      t.equal(hex(again), hex(bytes), `re-encoding ${i}`);
      return;
    }
    checked++;
  }
  t.equal(checked, 2000, '2000 random UPDATEs round-tripped');
});
