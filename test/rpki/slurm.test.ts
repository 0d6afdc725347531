/**
 * SLURM (RFC 8416, draft-ietf-sidrops-aspa-slurm): every corpus file,
 * Routinator's own renderings as answer keys, filters applied to a payload
 * built here, each kind of bad member, and the §4.2 overlap rule.
 */
import t from 'tap';
import type { Asn } from '../../src/net/asn.js';
import { makeAspa } from '../../src/rpki/aspa.js';
import { parseRpkiBytes, parseRpkiText } from '../../src/rpki/formats/parse.js';
import { EMPTY_PAYLOAD, makePayload, samePayload } from '../../src/rpki/payload.js';
import { makeRouterKey } from '../../src/rpki/router-key.js';
import { type Slurm, applySlurm, applySlurms, parseSlurm, parseSlurmBytes } from '../../src/rpki/slurm.js';
import { VrpTable } from '../../src/rpki/vrp-table.js';
import { parseVrp } from '../../src/rpki/vrp.js';
import { caught } from '../helpers/errors.js';
import { ZERO_KEY, ZERO_SKI, corpusHas, payloadText, readCorpus, readFixture } from './formats/payload-text.js';

const asn = (n: number) => n as Asn;
const hex = (text: string) => Buffer.from(text).toString('hex');
const SKI_1234 = hex('12345678901234567890'); // "MTIzNDU2Nzg5MDEyMzQ1Njc4OTA" in full_v2.json
const SKI_DEAD = hex('deadbeatdeadbeatdead'); // "ZGVhZGJlYXRkZWFkYmVhdGRlYWQ"
const SKI_OTHER = 'ab'.repeat(20);

/** A SLURM document from its lists, v1 unless ASPA members are given. */
function slurmText(parts: {
  prefixFilters?: unknown[];
  bgpsecFilters?: unknown[];
  aspaFilters?: unknown[];
  prefixAssertions?: unknown[];
  bgpsecAssertions?: unknown[];
  aspaAssertions?: unknown[];
}): string {
  const v2 = parts.aspaFilters !== undefined || parts.aspaAssertions !== undefined;
  return JSON.stringify({
    slurmVersion: v2 ? 2 : 1,
    validationOutputFilters: {
      prefixFilters: parts.prefixFilters ?? [],
      bgpsecFilters: parts.bgpsecFilters ?? [],
      ...(v2 ? { aspaFilters: parts.aspaFilters ?? [] } : {}),
    },
    locallyAddedAssertions: {
      prefixAssertions: parts.prefixAssertions ?? [],
      bgpsecAssertions: parts.bgpsecAssertions ?? [],
      ...(v2 ? { aspaAssertions: parts.aspaAssertions ?? [] } : {}),
    },
  });
}

const slurm = (parts: Parameters<typeof slurmText>[0], source = 'local.slurm'): Slurm => parseSlurm(slurmText(parts), source);

t.test('answer key: Routinator 111.slurm(2) asserts exactly what 111.json holds', async (t) => {
  const json = parseRpkiBytes(readFixture('routinator-111.json'), '111.json').payload;
  const v1 = applySlurm(EMPTY_PAYLOAD, parseSlurmBytes(readFixture('routinator-111.slurm'), '111.slurm'));
  const v2 = applySlurm(EMPTY_PAYLOAD, parseSlurmBytes(readFixture('routinator-111.slurm2'), '111.slurm2'));
  t.ok(v1.vrps.equals(json.vrps), 'VRPs');
  t.same(payloadText(v1).routerKeys, [`AS1234 ${ZERO_SKI} ${ZERO_KEY}`], 'SKI "AAA...A" is 20 zero bytes, as hex');
  t.ok(samePayload(makePayload(v1.vrps, [], v1.routerKeys), makePayload(json.vrps, [], json.routerKeys)), 'VRPs and keys');
  t.ok(samePayload(v2, json), 'slurm2 adds the ASPAs: the whole payload');
});

t.test('answer key: all 8 Routinator combinations', async (t) => {
  if (!corpusHas(t, 'routinator/test/output')) return;
  for (const n of ['000', '001', '010', '011', '100', '101', '110', '111']) {
    const json = parseRpkiBytes(readCorpus(`routinator/test/output/${n}.json`), `${n}.json`).payload;
    const v1 = applySlurm(EMPTY_PAYLOAD, parseSlurmBytes(readCorpus(`routinator/test/output/${n}.slurm`), `${n}.slurm`));
    const v2 = applySlurm(EMPTY_PAYLOAD, parseSlurmBytes(readCorpus(`routinator/test/output/${n}.slurm2`), `${n}.slurm2`));
    t.ok(samePayload(v1, makePayload(json.vrps, [], json.routerKeys)), `${n}.slurm: same VRPs and router keys`);
    t.ok(samePayload(v2, json), `${n}.slurm2: same VRPs, router keys and ASPAs`);
    // The same files read as a VRP source.
    const asSource = parseRpkiBytes(readCorpus(`routinator/test/output/${n}.slurm2`), `${n}.slurm2`);
    t.equal(asSource.format, 'slurm');
    t.ok(samePayload(asSource.payload, json), `${n}.slurm2 as a source`);
  }
});

t.test('rpki-rs full_v2.json reads exactly', async (t) => {
  const s = parseSlurmBytes(readFixture('rpki-rs-full_v2.json'), 'full_v2.json');
  t.equal(s.version, 2);
  t.same(
    s.prefixFilters.map((f) => [f.prefix?.toString(), f.asn, f.comment]),
    [
      ['192.0.2.0/24', undefined, 'All VRPs encompassed by prefix'],
      [undefined, 64496, 'All VRPs matching ASN'],
      ['198.51.100.0/24', 64497, 'All VRPs encompassed by prefix, matching ASN'],
    ],
  );
  t.same(s.bgpsecFilters.map((f) => [f.asn, f.ski]), [[64496, undefined], [undefined, SKI_1234], [64497, SKI_DEAD]]);
  t.same(s.aspaFilters, [{ customerAsn: 64496, comment: 'ASPAs matching Customer ASID 64496' }]);
  t.same(
    s.prefixAssertions.map((a) => [a.prefix.toString(), a.asn, a.maxPrefixLength]),
    [['198.51.100.0/24', 64496, undefined], ['2001:db8::/32', 64496, 48]],
  );
  t.same(s.bgpsecAssertions, [{ asn: 64496, ski: SKI_1234, routerPublicKey: 'Ymx1YmI' }]);
  t.same(s.aspaAssertions.map((a) => [a.customerAsn, a.providerAsns]), [[64496, [64497, 64498]]]);
});

/** A payload for full_v2.json's filters to act on; comments say what happens to each entry. */
function filterTarget() {
  return makePayload(
    VrpTable.from([
      parseVrp('192.0.2.0/24', 24, 64511, 'ta'), // inside filter 0: removed
      parseVrp('192.0.2.128/25', 25, 64511, 'ta'), // inside filter 0: removed
      parseVrp('192.0.0.0/16', 24, 64511, 'ta'), // covers filter 0's prefix, is not covered: kept
      parseVrp('203.0.113.0/24', 24, 64496, 'ta'), // ASN filter 1: removed
      parseVrp('2001:db8::/32', 32, 64496, 'ta'), // ASN filter 1: removed
      parseVrp('198.51.100.0/24', 24, 64497, 'ta'), // filter 2, prefix and ASN: removed
      parseVrp('198.51.100.0/25', 25, 64497, 'ta'), // filter 2: removed
      parseVrp('198.51.100.0/24', 24, 64498, 'ta'), // filter 2's prefix, other ASN: kept
      parseVrp('198.51.0.0/16', 16, 64497, 'ta'), // filter 2's ASN, not inside its prefix: kept
    ]),
    [makeAspa(asn(64496), [asn(1), asn(2)], 'ta'), makeAspa(asn(64500), [asn(64501)], 'ta')],
    [
      makeRouterKey(asn(64496), SKI_OTHER, 'AAAA', 'ta'), // ASN filter: removed
      makeRouterKey(asn(65000), SKI_1234, 'AAAA', 'ta'), // SKI filter: removed
      makeRouterKey(asn(64497), SKI_DEAD, 'AAAA', 'ta'), // ASN and SKI filter: removed
      makeRouterKey(asn(64499), SKI_DEAD, 'AAAA', 'ta'), // that SKI, other ASN: kept
      makeRouterKey(asn(64497), SKI_OTHER, 'AAAA', 'ta'), // that ASN, other SKI: kept
    ],
  );
}

const FULL_SURVIVORS = {
  vrps: [
    'AS64511 192.0.0.0/16-24 ta',
    'AS64497 198.51.0.0/16-16 ta',
    'AS64496 198.51.100.0/24-24', // asserted after filtering (no trust anchor)
    'AS64498 198.51.100.0/24-24 ta',
    'AS64496 2001:db8::/32-48', // filtered, then asserted with maxPrefixLength 48
  ],
  routerKeys: [
    `AS64496 ${SKI_1234} Ymx1YmI`, // asserted
    `AS64497 ${SKI_OTHER} AAAA ta`,
    `AS64499 ${SKI_DEAD} AAAA ta`,
  ],
};

t.test('full_v2.json applied: filters first, then assertions (RFC 8416 §4.1)', async (t) => {
  const out = applySlurm(filterTarget(), parseSlurmBytes(readFixture('rpki-rs-full_v2.json'), 'full_v2.json'));
  t.same(payloadText(out), {
    ...FULL_SURVIVORS,
    // 64496's own ASPA is filtered and replaced by the assertion; 64500 untouched.
    aspas: ['AS64496 > 64497,64498', 'AS64500 > 64501 ta'],
  });
});

t.test('the RFC 8416 §3.5 example (Routinator full.json) with real-length SKIs filters the same', async (t) => {
  if (!corpusHas(t, 'routinator/test/slurm/full.json')) return;
  const text = readCorpus('routinator/test/slurm/full.json')
    .toString()
    .replace('"Zm9v"', '"MTIzNDU2Nzg5MDEyMzQ1Njc4OTA"')
    .replace('"YmFy"', '"ZGVhZGJlYXRkZWFkYmVhdGRlYWQ"')
    .replace('"<some base64 SKI>"', '"MTIzNDU2Nzg5MDEyMzQ1Njc4OTA"')
    .replace('"<some base64 public key>"', '"Ymx1YmI"');
  const out = applySlurm(filterTarget(), parseSlurm(text, 'full.json'));
  t.same(payloadText(out), { ...FULL_SURVIVORS, aspas: ['AS64496 > 1,2 ta', 'AS64500 > 64501 ta'] }, 'v1 leaves ASPAs alone');
});

t.test('an ASPA assertion for a customer still present merges with it', async (t) => {
  const out = applySlurm(filterTarget(), slurm({ aspaAssertions: [{ customerAsn: 64500, providerAsns: [64502] }] }));
  t.same(payloadText(out).aspas, ['AS64496 > 1,2 ta', 'AS64500 > 64501,64502 ta']);
});

t.test('every SLURM file in the corpus: loads if RFC-valid, else names the first bad member', async (t) => {
  const load = (path: string) => parseSlurmBytes(readCorpus(path), path);
  if (corpusHas(t, 'rpki-vrp-checker/data/slurm.json')) {
    const s = load('rpki-vrp-checker/data/slurm.json');
    t.same(s.prefixFilters.map((f) => f.prefix?.toString()), [
      '192.0.2.0/24',
      '194.32.71.0/24',
      '209.24.0.0/24',
      '209.24.12.0/24',
      '2001:7fb:fd04::/48',
    ]);
    t.same([s.bgpsecFilters, s.prefixAssertions, s.bgpsecAssertions], [[], [], []]);
  }
  const arouteserver = 'arouteserver/tests/live_tests/scenarios/rpki_rtr_example/routinator_local_exceptions.json';
  if (corpusHas(t, arouteserver)) {
    t.same(payloadText(applySlurm(EMPTY_PAYLOAD, load(arouteserver))).vrps, ['AS3333 193.0.0.0/21-21', 'AS3333 2001:67c:2e8::/48-48']);
  }
  const rejected: [string, string, RegExp][] = [
    // RFC §3.5's example: 3-byte SKIs and "<some base64 SKI>" placeholders.
    ['routinator/test/slurm/full.json', 'validationOutputFilters.bgpsecFilters[1].SKI', /"Zm9v" decodes to 3 bytes; a SKI is 20/],
    ['rpki-rs/test-data/slurm/full.json', 'validationOutputFilters.bgpsecFilters[1].SKI', /"Zm9v" decodes to 3 bytes/],
    // An early draft's slurmTarget, and routerSKI/publicKey for SKI/routerPublicKey.
    ['rpki-validator-3/rpki-validator/src/test/resources/slurm/slurm1.json', 'slurmTarget', /^unknown member$/],
    // RFC 8416 §3.2 requires both assertion lists.
    ['stayrtr/cmd/stayrtr/test.slurm.json', 'locallyAddedAssertions.bgpsecAssertions', /^missing$/],
    // Version 2 requires aspaFilters and aspaAssertions (and its SKIs are padded standard base64).
    ['stayrtr/prefixfile/slurm.json', 'validationOutputFilters.aspaFilters', /^missing$/],
  ];
  for (const [path, entry, reason] of rejected) {
    if (!corpusHas(t, path)) continue;
    t.match(caught(() => load(path)), { name: 'RpkiFormatError', source: path, entry, reason }, path);
  }
  if (corpusHas(t, 'stayrtr/prefixfile/slurm.json')) {
    // Given the v2 members, it still fails on its SKIs.
    const fixed = JSON.parse(readCorpus('stayrtr/prefixfile/slurm.json').toString()) as {
      validationOutputFilters: Record<string, unknown>;
      locallyAddedAssertions: Record<string, unknown>;
    };
    fixed.validationOutputFilters.aspaFilters = [];
    fixed.locallyAddedAssertions.aspaAssertions = [];
    t.match(caught(() => parseSlurm(JSON.stringify(fixed), 'fixed')), {
      entry: 'validationOutputFilters.bgpsecFilters[1].SKI',
      reason: /must be base64url without "=" padding/,
    });
  }
});

t.test('bad members, each named by its path', async (t) => {
  const cases: [string, string | undefined, RegExp][] = [
    ['[]', undefined, /^must be an object/],
    [slurmText({}).replace('"slurmVersion":1', '"slurmVersion":"1"'), 'slurmVersion', /must be the number 1 or 2/],
    [slurmText({}).replace('"slurmVersion":1', '"slurmVersion":3'), 'slurmVersion', /must be the number 1 or 2/],
    [slurmText({}).replace('"bgpsecFilters":[]', '"bgpsecFilters":[],"aspaFilters":[]'), 'validationOutputFilters.aspaFilters', /^unknown member$/],
    [slurmText({}).replace('"prefixFilters":[],', ''), 'validationOutputFilters.prefixFilters', /^missing$/],
    [slurmText({}).replace('"prefixAssertions":[]', '"prefixAssertions":{}'), 'locallyAddedAssertions.prefixAssertions', /must be an array/],
    [slurmText({ prefixFilters: [{}] }), 'validationOutputFilters.prefixFilters[0]', /needs a prefix, an asn or both/],
    [slurmText({ prefixFilters: [{ comment: 'only' }] }), 'validationOutputFilters.prefixFilters[0]', /needs a prefix/],
    [slurmText({ prefixFilters: [{ prefix: '192.0.2.1/24' }] }), 'validationOutputFilters.prefixFilters[0].prefix', /host bits set/],
    [slurmText({ prefixFilters: [{ asn: 'AS64496' }] }), 'validationOutputFilters.prefixFilters[0].asn', /must be a number/],
    [slurmText({ prefixFilters: [{ asn: 4294967296 }] }), 'validationOutputFilters.prefixFilters[0].asn', /must be a number/],
    [slurmText({ prefixFilters: [{ asn: 1, comment: 5 }] }), 'validationOutputFilters.prefixFilters[0].comment', /must be a string/],
    [slurmText({ prefixAssertions: [{ asn: 1, prefix: '192.0.2.0/24', maxLength: 24 }] }), 'locallyAddedAssertions.prefixAssertions[0].maxLength', /^unknown member$/],
    [slurmText({ prefixAssertions: [{ asn: 1 }] }), 'locallyAddedAssertions.prefixAssertions[0].prefix', /^missing$/],
    [slurmText({ prefixAssertions: [{ asn: 1, prefix: '192.0.2.0/24', maxPrefixLength: 23 }] }), 'locallyAddedAssertions.prefixAssertions[0].maxPrefixLength', /from 24 to 32/],
    [slurmText({ prefixAssertions: [{ asn: 1, prefix: '2001:db8::/32', maxPrefixLength: 129 }] }), 'locallyAddedAssertions.prefixAssertions[0].maxPrefixLength', /from 32 to 128/],
    [slurmText({ bgpsecFilters: [{ comment: 'x' }] }), 'validationOutputFilters.bgpsecFilters[0]', /needs an asn, a SKI or both/],
    [slurmText({ bgpsecFilters: [{ SKI: 'MTIzNDU2Nzg5MDEyMzQ1Njc4OTA=' }] }), 'validationOutputFilters.bgpsecFilters[0].SKI', /without "=" padding/],
    [slurmText({ bgpsecFilters: [{ SKI: 'NQYXZ0PgL2fdRscxGdVDa+fhAQY' }] }), 'validationOutputFilters.bgpsecFilters[0].SKI', /must be base64url \(RFC 4648 §5/],
    [slurmText({ bgpsecFilters: [{ SKI: 'MTIzNDU2Nzg5MDEyMzQ1Njc4OTB' }] }), 'validationOutputFilters.bgpsecFilters[0].SKI', /not canonical/],
    [slurmText({ bgpsecFilters: [{ SKI: 'XC7RBWu3661vfYmhXZwtUw' }] }), 'validationOutputFilters.bgpsecFilters[0].SKI', /decodes to 16 bytes/],
    [slurmText({ bgpsecFilters: [{ routerSKI: 'Zm9v' }] }), 'validationOutputFilters.bgpsecFilters[0].routerSKI', /^unknown member$/],
    [slurmText({ bgpsecAssertions: [{ asn: 1, SKI: 'MTIzNDU2Nzg5MDEyMzQ1Njc4OTA' }] }), 'locallyAddedAssertions.bgpsecAssertions[0].routerPublicKey', /^missing$/],
    [slurmText({ bgpsecAssertions: [{ asn: 1, SKI: 'MTIzNDU2Nzg5MDEyMzQ1Njc4OTA', routerPublicKey: 'MFkw/EwY' }] }), 'locallyAddedAssertions.bgpsecAssertions[0].routerPublicKey', /must be base64url/],
    [slurmText({ bgpsecAssertions: [{ asn: 1, SKI: 'MTIzNDU2Nzg5MDEyMzQ1Njc4OTA', routerPublicKey: 7 }] }), 'locallyAddedAssertions.bgpsecAssertions[0].routerPublicKey', /must be a string/],
    [slurmText({ aspaFilters: [{ comment: 'x' }] }), 'validationOutputFilters.aspaFilters[0].customerAsn', /^missing$/],
    [slurmText({ aspaAssertions: [{ customerAsn: 1, providerAsns: [3, 2] }] }), 'locallyAddedAssertions.aspaAssertions[0].providerAsns[1]', /ascending order without repeats/],
    [slurmText({ aspaAssertions: [{ customerAsn: 1, providerAsns: [2, 2] }] }), 'locallyAddedAssertions.aspaAssertions[0].providerAsns[1]', /ascending/],
    [slurmText({ aspaAssertions: [{ customerAsn: 1, providerAsns: [1, 2] }] }), 'locallyAddedAssertions.aspaAssertions[0].providerAsns[0]', /the customer itself/],
    [slurmText({ aspaAssertions: [{ customerAsn: 1, providerAsns: [] }] }), 'locallyAddedAssertions.aspaAssertions[0].providerAsns', /at least one provider/],
    [slurmText({ aspaAssertions: [{ customerAsn: 1, providerAsns: 2 }] }), 'locallyAddedAssertions.aspaAssertions[0].providerAsns', /must be an array/],
    [slurmText({ aspaAssertions: [{ customerAsn: 1, providerSet: [2] }] }), 'locallyAddedAssertions.aspaAssertions[0].providerAsns', /^missing$/],
    ['{"slurmVersion": 1,', 'line 1', /^invalid JSON/],
  ];
  for (const [text, entry, reason] of cases) {
    t.match(caught(() => parseSlurm(text, 'bad.slurm')), { name: 'RpkiFormatError', source: 'bad.slurm', entry, reason }, `${entry}`);
  }
});

t.test('a SLURM file with filters is not a VRP source', async (t) => {
  t.match(caught(() => parseRpkiText(slurmText({ prefixFilters: [{ asn: 1 }] }), 'f.slurm')), {
    entry: 'validationOutputFilters',
    reason: /is a set of exceptions, not a VRP source/,
  });
});

t.test('RFC 8416 §4.2: files that overlap are refused, naming both entries', async (t) => {
  const a = slurm({ prefixFilters: [{ asn: 64496 }, { prefix: '192.0.2.0/24' }], bgpsecFilters: [{ asn: 64496 }] }, 'a.slurm');
  const overlapping: [Slurm, string, RegExp][] = [
    [slurm({ prefixAssertions: [{ asn: 1, prefix: '192.0.2.128/25' }] }, 'b.slurm'), 'locallyAddedAssertions.prefixAssertions[0]', /^prefix 192.0.2.128\/25 overlaps prefix 192.0.2.0\/24 at validationOutputFilters.prefixFilters\[1\] of a.slurm/],
    [slurm({ prefixFilters: [{ prefix: '192.0.0.0/16' }] }, 'b.slurm'), 'validationOutputFilters.prefixFilters[0]', /^prefix 192.0.0.0\/16 overlaps/],
    [slurm({ prefixAssertions: [{ asn: 9, prefix: '192.0.2.0/24' }] }, 'b.slurm'), 'locallyAddedAssertions.prefixAssertions[0]', /overlaps/],
    [slurm({ bgpsecAssertions: [{ asn: 64496, SKI: 'MTIzNDU2Nzg5MDEyMzQ1Njc4OTA', routerPublicKey: 'AAAA' }] }, 'b.slurm'), 'locallyAddedAssertions.bgpsecAssertions[0]', /^BGPsec ASN AS64496 overlaps BGPsec ASN AS64496 at validationOutputFilters.bgpsecFilters\[0\] of a.slurm/],
  ];
  for (const [b, entry, reason] of overlapping) {
    t.match(caught(() => applySlurms(EMPTY_PAYLOAD, [a, b])), { name: 'RpkiFormatError', source: 'b.slurm', entry, reason }, entry);
    // In the other order the blame moves to a.slurm, the file given later.
    t.match(caught(() => applySlurms(EMPTY_PAYLOAD, [b, a])), { name: 'RpkiFormatError', source: 'a.slurm', reason: new RegExp(`at ${entry.replace(/[[\]]/g, '\\$&')} of b.slurm`) }, `${entry}, files in the other order`);
  }
  const aspaA = slurm({ aspaFilters: [{ customerAsn: 7 }] }, 'a2.slurm');
  const aspaB = slurm({ aspaAssertions: [{ customerAsn: 7, providerAsns: [8] }] }, 'b2.slurm');
  t.match(caught(() => applySlurms(EMPTY_PAYLOAD, [aspaA, aspaB])), { source: 'b2.slurm', reason: /^ASPA customer AS7 overlaps/ });
});

t.test('files that do not overlap combine, in any order', async (t) => {
  // ASN-only prefix filters and SKI-only BGPsec filters claim no address
  // space or ASN under §4.2; IPv4 and IPv6 never overlap.
  const a = slurm(
    { prefixFilters: [{ asn: 64496 }, { prefix: '192.0.2.0/24' }], bgpsecFilters: [{ SKI: 'MTIzNDU2Nzg5MDEyMzQ1Njc4OTA' }] },
    'a.slurm',
  );
  const b = slurm(
    {
      prefixFilters: [{ asn: 64496 }, { prefix: '2001:db8::/32' }],
      prefixAssertions: [{ asn: 64497, prefix: '198.51.100.0/24', maxPrefixLength: 25 }],
      bgpsecFilters: [{ SKI: 'MTIzNDU2Nzg5MDEyMzQ1Njc4OTA' }],
    },
    'b.slurm',
  );
  const input = makePayload(
    VrpTable.from([
      parseVrp('192.0.2.0/24', 24, 1, 'ta'),
      parseVrp('2001:db8:1::/48', 48, 1, 'ta'),
      parseVrp('203.0.113.0/24', 24, 64496, 'ta'),
      parseVrp('203.0.113.0/24', 24, 2, 'ta'),
    ]),
  );
  const ab = applySlurms(input, [a, b]);
  t.same(payloadText(ab).vrps, ['AS64497 198.51.100.0/24-25', 'AS2 203.0.113.0/24-24 ta']);
  t.ok(samePayload(ab, applySlurms(input, [b, a])));
  t.equal(applySlurms(input, []), input, 'no files: the payload itself');
});

t.test('overlap inside one file is allowed (filter a route, assert its replacement)', async (t) => {
  const s = slurm({ prefixFilters: [{ prefix: '192.0.2.0/24' }], prefixAssertions: [{ asn: 5, prefix: '192.0.2.0/24' }] });
  const out = applySlurm(makePayload(VrpTable.from([parseVrp('192.0.2.0/24', 24, 4, 'ta')])), s);
  t.same(payloadText(out).vrps, ['AS5 192.0.2.0/24-24']);
});
