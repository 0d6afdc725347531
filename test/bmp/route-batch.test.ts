/**
 * The batch a decoder thread sends (route-batch.ts) and the decoder that
 * makes it (batch-decoder.ts), in-thread: ROUTES records for the Route
 * Monitoring it decodes, FRAME records (the message whole) for the rest
 * and for what it cannot decode, framing errors after the records before
 * them, bounded peer and text tables; and readChunk() refusing a broken
 * chunk with a ParseError (field bmp.batch.…) before anything reads it.
 */
import t from 'tap';
import { BmpBatchDecoder } from '../../src/bmp/batch-decoder.js';
import type { BmpFrame } from '../../src/bmp/framer.js';
import {
  type BatchTables,
  BmpRouteBatch,
  type ChunkItem,
  type DecodedChunk,
  R_BYTES,
  R_KIND,
  R_PEER,
  R_RIB,
  R_UPDATE,
  R_WORDS,
  RECORD_ROUTES,
  parseErrorOf,
  readChunk,
} from '../../src/bmp/route-batch.js';
import { UW_ANNOUNCED } from '../../src/rib/update-words.js';
import { ParseError } from '../../src/wire/parse-error.js';
import { caught } from '../helpers/errors.js';
import { randomInt, seededRandom } from '../helpers/random.js';
import { cat } from './helpers/build.js';
import { mixedStream } from './helpers/mixed-stream.js';

const tables = (): BatchTables => ({ peers: [], texts: [] });
const kinds = (items: ChunkItem[]): string[] => items.map((i) => (i instanceof BmpRouteBatch ? `routes×${i.size}` : `frame:${(i as BmpFrame).type}`));

t.test('records in stream order: runs of decoded Route Monitoring, other messages whole', async (t) => {
  const msgs = mixedStream();
  const d = new BmpBatchDecoder();
  const chunk = d.push(cat(...msgs));
  t.equal(chunk.failure, undefined);
  t.equal(chunk.bytes, cat(...msgs).length);
  t.same(chunk.peers.map((p) => p.address), ['198.51.100.7', '192.0.2.1'], 'peers, once each');
  t.same(chunk.texts, ['192.0.2.9', '192.0.2.254', '2001:db8::fe', 'fe80::1'], 'texts, once each');
  const items = readChunk(chunk, tables());
  // init, early(RM), peerUp, v4 v6 both withdraw6 post postNoNextHop preNoNextHop (RM ×7), broken (frame), v4tlv eor4 eor6... stats between
  t.same(kinds(items), ['frame:4', 'routes×1', 'frame:3', 'routes×7', 'frame:0', 'routes×1', 'frame:1', 'routes×2', 'frame:2', 'frame:5', 'frame:0']);
  const frames = items.filter((i): i is BmpFrame => !(i instanceof BmpRouteBatch));
  let offset = 0;
  const offsets = msgs.map((m) => ((offset += m.length), offset - m.length));
  t.same(frames.map((f) => f.offset), [offsets[0], offsets[2], offsets[10], offsets[12], offsets[15], offsets[16], offsets[17]], 'frame offsets');
  t.same([...frames[2]!.bytes], [...msgs[10]!], 'the broken message, whole, for the session to report');
  const batch = items[3] as BmpRouteBatch;
  t.match(batch.counts, { messages: 7, announced: 8, withdrawn: 5, endOfRib: 1, treatAsWithdraw: 1, attributeDiscard: 1, withoutPeerUp: 2 });
  t.match(batch.messages()[0], { peer: { address: '192.0.2.1', asn: 64501 }, rib: 'adj-rib-in-pre', offset: offsets[3], capabilitiesFrom: 'peer-up', action: 'none', attributes: { med: 7, communities: [65000], nextHop: '192.0.2.254' } });
  t.same(batch.messages()[0]!.announced.map((n) => `${n.prefix}#${n.pathId}`), ['192.0.2.0/24#1', '192.0.2.0/24#2', '198.51.100.0/24#1', '10.0.0.0/8#9']);
});

t.test('cut anywhere, the records are the same; a framing error comes after the records before it', async (t) => {
  const stream = cat(...mixedStream());
  const whole = readChunk(new BmpBatchDecoder().push(stream), tables());
  const rand = seededRandom(5);
  for (let round = 0; round < 20; round++) {
    const d = new BmpBatchDecoder();
    const tb = tables();
    const items: ChunkItem[] = [];
    for (let i = 0; i < stream.length; ) {
      const n = randomInt(rand, 1, 300);
      items.push(...readChunk(d.push(stream.subarray(i, i + n)), tb));
      i += n;
    }
    t.equal(d.end(), undefined);
    const flat = (list: ChunkItem[]) => list.flatMap((i) => (i instanceof BmpRouteBatch ? i.messages().map((m) => JSON.stringify(m)) : [JSON.stringify([...(i as BmpFrame).bytes])]));
    t.same(flat(items), flat(whole), `round ${round}`);
  }
  const d = new BmpBatchDecoder();
  const [init, , peerUp] = mixedStream();
  const chunk = d.push(cat(init!, peerUp!, Buffer.from([7, 0, 0, 0, 6, 0])));
  t.same(kinds(readChunk(chunk, tables())), ['frame:4', 'frame:3']);
  t.match(parseErrorOf(chunk.failure!), { name: 'ParseError', kind: 'unsupported', field: 'bmp.header.version' });
  t.ok(parseErrorOf(chunk.failure!) instanceof ParseError);
  t.match(d.push(init!).failure, { details: { field: 'bmp.header.version' } }, 'sticky');
  const cut = new BmpBatchDecoder();
  cut.push(init!.subarray(0, 9));
  t.match(cut.end(), { details: { kind: 'truncated', field: 'bmp.message' } });
});

t.test('peer and text tables are bounded: they start afresh, and readChunk follows', async (t) => {
  const msgs = mixedStream();
  const d = new BmpBatchDecoder({ maxTableEntries: 2 });
  const tb = tables();
  const first = d.push(cat(...msgs.slice(0, 4)));
  readChunk(first, tb);
  t.equal(first.reset, false);
  const before = tb.texts;
  const second = d.push(cat(...msgs.slice(4, 6)));
  t.equal(second.reset, true, 'reset once a table reached the bound');
  const items = readChunk(second, tb);
  t.not(tb.texts, before, 'new arrays: batches read before keep theirs');
  t.same(tb.texts, ['2001:db8::fe', 'fe80::1', '192.0.2.254']);
  t.match((items[0] as BmpRouteBatch).messages()[0], { peer: { address: '192.0.2.1' }, attributes: { nextHop: '2001:db8::fe', linkLocalNextHop: 'fe80::1' } });
});

t.test('readChunk refuses a broken chunk with a ParseError', async (t) => {
  const msgs = mixedStream();
  const good = new BmpBatchDecoder().push(cat(msgs[0]!, msgs[2]!, msgs[3]!));
  const words = new Uint32Array(good.buffer, 0, good.words);
  const routesAt = words[R_WORDS]! + words[words[R_WORDS]! + R_WORDS]!; // after the two frames
  t.equal(words[routesAt + R_KIND], RECORD_ROUTES);
  const variant = (mutate: (w: Uint32Array) => void, extra: Partial<DecodedChunk> = {}): DecodedChunk => {
    const w = words.slice();
    mutate(w);
    return { ...good, buffer: w.buffer, ...extra };
  };
  const cases: [string, DecodedChunk, RegExp][] = [
    ['no buffer', { ...good, buffer: undefined as never }, /bmp\.batch\.buffer/],
    ['more words than the buffer', { ...good, words: good.buffer.byteLength / 4 + 1 }, /bmp\.batch\.buffer/],
    ['peers not identities', { ...good, peers: [{ key: 1 }] as never }, /bmp\.batch\.peers/],
    ['texts not strings', { ...good, texts: [5] as never }, /bmp\.batch\.texts/],
    ['record length zero', variant((w) => (w[R_WORDS] = 0)), /bmp\.batch\.record\.words/],
    ['record overruns', variant((w) => (w[routesAt + R_WORDS] = 99_999)), /bmp\.batch\.record\.words/],
    ['unknown kind', variant((w) => (w[routesAt + R_KIND] = 9)), /bmp\.batch\.record\.kind/],
    ['frame length', variant((w) => (w[R_BYTES] = w[R_BYTES]! + 9)), /bmp\.batch\.frame\.bytes/],
    ['peer not in the table', variant((w) => (w[routesAt + R_PEER] = 7)), /bmp\.batch\.peer/],
    ['rib code', variant((w) => (w[routesAt + R_RIB] = 6)), /bmp\.batch\.rib/],
    ['update words', variant((w) => (w[routesAt + R_UPDATE + UW_ANNOUNCED] = 50)), /bmp\.batch\.update/],
    ['cut inside a record', { ...good, words: good.words - 1 }, /bmp\.batch\.record\.words|bmp\.batch\.update/],
  ];
  t.ok(readChunk(good, tables()).length > 0, 'the good one reads');
  for (const [what, chunk, field] of cases) {
    const err = caught(() => readChunk(chunk, tables()));
    t.ok(err instanceof ParseError, `${what}: ParseError`);
    t.match((err as ParseError).field, field, what);
  }
  // Random corruption of the words: a ParseError or items, never anything else.
  const rand = seededRandom(3);
  for (let i = 0; i < 3000; i++) {
    const chunk = variant((w) => {
      for (let k = randomInt(rand, 1, 3); k > 0; k--) w[randomInt(rand, 0, w.length - 1)] = rand() < 0.5 ? randomInt(rand, 0, 64) : (rand() * 2 ** 32) >>> 0;
    });
    try {
      for (const item of readChunk(chunk, tables())) if (item instanceof BmpRouteBatch) item.messages();
    } catch (e) {
      if (!(e instanceof ParseError)) throw e;
    }
  }
  t.pass('random corruption: ParseError or items');
});
