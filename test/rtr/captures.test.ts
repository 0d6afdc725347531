/**
 * Real bytes: tcpdump's RPKI-RTR capture (a fuzzed segment, compared with
 * tcpdump's own decode in the .out files) and what StayRTR 0.5.1 actually
 * sends for Reset Queries in versions 0-2 and for two bad queries (captured
 * by helpers/capture-stayrtr.ts from the StayRTR test file it serves, which
 * is therefore the oracle for the payload).
 */
import { readFileSync } from 'node:fs';
import t from 'tap';
import { RtrFramer } from '../../src/rtr/framer.js';
import type { Pdu } from '../../src/rtr/pdu.js';
import { decodePdu, encodePdu } from '../../src/rtr/pdu-codec.js';
import { RtrParseError } from '../../src/rtr/pdu-error.js';
import { corpusPath, fixturePath, haveCorpus } from '../helpers/corpus.js';
import { caught } from '../helpers/errors.js';
import { type PcapTcpPacket, readPcap, writePcap } from './helpers/pcap.js';
import { plain, samplePdus } from './helpers/samples.js';

const fixture = (name: string): Buffer => readFileSync(fixturePath(`rtr/${name}`));

/** Frames and decodes a whole stream; decoding errors are collected, framing errors thrown. */
function decodeStream(bytes: Uint8Array): { pdus: Pdu[]; errors: RtrParseError[] } {
  const framer = new RtrFramer();
  const pdus: Pdu[] = [];
  const errors: RtrParseError[] = [];
  for (const f of framer.push(bytes)) {
    try {
      pdus.push(decodePdu(f.bytes, f.offset));
    } catch (e) {
      if (!(e instanceof RtrParseError)) throw e;
      errors.push(e);
    }
  }
  framer.end();
  return { pdus, errors };
}

t.test('tcpdump rpki-rtr-oobr.pcap: version 171, refused as tcpdump prints it', async (t) => {
  const packets = readPcap(fixture('rpki-rtr-oobr.pcap'));
  t.equal(packets.length, 1);
  const p = packets[0] as PcapTcpPacket;
  // tcpdump -v: "19.128.128.20.323 > 76.19.6.127.49600: Flags [e], seq 2684354563:2684354573, win 28672, length 10"
  const out = fixture('rpki-rtr-oobr.out').toString('utf8');
  const m = /\.(\d+) > [\d.]+\.(\d+): .*seq (\d+):(\d+), .*length (\d+)/.exec(out)!;
  t.same([p.srcPort, p.dstPort, p.seq, p.seq + p.payload.length, p.payload.length], m.slice(1, 6).map(Number));
  // "[total length 62 > length 50]": the IP header claims more than was captured.
  t.ok(p.truncated);
  t.match(out, /RPKI-RTRv171 \(unknown\)/);
  t.match(fixture('rpki-rtr-oobr-vv.out').toString('utf8'), /RPKI-RTRv171 \(unknown\)/);

  // The framer refuses the first byte: version 171, code 4 Unsupported Protocol Version.
  const err = caught(() => new RtrFramer().push(p.payload));
  t.match(err, { name: 'RtrParseError', kind: 'unsupported', field: 'rtr.header.version', offset: 0, errorCode: 4, pduType: 6, message: /protocol version 171/ });
  t.match(caught(() => decodePdu(p.payload)), { field: 'rtr.header.version', errorCode: 4 });
});

t.test('the committed tcpdump fixtures are byte copies of the corpus', async (t) => {
  for (const name of ['rpki-rtr-oobr.pcap', 'rpki-rtr-oobr.out', 'rpki-rtr-oobr-vv.out']) {
    if (!haveCorpus(t, `tcpdump/tests/${name}`)) continue;
    t.same(fixture(name), readFileSync(corpusPath(`tcpdump/tests/${name}`)), name);
  }
});

t.test('a synthetic capture: an RTR stream cut into TCP segments survives pcap → framer → decoder', async (t) => {
  const stream = Buffer.concat(samplePdus(2).map(encodePdu));
  const segments: Buffer[] = [];
  for (let i = 0; i < stream.length; i += 37) segments.push(stream.subarray(i, i + 37));
  const packets = readPcap(writePcap(segments)) as PcapTcpPacket[];
  t.same(packets.map((p) => p.srcPort), segments.map(() => 323));
  const reassembled = Buffer.concat([...packets].sort((a, b) => a.seq - b.seq).map((p) => p.payload));
  const { pdus, errors } = decodeStream(reassembled);
  t.same(errors, []);
  t.same(pdus.map(plain), samplePdus(2).map(plain));
});

interface StayRtrFile {
  roas: Array<{ asn: number; prefix: string; maxLength: number }>;
  bgpsec_keys: Array<{ asn: number; ski: string; pubkey: string }>;
}
const served = JSON.parse(readFileSync(fixturePath('rpki/stayrtr-test.rpki.json'), 'utf8')) as StayRtrFile;
const expectedVrps = served.roas.map((r) => `AS${r.asn} ${r.prefix}-${r.maxLength}`).sort();
const expectedKeys = served.bgpsec_keys.map((k) => `AS${k.asn} ${k.ski} ${Buffer.from(k.pubkey, 'base64').toString('hex')}`).sort();

function payloadOf(pdus: Pdu[]): { vrps: string[]; keys: string[] } {
  const vrps: string[] = [];
  const keys: string[] = [];
  for (const p of pdus) {
    if (p.type === 4 || p.type === 6) vrps.push(`AS${p.asn} ${p.prefix.toString()}-${p.maxLength}`);
    if (p.type === 9) keys.push(`AS${p.asn} ${Buffer.from(p.ski).toString('hex')} ${Buffer.from(p.spki).toString('hex')}`);
  }
  return { vrps: vrps.sort(), keys: keys.sort() };
}

t.test('StayRTR 0.5.1, version 0 Reset Query: Cache Response, every VRP, End of Data v0', async (t) => {
  const { pdus, errors } = decodeStream(fixture('stayrtr-0.5.1-reset-v0.bin'));
  t.same(errors, []);
  t.match(pdus[0], { type: 3, version: 0 });
  t.same(plain(pdus.at(-1)!), { type: 7, version: 0, sessionId: (pdus[0] as { sessionId: number }).sessionId, serial: 0 });
  t.ok(pdus.every((p) => p.version === 0));
  t.same(payloadOf(pdus), { vrps: expectedVrps, keys: [] });
  t.ok(pdus.filter((p) => p.type === 4 || p.type === 6).every((p) => 'announce' in p && p.announce));
});

t.test('StayRTR 0.5.1, version 1 Reset Query: VRPs, router keys, End of Data with its timers', async (t) => {
  const bytes = fixture('stayrtr-0.5.1-reset-v1.bin');
  const { pdus, errors } = decodeStream(bytes);
  t.same(errors, []);
  t.same(payloadOf(pdus), { vrps: expectedVrps, keys: expectedKeys });
  t.match(pdus.at(-1), { type: 7, version: 1, serial: 0, refreshInterval: 3600, retryInterval: 600, expireInterval: 7200 });
  // Re-encoding reproduces StayRTR's bytes exactly.
  t.same(Buffer.concat(pdus.map(encodePdu)), bytes);
});

t.test('StayRTR 0.5.1, version 2: its ASPA PDUs use the older layout and are refused with code 9', async (t) => {
  const { pdus, errors } = decodeStream(fixture('stayrtr-0.5.1-reset-v2.bin'));
  t.same(payloadOf(pdus), { vrps: expectedVrps, keys: expectedKeys });
  t.match(pdus.at(-1), { type: 7, version: 2 });
  // Two customers, one ASPA per address family each.
  t.equal(errors.length, 4);
  for (const e of errors) {
    t.match(e, { field: 'rtr.aspa.providers', errorCode: 9, pduType: 11, replyAllowed: true, message: /older ASPA layout with AFI flags and a provider count/ });
  }
});

t.test('StayRTR 0.5.1 answers a version 3 query with a version 0 Error Report, code 4', async (t) => {
  const { pdus, errors } = decodeStream(fixture('stayrtr-0.5.1-reset-v3.bin'));
  t.same(errors, []);
  // StayRTR NUL-terminates its text ("Some clients require null-terminated strings").
  t.same(plain(pdus[0]!), { type: 10, version: 0, errorCode: 4, erroneousPdu: '', text: 'Bad protocol version\0' });
});

t.test('StayRTR 0.5.1 answers a Serial Query for an unknown session with Corrupt Data', async (t) => {
  const { pdus, errors } = decodeStream(fixture('stayrtr-0.5.1-serial-wrong-session-v1.bin'));
  t.same(errors, []);
  t.same(plain(pdus[0]!), { type: 10, version: 1, errorCode: 0, erroneousPdu: '', text: 'Session ID mismatch: client is desynchronized\0' });
});

t.test('the pcap reader reports what it cannot follow instead of throwing', async (t) => {
  const good = writePcap([Buffer.from([1, 2, 0, 0, 0, 0, 0, 8])]);
  const udp = Buffer.from(good);
  udp[24 + 16 + 14 + 9] = 17; // IP protocol UDP
  t.match(readPcap(udp), [{ index: 0, problem: 'IP protocol 17' }]);
  const cut = good.subarray(0, good.length - 20); // the record ends inside the TCP header
  t.match(readPcap(cut), [{ index: 0, problem: 'TCP header cut off' }]);
  t.match(caught(() => readPcap(Buffer.alloc(10))), { message: /shorter than its global header/ });
  t.match(caught(() => readPcap(Buffer.alloc(24))), { message: /unknown magic/ });
});
