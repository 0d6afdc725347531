/**
 * Property: random and mutated BMP streams, cut into random chunks, only
 * ever produce typed errors (ParseError: message-dropped events, or a
 * router-down {kind: 'error'}), never an exception out of the session,
 * exactly one router-down per session, and bounded memory (the framer
 * never holds more than the cap). Also decodeBmpMessage on mutated frames
 * directly. A fixed number of seeded cases (reproducible, about 1.5 s on
 * an idle machine), with a time cap so a loaded machine cannot stall CI.
 */
import { readFileSync } from 'node:fs';
import t, { type Test } from 'tap';
import type { BmpEvent } from '../../src/bmp/events.js';
import type { BmpFrame } from '../../src/bmp/framer.js';
import { decodeBmpMessage } from '../../src/bmp/message.js';
import { BmpRouterSession } from '../../src/bmp/router-session.js';
import { ParseError } from '../../src/wire/parse-error.js';
import { corpusPath, haveCorpus } from '../helpers/corpus.js';
import { pick, randomInt, seededRandom } from '../helpers/random.js';
import {
  BGP_NOTIFICATION,
  BGP_UPDATE,
  bgp,
  bmp,
  cat,
  openBody,
  peerUpBody,
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

const CAP = 65536;

/** Valid messages of every type and layout, to mutate. */
const SEEDS: Buffer[] = [
  bmp(4, cat(tlv(0, 'hello'), tlv(1, 'descr'), tlv(2, 'name'))),
  bmp(3, cat(perPeer({ type: 1, rd: rd0(64500, 7) }), peerUpBody(openBody({ addPath: [{ afi: 1, safi: 1, sendReceive: 3 }] }), openBody({ addPath: [{ afi: 1, safi: 1, sendReceive: 3 }] })))),
  bmp(3, cat(perPeer({ type: 3, address: '0.0.0.0' }), peerUpBody(openBody(), openBody(), { tlvs: [tlv(3, 'global')] }))),
  bmp(0, cat(perPeer({ type: 1, rd: rd0(64500, 7) }), bgp(BGP_UPDATE, updateBody({ nlri: ['192.0.2.0/24', '198.51.100.0/25'], asPath: [64500, 64501], communities: [0xffff0001] })))),
  bmp(0, cat(perPeer({ flags: 0x20 }), bgp(BGP_UPDATE, updateBody({ nlri: ['203.0.113.0/24'], asPath: [64500], asn4: false })))),
  bmp(0, cat(perPeer({ flags: 0x90, address: '2001:db8::1' }), bgp(BGP_UPDATE, updateBody({ withdrawn: ['192.0.2.0/24'] })))),
  bmp(0, cat(perPeer(), bgp(BGP_UPDATE, updateBody({ nlri: ['192.0.2.0/24'] })), tlv(0, u32(1))), 4),
  bmp(0, cat(perPeer(), tlvIndexed(3, 0, Buffer.from('vrf')), tlvIndexed(4, 0, bgp(BGP_UPDATE, updateBody({ nlri: ['192.0.2.0/24'] })))), 4),
  bmp(1, cat(perPeer(), u32(3), tlv(0, u32(1)), tlv(7, u64(2n)), tlv(9, cat(u16(1), u8(1), u64(3n))))),
  bmp(2, cat(perPeer(), u8(1), bgp(BGP_NOTIFICATION, cat(u8(6), u8(2))))),
  bmp(2, cat(perPeer(), u8(2), u16(3))),
  bmp(2, cat(perPeer({ type: 3 }), u8(6), tlv(3, 'vrf'))),
  bmp(6, cat(perPeer(), tlv(0, bgp(BGP_UPDATE, updateBody())), tlv(1, u16(1)))),
  bmp(5, cat(tlv(0, 'bye'), tlv(1, u16(1)))),
];

function mutate(rand: () => number, input: Buffer): Buffer {
  const b = Buffer.from(input);
  const n = randomInt(rand, 1, 4);
  for (let i = 0; i < n; i++) {
    const at = randomInt(rand, 0, Math.max(0, b.length - 1));
    switch (randomInt(rand, 0, 5)) {
      case 0:
        b[at] = randomInt(rand, 0, 255);
        break;
      case 1:
        b[at] ^= 1 << randomInt(rand, 0, 7);
        break;
      case 2: // a length-looking field to an extreme
        if (at + 1 < b.length) b.writeUInt16BE(pick(rand, [0, 1, 0xffff, b.length, b.length + 1]), at);
        break;
      case 3:
        b[at] = pick(rand, [0, 0xff, 3, 4]);
        break;
      default:
        if (at + 3 < b.length) b.writeUInt32BE(pick(rand, [0, 6, 0xffffffff, b.length - at]), at);
    }
  }
  const cut = rand() < 0.2 ? randomInt(rand, 0, b.length) : b.length;
  return b.subarray(0, cut);
}

function check(t: Test, events: BmpEvent[], where: string): boolean {
  let downs = 0;
  for (const e of events) {
    if (e.type === 'message-dropped' && !(e.error instanceof ParseError)) {
      t.fail(`${where}: untyped error ${e.error.name}: ${e.error.message}`);
      return false;
    }
    if (e.type === 'router-down') {
      downs++;
      if (e.reason.kind === 'error' && !(e.reason.error instanceof ParseError)) {
        t.fail(`${where}: untyped framing error ${e.reason.error.message}`);
        return false;
      }
    }
  }
  if (downs !== 1 || events.at(-1)?.type !== 'router-down') {
    t.fail(`${where}: ${downs} router-down events`);
    return false;
  }
  return true;
}

function runStream(stream: Buffer, rand: () => number): { events: BmpEvent[]; maxBuffered: number } {
  const events: BmpEvent[] = [];
  const s = new BmpRouterSession({ address: '192.0.2.9', port: 1, deliver: (e) => void events.push(e), maxMessageBytes: CAP });
  let maxBuffered = 0;
  for (let at = 0; at < stream.length; ) {
    const n = randomInt(rand, 1, 600);
    s.push(stream.subarray(at, at + n));
    maxBuffered = Math.max(maxBuffered, s.bufferedBytes);
    at += n;
  }
  s.end();
  return { events, maxBuffered };
}

t.test('mutated and random streams: typed errors only, one router-down, bounded memory', async (t) => {
  const rand = seededRandom(20261128);
  const RUNS = 2000;
  const deadline = Date.now() + 30_000;
  let runs = 0;
  let dropped = 0;
  let broken = 0;
  let maxBuffered = 0;
  const extra: Buffer[] = [];
  if (haveCorpus(t, 'bmp_play/bmp.dump')) extra.push(readFileSync(corpusPath('bmp_play/bmp.dump')).subarray(0, 60000));
  while (runs < RUNS && Date.now() < deadline) {
    runs++;
    let stream: Buffer;
    const mode = runs % 4;
    if (mode === 0) {
      stream = Buffer.from(Array.from({ length: randomInt(rand, 0, 400) }, () => randomInt(rand, 0, 255)));
      if (rand() < 0.5 && stream.length > 0) stream[0] = pick(rand, [3, 4]);
    } else if (mode === 3 && extra.length > 0) {
      stream = mutate(rand, extra[0]!);
    } else {
      const parts = Array.from({ length: randomInt(rand, 1, 12) }, () => pick(rand, SEEDS));
      stream = cat(...parts.map((p) => (rand() < 0.5 ? mutate(rand, p) : p)));
    }
    const { events, maxBuffered: m } = runStream(stream, rand);
    maxBuffered = Math.max(maxBuffered, m);
    if (!check(t, events, `run ${runs}`)) {
      t.comment(`stream: ${stream.toString('hex').slice(0, 2000)}`);
      break;
    }
    dropped += events.filter((e) => e.type === 'message-dropped').length;
    if (events.at(-1)?.type === 'router-down' && (events.at(-1) as Extract<BmpEvent, { type: 'router-down' }>).reason.kind === 'error') broken++;
  }
  t.ok(runs === RUNS || Date.now() >= deadline, `${runs} streams`);
  t.ok(dropped > 0, `${dropped} messages dropped with a typed error`);
  t.ok(broken > 0, `${broken} streams ended by a framing error`);
  t.ok(maxBuffered <= CAP, `at most ${maxBuffered} bytes held for an incomplete message (cap ${CAP})`);
});

t.test('decodeBmpMessage on mutated whole frames: ParseError or a message, nothing else', async (t) => {
  const rand = seededRandom(7);
  const FRAMES = 30_000;
  const deadline = Date.now() + 20_000;
  let n = 0;
  let errors = 0;
  while (n < FRAMES && Date.now() < deadline) {
    n++;
    const m = mutate(rand, pick(rand, SEEDS));
    if (m.length < 6) continue;
    // Keep the frame self-consistent in version and length, as the framer guarantees.
    m[0] = pick(rand, [3, 4]);
    m.writeUInt32BE(m.length, 1);
    const frame: BmpFrame = { bytes: m, offset: 0, version: m[0]!, type: m[5]! };
    try {
      decodeBmpMessage(frame);
    } catch (e) {
      errors++;
      if (!(e instanceof ParseError)) {
        t.fail(`untyped ${String(e)} for ${m.toString('hex')}`);
        break;
      }
    }
  }
  t.ok(n === FRAMES || Date.now() >= deadline, `${n} frames`);
  t.ok(errors > 0, `${errors} typed errors`);
});
