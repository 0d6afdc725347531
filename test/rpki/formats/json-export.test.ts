/**
 * Every JSON export dialect in the corpus, with exact expected contents.
 * Fixtures (copied BSD files) run without the corpus; the rest skip when it
 * is absent (ROVD_REQUIRE_PEERS=1 makes that a failure).
 */
import t from 'tap';
import { parseRpkiBytes } from '../../../src/rpki/formats/parse.js';
import { VrpTable } from '../../../src/rpki/vrp-table.js';
import { parseVrp } from '../../../src/rpki/vrp.js';
import { caught } from '../../helpers/errors.js';
import { ZERO_KEY, ZERO_SKI, corpusHas, payloadText, readCorpus, readFixture } from './payload-text.js';

const RPKI_CLIENT_KEY =
  'MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE4FxJr0n2bux1uX1Evl-QWwZYvIadPjLuFX2mxqKuAGUhKnr7VLLDgrE--l9p5eH2kWTNVAN22FUU3db_RKpE2w';

t.test('Routinator json: ROAs, router keys and ASPAs, duplicates merged', async (t) => {
  const file = parseRpkiBytes(readFixture('routinator-111.json'), '111.json');
  t.equal(file.format, 'routinator-json');
  t.same(file.generatedAt, new Date(0));
  t.equal(file.expiresAt, undefined);
  t.same(payloadText(file.payload), {
    vrps: ['AS1234 12.34.56.0/24-24 N/A'],
    routerKeys: [`AS1234 ${ZERO_SKI} ${ZERO_KEY} N/A`],
    aspas: ['AS1234 > 1,2,3,4 N/A'],
  });
});

t.test('Routinator jsonext: source arrays instead of ta', async (t) => {
  const file = parseRpkiBytes(readFixture('routinator-111.jsonext'), '111.jsonext');
  t.equal(file.format, 'routinator-jsonext');
  // The exception sources carry no tal, so the trust anchor is unknown.
  t.same(payloadText(file.payload), {
    vrps: ['AS1234 12.34.56.0/24-24'],
    routerKeys: [`AS1234 ${ZERO_SKI} ${ZERO_KEY}`],
    aspas: ['AS1234 > 1,2,3,4'],
  });
  const ta = parseRpkiBytes(
    Buffer.from('{"roas":[{"asn":"AS1","prefix":"192.0.2.0/24","maxLength":24,"source":[{"type":"roa","uri":"rsync://x/a.roa","tal":"ripe"}]}]}'),
    'tal.json',
  );
  t.same(payloadText(ta.payload).vrps, ['AS1 192.0.2.0/24-24 ripe'], 'source[].tal is the trust anchor');
  t.equal(ta.format, 'routinator-jsonext');
});

t.test('Routinator json and jsonext of all 8 payload combinations agree', async (t) => {
  if (!corpusHas(t, 'routinator/test/output')) return;
  for (const n of ['000', '001', '010', '011', '100', '101', '110', '111']) {
    const json = parseRpkiBytes(readCorpus(`routinator/test/output/${n}.json`), `${n}.json`).payload;
    const ext = parseRpkiBytes(readCorpus(`routinator/test/output/${n}.jsonext`), `${n}.jsonext`).payload;
    const text = payloadText(json);
    t.same(
      { vrps: text.vrps.length, keys: text.routerKeys.length, aspas: text.aspas.length },
      { vrps: Number(n[0]), keys: Number(n[1]), aspas: Number(n[2]) },
      `${n}: one entry of each kind the name says (duplicates merged)`,
    );
    t.same(payloadText(ext), {
      vrps: text.vrps.map((v) => v.replace(/ N\/A$/, '')),
      routerKeys: text.routerKeys.map((v) => v.replace(/ N\/A$/, '')),
      aspas: text.aspas.map((v) => v.replace(/ N\/A$/, '')),
    }, `${n}: jsonext holds the same payload`);
  }
});

t.test('rpki-client: numeric ASNs, 4-byte ASN, bgpsec_keys, expires, talfiles array', async (t) => {
  const file = parseRpkiBytes(readFixture('rtrtr-vrps.rpki-client.json'), 'vrps.json');
  t.equal(file.format, 'rpki-client-json');
  t.same(file.generatedAt, new Date('2021-11-18T12:56:53Z'));
  t.same(file.expiresAt, new Date(1637371167 * 1000), 'earliest expires over ROAs and keys');
  t.same(payloadText(file.payload), {
    vrps: ['AS64512 192.0.2.0/24-24 ta', 'AS4200000000 2001:db8::/32-32 ta'],
    routerKeys: [`AS64512 be889b55d0b737397d75c49f485b858fa98ad11f ${RPKI_CLIENT_KEY} ta`],
    aspas: [],
  });
});

t.test('rpki-client: metadata after roas, ASNs as strings, talfiles as a string', async (t) => {
  if (!corpusHas(t, 'rtrtr/test-data/vrps-metadata.rpki-client.json')) return;
  const file = parseRpkiBytes(readCorpus('rtrtr/test-data/vrps-metadata.rpki-client.json'), 'x');
  t.equal(file.format, 'rpki-client-json');
  t.same(file.generatedAt, new Date('2020-12-11T22:18:15Z'));
  t.same(payloadText(file.payload).vrps, ['AS64512 192.0.2.0/24-24 ta', 'AS4200000000 2001:db8::/32-32 ta']);
});

t.test('StayRTR: rpki-client shape, obsolete provider_authorizations merged per customer', async (t) => {
  const file = parseRpkiBytes(readFixture('stayrtr-test.rpki.json'), 'test.rpki.json');
  t.equal(file.format, 'stayrtr-json');
  t.same(file.generatedAt, new Date('2023-07-27T18:56:02Z'));
  t.same(file.expiresAt, new Date(1827488503 * 1000));
  t.same(payloadText(file.payload), {
    vrps: [
      'AS13335 1.0.0.0/24-24 apnic',
      'AS38803 1.0.4.0/22-22 apnic',
      'AS38803 1.0.4.0/24-24 apnic',
      'AS38803 1.0.5.0/24-24 apnic',
      'AS1 192.0.2.0/24-24 lmao',
      'AS9367 2001:200:136::/48-48 apnic',
      'AS24047 2001:200:1ba::/48-48 apnic',
      'AS7660 2001:200:900::/40-40 apnic',
      'AS4690 2001:200:e00::/40-40 apnic',
      'AS1103 2001:610::/29-29 ripe',
      'AS1103 2001:610::/32-48 ripe',
      'AS3333 2001:610:240::/42-42 ripe',
      'AS30999 2001:4248::/32-64 afrinic',
      'AS6453 2001:42c8::/32-32 afrinic',
      'AS33764 2001:42d0::/40-40 afrinic',
      'AS33764 2001:42d0:1500::/40-40 afrinic',
      'AS27808 2800:38::/32-128 lacnic',
      'AS16814 2800:40::/32-32 lacnic',
      'AS16814 2800:40::/32-48 lacnic',
    ],
    routerKeys: [
      'AS15562 5d4250e2d81d4448d8a29efce91d29ff075ec9e2 MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEgFcjQ_g__LAQerAH2Mpp-GucoDAGBbhIqD33wNPsXxnAGb-mtZ7XQrVO9DQ6UlAShtig5-QfEKpTtFgiqfiAFQ',
      `AS15562 be889b55d0b737397d75c49f485b858fa98ad11f ${RPKI_CLIENT_KEY}`,
      'AS64496 510f485d29a29db7b515f9c478f8ed3cb7aa7d23 MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEhv5HEBGixUjKJTlenvcD1Axyi07rFdVY1KhN4vMPYy5y0Mx6zfaiEqJN27jK_l61xC36Vsaezd7eXAsZ1AEEsQ',
    ],
    aspas: ['AS15562 > 2914,8283,51088,206238', 'AS64496 > 1299,6939,7480,32097,50058,61138'],
  });
});

t.test('provider_authorizations keeps different sets per family', async (t) => {
  const file = parseRpkiBytes(
    Buffer.from(
      '{"roas":[],"provider_authorizations":{"ipv4":[{"customer_asid":1,"providers":[3,2]},{"customer_asid":1,"providers":[4]}],' +
        '"ipv6":[{"customer_asid":1,"providers":[5]},{"customer_asid":7,"providers":[8]}]}}',
    ),
    'pa.json',
  );
  t.same(payloadText(file.payload).aspas, ['AS1 > v4 2,3,4 | v6 5', 'AS7 > v4  | v6 8']);
});

t.test('StayRTR small test file: mixed ASN spellings', async (t) => {
  if (!corpusHas(t, 'stayrtr/cmd/stayrtr/smalltest.rpki.json')) return;
  const file = parseRpkiBytes(readCorpus('stayrtr/cmd/stayrtr/smalltest.rpki.json'), 'x');
  t.equal(file.format, 'rpki-client-json');
  t.same(file.generatedAt, new Date('2021-07-27T18:56:02Z'));
  t.same(file.expiresAt, new Date(1627568318 * 1000));
  t.same(payloadText(file.payload).vrps, ['AS13335 1.0.0.0/24-24 apnic', 'AS9367 2001:200:136::/48-48 apnic']);
});

t.test('bare arrays: BGPalerter mixes "13335", "AS2914" and 1234', async (t) => {
  const file = parseRpkiBytes(readFixture('bgpalerter-vrp.correct.json'), 'vrp.json');
  t.equal(file.format, 'bare-array-json');
  t.same(payloadText(file.payload), {
    vrps: ['AS2914 8.8.8.0/22-24', 'AS1234 82.112.100.0/24-24', 'AS13335 103.21.244.0/24-24'],
    routerKeys: [],
    aspas: [],
  });
});

t.test('bare arrays: rpki-validator-js, 5,000 real VRPs, every one checked', async (t) => {
  if (!corpusHas(t, 'rpki-validator-js/tests/test.json')) return;
  const bytes = readCorpus('rpki-validator-js/tests/test.json');
  const file = parseRpkiBytes(bytes, 'test.json');
  t.equal(file.format, 'bare-array-json');
  t.same(file.payload.vrps.stats(), { ipv4: 4455, ipv6: 545 });
  // An independent oracle: the domain constructor, one object per entry.
  const entries = JSON.parse(bytes.toString()) as { prefix: string; maxLength: number; asn: string }[];
  t.equal(entries.length, 5000);
  const oracle = VrpTable.from(entries.map((e) => parseVrp(e.prefix, e.maxLength, e.asn)));
  t.ok(file.payload.vrps.equals(oracle), 'same 5,000 VRPs as parseVrp gives');
  t.equal(payloadText(file.payload).vrps[0], 'AS4788 1.9.0.0/16-24', 'lowest IPv4 prefix first');
});

t.test('arouteserver (GPL, corpus only): RIPE validator cache, 28 entries, 14 distinct', async (t) => {
  if (!corpusHas(t, 'arouteserver/examples/rich/ripe-rpki-cache.json')) return;
  const file = parseRpkiBytes(readCorpus('arouteserver/examples/rich/ripe-rpki-cache.json'), 'x');
  t.equal(file.format, 'routinator-json');
  t.same(payloadText(file.payload).vrps, [
    'AS3333 193.0.0.0/21-21 RIPE NCC RPKI Root',
    'AS3333 193.0.10.0/23-23 RIPE NCC RPKI Root',
    'AS3333 193.0.12.0/23-23 RIPE NCC RPKI Root',
    'AS25152 193.0.14.0/23-23 RIPE NCC RPKI Root (RRDP prefetch)',
    'AS25152 193.0.14.0/24-24 RIPE NCC RPKI Root',
    'AS3333 193.0.18.0/23-23 RIPE NCC RPKI Root (RRDP prefetch)',
    'AS3333 193.0.20.0/23-23 RIPE NCC RPKI Root',
    'AS3333 193.0.22.0/23-23 RIPE NCC RPKI Root',
    'AS3333 193.0.24.0/22-26 RIPE NCC RPKI Root',
    'AS3333 193.0.24.0/24-24 RIPE NCC RPKI Root (RRDP prefetch)',
    'AS3333 2001:610:240::/42-42 RIPE NCC RPKI Root (RRDP prefetch)',
    'AS3333 2001:67c:2e8::/48-48 RIPE NCC RPKI Root',
    'AS25152 2001:7fd::/32-32 RIPE NCC RPKI Root',
    'AS25152 2001:7fd::/48-48 RIPE NCC RPKI Root (RRDP prefetch)',
  ]);
});

t.test('arouteserver (GPL, corpus only): ASPA shapes, expiry and OctoRPKI validity', async (t) => {
  if (!corpusHas(t, 'arouteserver/tests/static/data')) return;
  const read = (name: string) => parseRpkiBytes(readCorpus(`arouteserver/tests/static/data/${name}`), name);

  const ntt = read('rpki_aspas_ntt.json');
  t.equal(ntt.format, 'rpki-client-json');
  t.same(ntt.expiresAt, new Date(1000000000 * 1000), 'an ASPA expired in 2001 makes the file stale');
  t.same(payloadText(ntt.payload), {
    vrps: ['AS3333 193.0.0.0/21-21 ripe'],
    routerKeys: [],
    aspas: ['AS43 > 293', 'AS666 > 1', 'AS3333 > 1103,25152'],
  });

  const ripe = read('rpki_aspas_ripe.json');
  t.equal(ripe.format, 'routinator-json');
  t.same(payloadText(ripe.payload), {
    vrps: ['AS3333 193.0.0.0/21-21 RIPE NCC RPKI Root'],
    routerKeys: [],
    // "3334" and a bare 1103 are accepted; an empty provider list means no provider is authorised.
    aspas: ['AS43 > 293 arin', 'AS3333 > 1103,25152 ripe', 'AS3334 > 1103 ripe', 'AS3335 >  ripe'],
  });

  t.match(caught(() => read('rpki_aspas_invalid.json')), {
    name: 'RpkiFormatError',
    entry: 'aspas[1]',
    reason: 'missing customer (or customer_asid)',
  });

  const octo = read('rpki_roas_octorpki-validity.json');
  t.equal(octo.format, 'stayrtr-json');
  t.same(octo.generatedAt, new Date(1924991999 * 1000));
  t.same(octo.expiresAt, new Date(1027025198 * 1000), 'metadata.valid is when the file stops being valid');
  t.same(payloadText(octo.payload).vrps, ['AS20001 98.147.0.0/16-16 tals/ARIN-Pilot.tal']);

  const expired = read('rpki_roas_rpki-client_expired.json');
  t.equal(expired.format, 'rpki-client-json');
  t.same(expired.generatedAt, new Date('2021-07-21T17:26:00Z'));
  t.same(expired.expiresAt, new Date(1027049909 * 1000));
  t.same(payloadText(expired.payload).vrps, ['AS13335 1.0.0.0/24-24 apnic']);
});

t.test('a JSON object that is no RPKI export is refused, not read as empty', async (t) => {
  t.match(caught(() => parseRpkiBytes(Buffer.from('{"routes":[{"asn":"AS12654","prefix":"93.175.147.0/24"}]}'), 'beacons.json')), {
    name: 'RpkiFormatError',
    source: 'beacons.json',
    entry: undefined,
    reason: /^not an RPKI export/,
  });
  t.match(caught(() => parseRpkiBytes(Buffer.from('[1]'), 's')), { entry: '[0]', reason: 'must be an object, not 1' });
});
