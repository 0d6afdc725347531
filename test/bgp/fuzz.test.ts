/**
 * Property: random and mutated UPDATE / OPEN / attribute bytes only ever
 * produce a result or a ParseError (BgpUpdateError for session resets) —
 * never a bare TypeError or RangeError, never a hang — and every result keeps
 * the invariants its consumers rely on.
 */
import t, { type Test } from 'tap';
import { AsPath } from '../../src/bgp/as-path.js';
import { decodePathAttributes } from '../../src/bgp/attributes.js';
import { capabilities, type SessionCapabilities } from '../../src/bgp/capabilities.js';
import { decodeOpen, encodeOpenBody, openCapabilities } from '../../src/bgp/open.js';
import { type BgpUpdate, BgpUpdateError, decodeUpdate, encodeUpdateBody, type Nlri } from '../../src/bgp/update.js';
import type { Asn } from '../../src/net/asn.js';
import { Prefix } from '../../src/net/prefix.js';
import { ParseError } from '../../src/wire/parse-error.js';
import { pick, randomInt, seededRandom } from '../helpers/random.js';

const SESSIONS: SessionCapabilities[] = [
  capabilities({ asn4: true }),
  capabilities({ asn4: false }),
  capabilities({ asn4: true, addPath: [{ afi: 1, safi: 1 }, { afi: 2, safi: 1 }, { afi: 1, safi: 128 }] }),
  capabilities({ asn4: false, addPath: [{ afi: 2, safi: 1 }] }),
];

interface Tally {
  ok: number;
  parseErrors: number;
  resets: number;
}

/** Runs `f`; a non-ParseError exception fails the test with the input in hex. */
function expectTyped(t: Tap, tally: Tally, bytes: Uint8Array, f: () => unknown): unknown {
  try {
    const r = f();
    tally.ok++;
    return r;
  } catch (e) {
    if (e instanceof BgpUpdateError) tally.resets++;
    else if (e instanceof ParseError) tally.parseErrors++;
    else t.fail(`${(e as Error).name}: ${(e as Error).message} on ${Buffer.from(bytes).toString('hex')}`);
    return undefined;
  }
}
type Tap = Pick<Test, 'fail'>;

function checkInvariants(t: Tap, u: BgpUpdate, bytes: Uint8Array): boolean {
  const fail = (why: string): boolean => {
    t.fail(`${why}: ${Buffer.from(bytes).toString('hex')}`);
    return false;
  };
  if (!['none', 'attribute-discard', 'treat-as-withdraw'].includes(u.action)) return fail(`action ${u.action}`);
  if (u.action === 'treat-as-withdraw' && u.announced.length > 0) return fail('announced after treat-as-withdraw');
  if (u.action !== 'none' && u.problems.length === 0) return fail('an action without a problem');
  for (const n of [...u.announced, ...u.withdrawn]) {
    if (!(n.prefix instanceof Prefix)) return fail('not a Prefix');
    if (!Prefix.fromWords(n.prefix.afi, n.prefix.length, n.prefix.w0, n.prefix.w1, n.prefix.w2, n.prefix.w3).equals(n.prefix)) return fail('prefix not canonical');
    if (!Number.isInteger(n.pathId) || n.pathId < 0 || n.pathId > 0xffffffff) return fail('path id');
  }
  for (const s of u.skipped) if (s.count < 1) return fail('skipped count');
  if (u.attributes !== undefined && !(u.attributes.asPath instanceof AsPath)) return fail('asPath');
  return true;
}

function validBody(rand: () => number, caps: SessionCapabilities): Uint8Array {
  const v6 = rand() < 0.5;
  const ids = caps.addPath.has(v6 ? '2/1' : '1/1');
  const nlri = (n: number): Nlri[] =>
    Array.from({ length: n }, () => ({
      prefix: v6 ? Prefix.masked(6, randomInt(rand, 0, 128), randomInt(rand, 0, 0xffffffff), randomInt(rand, 0, 0xffffffff)) : Prefix.masked(4, randomInt(rand, 0, 32), randomInt(rand, 0, 0xffffffff)),
      pathId: ids ? randomInt(rand, 0, 9) : 0,
    }));
  return encodeUpdateBody(
    {
      announced: nlri(randomInt(rand, 0, 4)),
      withdrawn: nlri(randomInt(rand, 0, 3)),
      attributes: {
        origin: 'igp',
        asPath: AsPath.parse(`65001 ${randomInt(rand, 1, 0xffffffff)} {1,2}`),
        nextHop: v6 ? '2001:db8::1' : '192.0.2.1',
        linkLocalNextHop: v6 && rand() < 0.5 ? 'fe80::1' : undefined,
        med: 5,
        aggregator: rand() < 0.5 ? { asn: 4200000000 as Asn, address: '192.0.2.9' } : undefined,
        communities: [1, 2],
        largeCommunities: ['1:2:3'],
        extendedCommunities: [new Uint8Array(8)],
        atomicAggregate: rand() < 0.5,
        otherAttributes: [{ typeCode: 99, flags: 0xc0, value: Uint8Array.of(1) }],
      },
    },
    caps,
  );
}

function mutate(rand: () => number, bytes: Uint8Array): Uint8Array {
  const out = [...bytes];
  const n = randomInt(rand, 1, 4);
  for (let i = 0; i < n; i++) {
    const at = randomInt(rand, 0, Math.max(0, out.length - 1));
    switch (randomInt(rand, 0, 5)) {
      case 0: // flip a bit
        if (out.length > 0) out[at] = out[at]! ^ (1 << randomInt(rand, 0, 7));
        break;
      case 1: // a boundary value, often in a length field
        if (out.length > 0) out[at] = pick(rand, [0, 1, 2, 3, 4, 5, 0x7f, 0x80, 0xc0, 0xfe, 0xff, 14, 15, 32, 33, 128, 129]);
        break;
      case 2: // cut
        out.length = at;
        break;
      case 3: // insert
        out.splice(at, 0, randomInt(rand, 0, 255));
        break;
      case 4: // delete
        out.splice(at, 1);
        break;
      default: // duplicate a slice
        out.splice(at, 0, ...out.slice(at, at + randomInt(rand, 1, 12)));
    }
  }
  return Uint8Array.from(out);
}

t.test('random bytes as UPDATE bodies', async (t) => {
  const rand = seededRandom(7606);
  const tally: Tally = { ok: 0, parseErrors: 0, resets: 0 };
  for (let i = 0; i < 20000; i++) {
    const len = randomInt(rand, 0, i % 10 === 0 ? 600 : 40);
    const bytes = Uint8Array.from({ length: len }, () => randomInt(rand, 0, 255));
    // Short lengths at the front make random bodies reach the attributes.
    if (len >= 4 && rand() < 0.7) {
      bytes[0] = 0;
      bytes[1] = randomInt(rand, 0, Math.min(8, len - 4));
      const a = 2 + bytes[1]!;
      bytes[a] = 0;
      bytes[a + 1] = randomInt(rand, 0, len - a - 2);
    }
    const u = expectTyped(t, tally, bytes, () => decodeUpdate(bytes, pick(rand, SESSIONS), 19)) as BgpUpdate | undefined;
    if (u !== undefined && !checkInvariants(t, u, bytes)) return;
  }
  t.equal(tally.ok + tally.parseErrors + tally.resets, 20000);
  t.equal(tally.parseErrors, 0, 'decodeUpdate raises only BgpUpdateError');
  t.ok(tally.ok > 200, `${tally.ok} decoded, ${tally.resets} session resets`);
});

t.test('mutated valid UPDATE bodies', async (t) => {
  const rand = seededRandom(4760);
  const tally: Tally = { ok: 0, parseErrors: 0, resets: 0 };
  const actions = new Map<string, number>();
  for (let i = 0; i < 20000; i++) {
    const caps = pick(rand, SESSIONS);
    const bytes = mutate(rand, validBody(rand, caps));
    const u = expectTyped(t, tally, bytes, () => decodeUpdate(bytes, rand() < 0.9 ? caps : pick(rand, SESSIONS))) as BgpUpdate | undefined;
    if (u !== undefined) {
      if (!checkInvariants(t, u, bytes)) return;
      actions.set(u.action, (actions.get(u.action) ?? 0) + 1);
    }
  }
  t.equal(tally.parseErrors, 0, 'decodeUpdate raises only BgpUpdateError');
  t.ok((actions.get('none') ?? 0) > 0 && (actions.get('attribute-discard') ?? 0) > 0 && (actions.get('treat-as-withdraw') ?? 0) > 0 && tally.resets > 0, `every outcome reached: ${JSON.stringify([...actions])}, ${tally.resets} resets`);
});

t.test('random and mutated attribute blocks (decodePathAttributes, both MP_REACH forms)', async (t) => {
  const rand = seededRandom(6396);
  const tally: Tally = { ok: 0, parseErrors: 0, resets: 0 };
  for (let i = 0; i < 10000; i++) {
    const caps = pick(rand, SESSIONS);
    const body = validBody(rand, caps);
    const block = i % 2 === 0 ? body.subarray(4 + ((body[0]! << 8) | body[1]!)) : Uint8Array.from({ length: randomInt(rand, 0, 60) }, () => randomInt(rand, 0, 255));
    const bytes = mutate(rand, block);
    expectTyped(t, tally, bytes, () => decodePathAttributes(bytes, caps, { mpReachAbbreviated: rand() < 0.5 }));
  }
  t.equal(tally.parseErrors, 0);
  t.ok(tally.ok > 0 && tally.resets > 0, `${tally.ok} decoded, ${tally.resets} resets`);
});

t.test('random and mutated OPEN bodies', async (t) => {
  const rand = seededRandom(5492);
  const tally: Tally = { ok: 0, parseErrors: 0, resets: 0 };
  for (let i = 0; i < 10000; i++) {
    const caps = openCapabilities({ multiprotocol: [{ afi: 1, safi: 1 }, { afi: 2, safi: 1 }], routeRefresh: true, asn4: randomInt(rand, 1, 0xffffffff), addPath: [{ afi: 1, safi: 1, send: true, receive: true }], extendedMessage: rand() < 0.5 });
    const body = encodeOpenBody({ myAsn: 65001, holdTime: 90, bgpId: '192.0.2.1', capabilities: caps, extendedParameters: rand() < 0.3, parameterPerCapability: rand() < 0.3 });
    const bytes = i % 4 === 0 ? Uint8Array.from({ length: randomInt(rand, 0, 60) }, () => randomInt(rand, 0, 255)) : mutate(rand, body);
    if (i % 4 === 0 && bytes.length > 0) bytes[0] = 4;
    expectTyped(t, tally, bytes, () => decodeOpen(bytes));
  }
  t.equal(tally.resets, 0, 'decodeOpen raises ParseError, not BgpUpdateError');
  t.ok(tally.ok > 0 && tally.parseErrors > 0, `${tally.ok} decoded, ${tally.parseErrors} errors`);
});
