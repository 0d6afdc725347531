/**
 * All or nothing: each kind of bad entry rejects the whole file with an
 * RpkiFormatError naming the source, the entry and the reason.
 */
import t from 'tap';
import { RpkiFormatError } from '../../../src/rpki/formats/rpki-file.js';
import { parseRpkiBytes, parseRpkiText } from '../../../src/rpki/formats/parse.js';
import { caught } from '../../helpers/errors.js';
import { pick, randomInt, seededRandom } from '../../helpers/random.js';
import { payloadText, readFixture } from './payload-text.js';

const roa = (fields: Record<string, unknown>) => JSON.stringify({ roas: [fields] });
const good = { asn: 'AS64496', prefix: '192.0.2.0/24', maxLength: 24, ta: 'ripe' };
const parse = (text: string) => parseRpkiText(text, 'feed.json');

t.test('bad ROA fields name the entry and the field', async (t) => {
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ ...good, prefix: '192.0.2/24' }, /^prefix "192.0.2\/24": IPv4 address needs four octets/],
    [{ ...good, prefix: '192.0.2.1/24' }, /^prefix "192.0.2.1\/24": host bits set past \/24/],
    [{ ...good, prefix: '2001:db8::/129', maxLength: 129 }, /exceeds \/128/],
    [{ ...good, prefix: 24 }, /^bad prefix 24$/],
    [{ ...good, maxLength: 23 }, /^maxLength 23 out of range for 192.0.2.0\/24 \(must be 24 to 32\)/],
    [{ ...good, maxLength: 33 }, /^maxLength 33 out of range/],
    [{ ...good, prefix: '2001:db8::/32', maxLength: 129 }, /must be 32 to 128/],
    [{ ...good, maxLength: 24.5 }, /^maxLength 24.5 out of range/],
    [{ ...good, maxLength: '24' }, /^bad maxLength "24"$/],
    [{ ...good, asn: 'ASx' }, /^bad asn "ASx"$/],
    [{ ...good, asn: 4294967296 }, /^bad asn 4294967296$/],
    [{ ...good, asn: 'AS4294967296' }, /^bad asn "AS4294967296"$/],
    [{ ...good, asn: -1 }, /^bad asn -1$/],
    [{ ...good, asn: true }, /^bad asn true$/],
    [{ ...good, ta: 5 }, /^ta must be a string/],
    [{ ...good, ta: undefined, source: 'x' }, /^ta must be a string \(or jsonext source an array\)/],
    [{ ...good, expires: '2030' }, /^bad expires "2030"$/],
    [{ ...good, expires: -5 }, /^bad expires -5$/],
    [{ asn: 'AS1', maxLength: 24 }, /^missing prefix$/],
    [{ asn: 'AS1', prefix: '192.0.2.0/24' }, /^missing maxLength$/],
    [{ prefix: '192.0.2.0/24', maxLength: 24 }, /^missing asn$/],
  ];
  for (const [fields, reason] of cases) {
    t.match(caught(() => parse(roa(fields))), { name: 'RpkiFormatError', source: 'feed.json', entry: 'roas[0]', reason }, JSON.stringify(fields));
  }
});

t.test('the entry index is the bad one, and nothing is loaded', async (t) => {
  const roas = Array.from({ length: 20 }, (_, i) => ({ ...good, prefix: `10.${i}.0.0/16`, maxLength: 16 }));
  roas[12] = { ...good, prefix: '10.12.0.1/16', maxLength: 16 };
  const err = caught(() => parse(JSON.stringify({ metadata: { generated: 1 }, roas })));
  t.type(err, RpkiFormatError);
  t.match(err, { entry: 'roas[12]', message: /^feed.json: roas\[12\]: prefix "10.12.0.1\/16": host bits set/ });
});

t.test('bad ASPA entries', async (t) => {
  const aspas = (entry: unknown) => parse(JSON.stringify({ aspas: [{ customer: 'AS1', providers: ['AS2'] }, entry] }));
  t.match(caught(() => aspas({ customer: 'AS5', providers: 'AS6' })), { entry: 'aspas[1]', reason: 'providers must be an array, not "AS6"' });
  t.match(caught(() => aspas({ customer: 'AS5' })), { entry: 'aspas[1]', reason: 'missing providers' });
  t.match(caught(() => aspas({ providers: [] })), { entry: 'aspas[1]', reason: 'missing customer (or customer_asid)' });
  t.match(caught(() => aspas({ customer: 'AS5', providers: ['AS6', 'no'] })), { entry: 'aspas[1].providers[1]', reason: 'bad provider ASN "no"' });
  t.match(caught(() => aspas({ customer: 'AS5', providers: [6, 5] })), { entry: 'aspas[1].providers[1]', reason: 'AS5 is the customer itself' });
  t.match(caught(() => aspas({ customer_asid: 4294967296, providers: [] })), { entry: 'aspas[1]', reason: 'bad customer_asid 4294967296' });
  t.match(caught(() => aspas({ customer: 'AS5', customer_asid: 5, providers: [] })), { entry: 'aspas[1]', reason: 'has both customer and customer_asid' });
  t.match(caught(() => aspas('AS5')), { entry: 'aspas[1]', reason: 'must be an object, not "AS5"' });
  t.match(caught(() => parse('{"aspas": {}}')), { entry: 'aspas', reason: 'must be an array, not {}' });
  t.match(caught(() => parse('{"provider_authorizations": {"ipv6": [{"customer_asid": 1, "providers": [1]}]}}')), {
    entry: 'provider_authorizations.ipv6[0].providers[0]',
    reason: 'AS1 is the customer itself',
  });
  t.match(caught(() => parse('{"provider_authorizations": {"ipv4": {}}}')), { entry: 'provider_authorizations.ipv4' });
});

t.test('bad router keys', async (t) => {
  const key = { asn: 'AS1', SKI: 'ab'.repeat(20), routerPublicKey: 'AAAA', ta: 'x' };
  const keys = (entry: unknown) => parse(JSON.stringify({ routerKeys: [entry] }));
  t.ok(keys(key), 'the good one loads');
  t.match(caught(() => keys({ ...key, SKI: 'ab'.repeat(19) })), { entry: 'routerKeys[0]', reason: /^SKI ".*" must be 40 hex digits$/ });
  t.match(caught(() => keys({ ...key, routerPublicKey: 'A*AA' })), { entry: 'routerKeys[0]', reason: 'routerPublicKey is not base64' });
  t.match(caught(() => keys({ ...key, routerPublicKey: '' })), { entry: 'routerKeys[0]', reason: 'routerPublicKey is empty' });
  t.match(caught(() => keys({ ...key, asn: 'x' })), { entry: 'routerKeys[0]', reason: 'bad asn "x"' });
  t.match(caught(() => parse('{"bgpsec_keys": [{"asn": 1, "ski": "' + 'ab'.repeat(20) + '"}]}')), {
    entry: 'bgpsec_keys[0]',
    reason: 'missing pubkey',
  });
});

t.test('bad metadata', async (t) => {
  t.match(caught(() => parse('{"metadata": {"generated": "now"}, "roas": []}')), { entry: 'metadata.generated', reason: /unix seconds/ });
  t.match(caught(() => parse('{"metadata": {"buildtime": "yesterday"}, "roas": []}')), { entry: 'metadata.buildtime' });
  t.match(caught(() => parse('{"metadata": {"generatedTime": "2024-01-01"}, "roas": []}')), { entry: 'metadata.generatedTime' });
  t.match(caught(() => parse('{"metadata": {"valid": -1}, "roas": []}')), { entry: 'metadata.valid' });
  t.match(caught(() => parse('{"metadata": [], "roas": []}')), { entry: 'metadata' });
  t.equal(parse('{"metadata": {"valid": 0}, "roas": []}').expiresAt, undefined, 'valid 0 means unset, as GoRTR read it');
});

t.test('unknown members are ignored, duplicates are fine', async (t) => {
  const file = parse(
    JSON.stringify({
      metadata: { generated: 1700000000, statistics: { anything: [1, 2] } },
      future: { shape: true },
      roas: [good, good, { ...good, ta: 'other', comment: 'extra' }],
    }),
  );
  t.same(payloadText(file.payload).vrps, ['AS64496 192.0.2.0/24-24 ripe']);
  t.same(file.generatedAt, new Date(1700000000 * 1000));
});

t.test('invalid JSON and text encoding', async (t) => {
  t.match(caught(() => parse('{\n  "roas": [\n    {"asn": 1,}\n  ]\n}')), { entry: 'line 3', reason: /^invalid JSON: / });
  t.match(caught(() => parse('{"roas": [')), { reason: /^invalid JSON: / });
  t.match(caught(() => parse('  \n ')), { entry: undefined, reason: 'empty file' });

  const utf8 = Buffer.from(roa(good));
  t.ok(parseRpkiBytes(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), utf8]), 'bom.json'), 'a UTF-8 byte order mark is dropped');
  t.ok(parseRpkiText(`\ufeff${roa(good)}`, 'bom.json'), 'and so is U+FEFF in text');
  t.match(caught(() => parseRpkiBytes(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(roa(good), 'utf16le')]), 'u16.json')), {
    reason: 'UTF-16 byte order mark: the file must be UTF-8',
  });
  const bad = Buffer.from('{"roas": [\n{"asn": "AS1", "prefix": "192.0.2.0/24", "maxLength": 24, "ta": "x\xff"}]}', 'latin1');
  t.match(caught(() => parseRpkiBytes(bad, 'latin1.json')), { entry: 'line 2', reason: 'invalid UTF-8' });
});

t.test('random damage only ever raises RpkiFormatError', async (t) => {
  const rand = seededRandom(8416);
  const original = readFixture('stayrtr-test.rpki.json').toString();
  const junk = ['', '"', '{', '}', '[', ']', ',', ':', '0', '9', '-', '.', '/', 'A', 'S', ' ', '\\', 'null', 'true', '1e400', '"x"'];
  let rejected = 0;
  for (let n = 0; n < 1500; n++) {
    let text = original;
    for (let k = randomInt(rand, 1, 3); k > 0; k--) {
      const at = randomInt(rand, 0, text.length - 1);
      text = text.slice(0, at) + pick(rand, junk) + text.slice(at + randomInt(rand, 0, 2));
    }
    try {
      parse(text);
    } catch (err) {
      rejected++;
      if (!(err instanceof RpkiFormatError)) t.fail(`foreign error ${String(err)} for ${JSON.stringify(text.slice(0, 80))}`);
    }
  }
  t.ok(rejected > 1000, `${rejected} of 1500 damaged files rejected, the rest still valid`);
});
