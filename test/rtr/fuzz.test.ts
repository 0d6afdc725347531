/**
 * Property tests over seeded random and mutated RTR streams, fed through
 * the framer in random chunks and decoded frame by frame:
 * - the only exceptions are RtrParseError (itself a ParseError);
 * - whatever decodes also encodes, and decodes again to the same PDU;
 * - the framer never retains more than its cap, however the input is cut.
 * A failure prints the seed, the case and the input as hex; keep such an
 * input as a regression case in this file.
 */
import { readFileSync } from 'node:fs';
import t, { type Test } from 'tap';
import { RtrFramer } from '../../src/rtr/framer.js';
import { decodePdu, encodePdu } from '../../src/rtr/pdu-codec.js';
import { RtrParseError } from '../../src/rtr/pdu-error.js';
import { fixturePath } from '../helpers/corpus.js';
import { pick, randomInt, seededRandom } from '../helpers/random.js';
import { ALL_SAMPLES, plain, samplePdus } from './helpers/samples.js';

type Rand = () => number;

const SEEDS = [
  Buffer.concat(samplePdus(0).map(encodePdu)),
  Buffer.concat(samplePdus(1).map(encodePdu)),
  Buffer.concat(samplePdus(2).map(encodePdu)),
  ...ALL_SAMPLES.map(encodePdu),
  readFileSync(fixturePath('rtr/stayrtr-0.5.1-reset-v1.bin')),
  readFileSync(fixturePath('rtr/stayrtr-0.5.1-reset-v2.bin')),
];

const INTERESTING = [0, 1, 2, 3, 7, 8, 9, 10, 11, 12, 16, 20, 24, 32, 0x7f, 0x80, 0xfe, 0xff];

function mutate(rand: Rand, input: Buffer): Buffer {
  let b = Buffer.from(input);
  const rounds = randomInt(rand, 1, 4);
  for (let i = 0; i < rounds; i++) {
    const at = b.length === 0 ? 0 : randomInt(rand, 0, b.length - 1);
    switch (randomInt(rand, 0, 7)) {
      case 0: // flip a bit
        if (b.length) b[at] = b[at]! ^ (1 << randomInt(rand, 0, 7));
        break;
      case 1: // an interesting byte
        if (b.length) b[at] = pick(rand, INTERESTING);
        break;
      case 2: // truncate
        b = b.subarray(0, at);
        break;
      case 3: // delete a run
        b = Buffer.concat([b.subarray(0, at), b.subarray(at + randomInt(rand, 1, 8))]);
        break;
      case 4: // insert random bytes
        b = Buffer.concat([b.subarray(0, at), Buffer.from(Array.from({ length: randomInt(rand, 1, 8) }, () => randomInt(rand, 0, 255))), b.subarray(at)]);
        break;
      case 5: // a random 32-bit value somewhere (often a length field)
        if (b.length >= at + 4) b.writeUInt32BE(pick(rand, [randomInt(rand, 0, 0xffffffff), randomInt(rand, 0, 40), 65535, 65536]), at);
        break;
      case 6: // splice with another seed
        b = Buffer.concat([b.subarray(0, at), pick(rand, SEEDS).subarray(randomInt(rand, 0, 20))]);
        break;
      default: // duplicate a run
        b = Buffer.concat([b.subarray(0, at), b.subarray(at, at + randomInt(rand, 1, 40)), b.subarray(at)]);
    }
  }
  return b;
}

/** A header-shaped PDU with random contents: known versions and types, lengths near the real ones. */
function structured(rand: Rand): Buffer {
  const bodyLength = pick(rand, [0, 4, 8, 12, 16, 24, randomInt(rand, 0, 200)]);
  const b = Buffer.alloc(8 + bodyLength);
  for (let i = 0; i < b.length; i++) b[i] = randomInt(rand, 0, 255);
  b[0] = randomInt(rand, 0, 3);
  b[1] = randomInt(rand, 0, 12);
  if (rand() < 0.5) b[2] = randomInt(rand, 0, 1);
  b.writeUInt32BE(rand() < 0.9 ? b.length : randomInt(rand, 0, 300), 4);
  if (b.length >= 16 && b[1] === 10 && rand() < 0.7) {
    b.writeUInt32BE(randomInt(rand, 0, b.length - 16), 8);
    const inner = b.readUInt32BE(8);
    if (rand() < 0.7) b.writeUInt32BE(b.length - 16 - inner, 12 + inner);
  }
  return b;
}

function chunks(rand: Rand, bytes: Buffer): Buffer[] {
  const out: Buffer[] = [];
  const max = pick(rand, [1, 7, 64, 1500]);
  for (let i = 0; i < bytes.length; ) {
    const n = randomInt(rand, 1, max);
    out.push(bytes.subarray(i, i + n));
    i += n;
  }
  return out;
}

interface Outcome {
  decoded: number;
  refused: number;
  framingErrors: number;
}

/** Runs one stream; returns a problem description, or undefined if every property held. */
function runStream(rand: Rand, bytes: Buffer, outcome: Outcome): string | undefined {
  const framer = new RtrFramer(rand() < 0.2 ? { maxPduLength: randomInt(rand, 32, 2000) } : {});
  try {
    for (const chunk of chunks(rand, bytes)) {
      const frames = framer.push(chunk);
      if (framer.retainedBytes > framer.maxPduLength || framer.bufferedBytes > framer.retainedBytes) {
        return `framer retains ${framer.retainedBytes} bytes (buffered ${framer.bufferedBytes}) with a cap of ${framer.maxPduLength}`;
      }
      for (const f of frames) {
        let pdu;
        try {
          pdu = decodePdu(f.bytes, f.offset);
        } catch (e) {
          if (!(e instanceof RtrParseError)) return `decodePdu threw ${String(e)}`;
          outcome.refused++;
          continue;
        }
        outcome.decoded++;
        const again = decodePdu(encodePdu(pdu));
        if (JSON.stringify(plain(again)) !== JSON.stringify(plain(pdu))) return `round trip changed ${JSON.stringify(plain(pdu))}`;
      }
    }
    framer.end();
  } catch (e) {
    if (!(e instanceof RtrParseError)) return `threw ${e instanceof Error ? e.stack : String(e)}`;
    outcome.framingErrors++;
  }
  return undefined;
}

function property(t: Test, name: string, seed: number, cases: number, make: (rand: Rand) => Buffer, bothOutcomes = true): void {
  const rand = seededRandom(seed);
  const outcome: Outcome = { decoded: 0, refused: 0, framingErrors: 0 };
  for (let i = 0; i < cases; i++) {
    const input = make(rand);
    const problem = runStream(rand, input, outcome);
    if (problem !== undefined) {
      t.fail(`${name}, seed ${seed}, case ${i}: ${problem}\ninput: ${input.toString('hex')}`);
      return;
    }
  }
  t.pass(`${name}: ${cases} streams, ${outcome.decoded} PDUs decoded, ${outcome.refused} refused, ${outcome.framingErrors} framing errors`);
  if (bothOutcomes) t.ok(outcome.decoded > 0 && outcome.refused + outcome.framingErrors > 0, `${name} reaches both outcomes`);
}

t.test('mutated valid streams: typed errors only, round trips, bounded memory', async (t) => {
  property(t, 'mutated', 0x5eed0001, 4000, (rand) => mutate(rand, pick(rand, SEEDS)));
});

t.test('header-shaped random PDUs reach every decoder', async (t) => {
  property(t, 'structured', 0x5eed0002, 4000, (rand) => Buffer.concat(Array.from({ length: randomInt(rand, 1, 6) }, () => structured(rand))));
});

t.test('uniformly random bytes', async (t) => {
  // Almost all fail at the version byte (3 values in 256 pass); that is the point.
  property(t, 'random', 0x5eed0003, 2000, (rand) => Buffer.from(Array.from({ length: randomInt(rand, 0, 300) }, () => randomInt(rand, 0, 255))), false);
});

t.test('a stream of the largest PDUs in 1-byte to 1500-byte chunks never retains more than one PDU', async (t) => {
  const big = encodePdu({ type: 10, version: 1, errorCode: 0, erroneousPdu: Buffer.alloc(65535 - 16 - 3, 0x5a), text: 'big' });
  t.equal(big.length, 65535);
  const rand = seededRandom(0x5eed0004);
  const framer = new RtrFramer();
  let seen = 0;
  let maxRetained = 0;
  for (const chunk of chunks(rand, Buffer.concat([big, big, big]))) {
    seen += framer.push(chunk).length;
    maxRetained = Math.max(maxRetained, framer.retainedBytes);
  }
  framer.end();
  t.equal(seen, 3);
  t.ok(maxRetained <= 65535, `retained at most ${maxRetained} bytes`);
});
