/**
 * Writers: byte-for-byte Routinator `json` layout, CSV, streaming chunks,
 * and round trips through the parsers.
 */
import t from 'tap';
import type { Asn } from '../../../src/net/asn.js';
import { makeAspaPerAfi } from '../../../src/rpki/aspa.js';
import { parseRpkiBytes, parseRpkiText } from '../../../src/rpki/formats/parse.js';
import { csvChunks, formatCsv, formatRoutinatorJson, routinatorJsonChunks } from '../../../src/rpki/formats/writers.js';
import { EMPTY_PAYLOAD, makePayload, samePayload } from '../../../src/rpki/payload.js';
import { VrpTable } from '../../../src/rpki/vrp-table.js';
import { parseVrp } from '../../../src/rpki/vrp.js';
import { corpusHas, payloadText, readCorpus, readFixture } from './payload-text.js';

const EPOCH = { generatedAt: new Date(0) };

t.test('Routinator json, byte for byte as Routinator writes 111.json (less its duplicates)', async (t) => {
  const text = readFixture('routinator-111.json').toString();
  const file = parseRpkiText(text, '111.json');
  // Routinator's test file lists every entry twice; we hold each once.
  const deduplicated = text.replace(/^( +\{.*\}),\n\1\n/gm, '$1\n');
  t.not(deduplicated, text);
  t.equal(formatRoutinatorJson(file.payload, EPOCH), deduplicated);
});

t.test('json: empty payload, metadata time, escaping, unknown TA as N/A', async (t) => {
  t.equal(
    formatRoutinatorJson(EMPTY_PAYLOAD, { generatedAt: new Date('2024-05-06T07:08:09.999Z') }),
    '{\n  "metadata": {\n    "generated": 1714979289,\n    "generatedTime": "2024-05-06T07:08:09Z"\n  },\n  "roas": [\n\n  ]\n}\n',
  );
  const payload = makePayload(
    VrpTable.from([parseVrp('192.0.2.0/24', 24, 'AS1', 'say "hi"'), parseVrp('2001:db8::/32', 48, 4200000000)]),
    [makeAspaPerAfi(10 as Asn, [20 as Asn], [30 as Asn])],
  );
  const json = formatRoutinatorJson(payload, EPOCH);
  t.same(JSON.parse(json), {
    metadata: { generated: 0, generatedTime: '1970-01-01T00:00:00Z' },
    roas: [
      { asn: 'AS1', prefix: '192.0.2.0/24', maxLength: 24, ta: 'say "hi"' },
      { asn: 'AS4200000000', prefix: '2001:db8::/32', maxLength: 48, ta: 'N/A' },
    ],
    // One provider list in this shape: the union, so no provider is lost.
    aspas: [{ customer: 'AS10', providers: ['AS20', 'AS30'], ta: 'N/A' }],
  });
});

t.test('csv, as Routinator writes it; quoting only when needed', async (t) => {
  const payload = makePayload(
    VrpTable.from([
      parseVrp('1.0.0.0/24', 24, 13335, 'apnic'),
      parseVrp('2001:db8::/32', 48, 64496),
      parseVrp('192.0.2.0/24', 32, 64497, 'a, "b"'),
    ]),
  );
  t.equal(
    formatCsv(payload),
    'ASN,IP Prefix,Max Length,Trust Anchor\n' +
      'AS13335,1.0.0.0/24,24,apnic\n' +
      'AS64497,192.0.2.0/24,32,"a, ""b"""\n' +
      'AS64496,2001:db8::/32,48,N/A\n',
  );
  t.same(payloadText(parseRpkiText(formatCsv(payload), 'x.csv').payload).vrps, [
    'AS13335 1.0.0.0/24-24 apnic',
    'AS64497 192.0.2.0/24-32 a, "b"',
    'AS64496 2001:db8::/32-48 N/A',
  ]);
});

t.test('round trips keep the payload (fixtures)', async (t) => {
  for (const name of ['routinator-111.json', 'stayrtr-test.rpki.json', 'rtrtr-vrps.rpki-client.json', 'bgpalerter-vrp.correct.json']) {
    const payload = parseRpkiBytes(readFixture(name), name).payload;
    t.ok(samePayload(parseRpkiText(formatRoutinatorJson(payload, EPOCH), 'out.json').payload, payload), `${name} via json`);
    const csv = parseRpkiText(formatCsv(payload), 'out.csv').payload;
    t.ok(csv.vrps.equals(payload.vrps), `${name} VRPs via csv`);
  }
});

t.test('5,000 real VRPs stream in chunks and read back the same', async (t) => {
  if (!corpusHas(t, 'rpki-validator-js/tests/test.json')) return;
  const payload = parseRpkiBytes(readCorpus('rpki-validator-js/tests/test.json'), 'test.json').payload;
  const jsonChunks = [...routinatorJsonChunks(payload, EPOCH)];
  const csv = [...csvChunks(payload)];
  t.ok(jsonChunks.length > 1 && csv.length > 1, `${jsonChunks.length} json and ${csv.length} csv chunks`);
  t.ok(jsonChunks.every((c) => c.length < 70 * 1024), 'chunks stay near 64 KiB');
  t.ok(parseRpkiText(jsonChunks.join(''), 'out.json').payload.vrps.equals(payload.vrps));
  t.ok(parseRpkiText(csv.join(''), 'out.csv').payload.vrps.equals(payload.vrps));
});
