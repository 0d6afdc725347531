/**
 * Shared helpers for the RIB tests: random path attributes and prefixes
 * from the seeded PRNG, and a plain comparable form of PathAttributes.
 */
import { AsPath, type AsPathSegment, type AsPathSegmentType } from '../../src/bgp/as-path.js';
import { type Origin, type PathAttributes, partialAttributes } from '../../src/bgp/attributes.js';
import type { Asn } from '../../src/net/asn.js';
import { type Afi, Prefix } from '../../src/net/prefix.js';
import { pick, randomInt } from '../helpers/random.js';

export function attrs(overrides: Partial<PathAttributes> = {}): PathAttributes {
  return partialAttributes({ origin: 'igp', asPath: AsPath.parse('64500 64501'), nextHop: '192.0.2.1', ...overrides });
}

const ORIGINS: readonly (Origin | undefined)[] = ['igp', 'egp', 'incomplete', undefined];
const SEGMENT_TYPES: readonly AsPathSegmentType[] = ['sequence', 'sequence', 'sequence', 'set', 'confed-sequence', 'confed-set'];

/** A random attribute set; `origin` (when given) is the last ASN of a final AS_SEQUENCE. */
export function randomAttributes(rand: () => number, origin?: number): PathAttributes {
  const segments: AsPathSegment[] = [];
  const nseg = origin !== undefined ? randomInt(rand, 0, 2) : randomInt(rand, 0, 3);
  for (let i = 0; i < nseg; i++) {
    const n = randomInt(rand, 1, 4);
    const asns: Asn[] = [];
    for (let j = 0; j < n; j++) asns.push(randomAsn(rand));
    segments.push({ type: pick(rand, SEGMENT_TYPES), asns });
  }
  if (origin !== undefined) segments.push({ type: 'sequence', asns: [randomAsn(rand), origin as Asn] });
  const communities: number[] = [];
  for (let i = randomInt(rand, -2, 4); i > 0; i--) communities.push(randomInt(rand, 0, 0xffffffff));
  const large: string[] = [];
  for (let i = randomInt(rand, -3, 2); i > 0; i--) {
    large.push(`${randomInt(rand, 0, 0xffffffff)}:${randomInt(rand, 0, 99)}:${randomInt(rand, 0, 0xffffffff)}`);
  }
  if (large.length > 0 && rand() < 0.1) large.push('065000:1:1'); // not canonical: kept as text
  const ext: Uint8Array[] = [];
  for (let i = randomInt(rand, -3, 2); i > 0; i--) ext.push(Uint8Array.from({ length: 8 }, () => randomInt(rand, 0, 255)));
  const other: { typeCode: number; flags: number; value: Uint8Array }[] = [];
  if (rand() < 0.1) {
    other.push({ typeCode: randomInt(rand, 20, 255), flags: 0xc0, value: Uint8Array.from({ length: randomInt(rand, 0, 9) }, () => randomInt(rand, 0, 255)) });
  }
  const v6 = rand() < 0.3;
  return {
    origin: pick(rand, ORIGINS),
    asPath: AsPath.of(segments),
    nextHop: rand() < 0.05 ? undefined : v6 ? `2001:db8::${randomInt(rand, 1, 9)}` : `192.0.2.${randomInt(rand, 1, 9)}`,
    linkLocalNextHop: v6 && rand() < 0.5 ? `fe80::${randomInt(rand, 1, 3)}` : undefined,
    med: rand() < 0.4 ? randomInt(rand, 0, 0xffffffff) : undefined,
    localPref: rand() < 0.4 ? randomInt(rand, 0, 500) : undefined,
    atomicAggregate: rand() < 0.1,
    aggregator: rand() < 0.1 ? { asn: randomAsn(rand), address: `198.51.100.${randomInt(rand, 1, 3)}` } : undefined,
    communities,
    largeCommunities: large,
    extendedCommunities: ext,
    otherAttributes: other,
  };
}

function randomAsn(rand: () => number): Asn {
  return (rand() < 0.5 ? randomInt(rand, 1, 65535) : randomInt(rand, 0, 0xffffffff)) as Asn;
}

/** A plain, deep-comparable form of a PathAttributes. */
export function plain(a: PathAttributes | undefined): unknown {
  if (a === undefined) return undefined;
  return {
    origin: a.origin,
    asPath: a.asPath.segments.map((s) => ({ type: s.type, asns: [...s.asns] })),
    nextHop: a.nextHop,
    linkLocalNextHop: a.linkLocalNextHop,
    med: a.med,
    localPref: a.localPref,
    atomicAggregate: a.atomicAggregate,
    aggregator: a.aggregator === undefined ? undefined : { asn: a.aggregator.asn, address: a.aggregator.address },
    communities: [...a.communities],
    largeCommunities: [...a.largeCommunities],
    extendedCommunities: a.extendedCommunities.map((e) => Buffer.from(e).toString('hex')),
    otherAttributes: a.otherAttributes.map((o) => ({ typeCode: o.typeCode, flags: o.flags, value: Buffer.from(o.value).toString('hex') })),
  };
}

/**
 * A random prefix from a small space, so that keys repeat: IPv4 inside
 * 10.0.0.0/12 plus a few short and host routes; IPv6 inside 2001:db8::/32.
 */
export function randomPrefix(rand: () => number, afi: Afi): Prefix {
  if (afi === 4) {
    const r = rand();
    const len =
      r < 0.02 ? 0 : r < 0.06 ? randomInt(rand, 1, 11) : r < 0.1 ? 32 : r < 0.7 ? 24 : r < 0.9 ? randomInt(rand, 12, 23) : randomInt(rand, 25, 31);
    const base = len < 12 ? randomInt(rand, 0, 0xffffffff) : 0x0a000000 + randomInt(rand, 0, 0xfffff);
    return Prefix.masked(4, len, base >>> 0);
  }
  const r = rand();
  const len =
    r < 0.02 ? 0 : r < 0.06 ? randomInt(rand, 1, 31) : r < 0.1 ? 128 : r < 0.6 ? 48 : r < 0.8 ? randomInt(rand, 32, 47) : randomInt(rand, 49, 127);
  if (len < 32) return Prefix.masked(6, len, randomInt(rand, 0, 0xffffffff) >>> 0, randomInt(rand, 0, 0xffffffff) >>> 0);
  return Prefix.masked(
    6,
    len,
    0x20010db8,
    randomInt(rand, 0, 0x3ff) << 16,
    randomInt(rand, 0, 3) >>> 0,
    randomInt(rand, 0, 0xffffffff) >>> 0,
  );
}
