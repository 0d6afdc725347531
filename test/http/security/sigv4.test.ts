/**
 * SigV4 verification: AWS's published examples (the IAM User Guide's
 * ListUsers request and signing key, and cases of the aws-sig-v4-test-suite:
 * get-vanilla, get-vanilla-query-order-key-case, post-vanilla), the same
 * through the separate test signer, then a property: a request signed by
 * the test signer verifies, and changing any byte of the method, path,
 * query, a signed header, the body, the date or the secret is refused with
 * the reason that names what broke.
 */
import t from 'tap';
import { Secret } from '../../../src/http/security/secret.js';
import { parseSigV4Authorization } from '../../../src/http/security/sigv4-authorization.js';
import { canonicalQuery, canonicalUri, parseAmzDate, signingKey } from '../../../src/http/security/sigv4-canonical.js';
import { SigV4Verifier, type SignedRequest } from '../../../src/http/security/sigv4-verify.js';
import { signRequest } from '../../helpers/sigv4-signer.js';
import { seededRandom } from '../../helpers/random.js';

const AWS_KEY = 'AKIDEXAMPLE';
const AWS_SECRET = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';
const AWS_TIME = Date.UTC(2015, 7, 30, 12, 36, 0);

const raw = (headers: Record<string, string>): string[] => Object.entries(headers).flat();

t.test("AWS's examples", async (t) => {
  t.equal(signingKey(AWS_SECRET, '20150830', 'us-east-1', 'iam').toString('hex'), 'c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9', 'IAM User Guide: derived signing key');
  const cases: { name: string; service: string; method: string; url: string; headers: Record<string, string>; signed: string; signature: string }[] = [
    {
      name: 'IAM ListUsers (IAM User Guide)',
      service: 'iam',
      method: 'GET',
      url: '/?Action=ListUsers&Version=2010-05-08',
      headers: { Host: 'iam.amazonaws.com', 'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8', 'X-Amz-Date': '20150830T123600Z' },
      signed: 'content-type;host;x-amz-date',
      signature: '5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7',
    },
    {
      name: 'get-vanilla',
      service: 'service',
      method: 'GET',
      url: '/',
      headers: { Host: 'example.amazonaws.com', 'X-Amz-Date': '20150830T123600Z' },
      signed: 'host;x-amz-date',
      signature: '5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31',
    },
    {
      name: 'get-vanilla-query-order-key-case',
      service: 'service',
      method: 'GET',
      url: '/?Param2=value2&Param1=value1',
      headers: { Host: 'example.amazonaws.com', 'X-Amz-Date': '20150830T123600Z' },
      signed: 'host;x-amz-date',
      signature: 'b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500',
    },
    {
      name: 'post-vanilla',
      service: 'service',
      method: 'POST',
      url: '/',
      headers: { Host: 'example.amazonaws.com', 'X-Amz-Date': '20150830T123600Z' },
      signed: 'host;x-amz-date',
      signature: '5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b',
    },
  ];
  for (const c of cases) {
    const verifier = new SigV4Verifier({ region: 'us-east-1', service: c.service, clockSkewMs: 300_000, keys: new Map([[AWS_KEY, new Secret(AWS_SECRET)]]), now: () => AWS_TIME });
    const authorization = `AWS4-HMAC-SHA256 Credential=${AWS_KEY}/20150830/us-east-1/${c.service}/aws4_request, SignedHeaders=${c.signed}, Signature=${c.signature}`;
    t.same(verifier.verify({ method: c.method, url: c.url, rawHeaders: raw({ ...c.headers, Authorization: authorization }), body: Buffer.alloc(0) }), { ok: true, keyId: AWS_KEY }, `${c.name}: verifies`);
    const others = Object.fromEntries(Object.entries(c.headers).filter(([k]) => k !== 'X-Amz-Date'));
    const ours = signRequest({ method: c.method, url: c.url, headers: others, keyId: AWS_KEY, secret: AWS_SECRET, service: c.service, time: AWS_TIME });
    t.equal(ours.signature, c.signature, `${c.name}: the test signer agrees`);
  }
});

t.test('canonical forms', async (t) => {
  t.equal(canonicalUri(''), '/');
  t.equal(canonicalUri('/v1/alerts/a%20b/ack'), '/v1/alerts/a%20b/ack', 'encoded once, not twice');
  t.equal(canonicalUri('/v1/a:b/%7e'), '/v1/a%3Ab/~', 'reserved encoded, unreserved decoded, upper-case hex');
  t.equal(canonicalQuery('b=2&a=1&a=0&c'), 'a=0&a=1&b=2&c=', 'sorted by name then value; bare name');
  t.equal(canonicalQuery('q=a+b%2f'), 'q=a%2Bb%2F', '+ is a plus, not a space');
  t.equal(parseAmzDate('20150231T000000Z'), undefined, 'no 31 February');
  t.equal(parseAmzDate('20150830T123600Z'), AWS_TIME);
  t.match(parseSigV4Authorization('AWS4-HMAC-SHA256 Credential=A/20150830/us-east-1/rovd/aws4_request, SignedHeaders=x-amz-date;host, Signature=' + '0'.repeat(64)), /sorted and unique/);
  t.match(parseSigV4Authorization('AWS4-HMAC-SHA1 Credential=x'), /unsupported signing algorithm/);
  t.match(parseSigV4Authorization('AWS4-HMAC-SHA256 Credential=A/2015/us-east-1/rovd/aws4_request, SignedHeaders=host, Signature=' + '0'.repeat(64)), /YYYYMMDD/);
  t.match(parseSigV4Authorization('AWS4-HMAC-SHA256 Credential=A/20150830/us-east-1/rovd/aws4_request, SignedHeaders=host, Signature=abc'), /64 lower-case hex/);
  t.match(parseSigV4Authorization('AWS4-HMAC-SHA256 Credential=A/20150830/us-east-1/rovd/aws4_request, SignedHeaders=host'), /Signature missing/);
});

const KEY = 'AKIAROVDTEST0001';
const SECRET = 'rovd-test-secret-0123456789abcdef';
const NOW = Date.UTC(2026, 0, 15, 10, 0, 0);
const verifier = new SigV4Verifier({ region: 'us-east-1', clockSkewMs: 300_000, keys: new Map([[KEY, new Secret(SECRET)]]), now: () => NOW });

function signed(over: { method?: string; url?: string; body?: string; time?: number; secret?: string; contentSha256?: boolean; signedHeaders?: string[]; keyId?: string; region?: string; service?: string } = {}) {
  const body = over.body ?? '{"alert":"a1","comment":"on it"}';
  const s = signRequest({
    method: over.method ?? 'POST',
    url: over.url ?? '/v1/alerts/a1/ack?note=x%20y&by=ops',
    headers: { host: 'rovd.example.net:9684', 'content-type': 'application/json' },
    body,
    keyId: over.keyId ?? KEY,
    secret: over.secret ?? SECRET,
    time: over.time ?? NOW,
    ...(over.region === undefined ? {} : { region: over.region }),
    ...(over.service === undefined ? {} : { service: over.service }),
    ...(over.contentSha256 === undefined ? {} : { contentSha256: over.contentSha256 }),
    ...(over.signedHeaders === undefined ? {} : { signedHeaders: over.signedHeaders }),
  });
  return { method: over.method ?? 'POST', url: over.url ?? '/v1/alerts/a1/ack?note=x%20y&by=ops', headers: s.headers, body };
}
const asReq = (r: { method: string; url: string; headers: Record<string, string>; body: string }): SignedRequest => ({ method: r.method, url: r.url, rawHeaders: raw(r.headers), body: Buffer.from(r.body) });
const reason = (r: SignedRequest): string => {
  const v = verifier.verify(r);
  return v.ok ? 'accepted' : v.reason;
};

t.test('each refusal names its reason', async (t) => {
  t.same(verifier.verify(asReq(signed())), { ok: true, keyId: KEY });
  t.equal(reason(asReq(signed({ contentSha256: true }))), 'accepted', 'with x-amz-content-sha256');
  t.equal(reason(asReq(signed({ secret: 'wrong-secret-0123456789abcdef' }))), 'signature does not match');
  t.match(reason(asReq(signed({ time: NOW - 10 * 60_000 }))), /^request time too skewed/, 'ten minutes old');
  t.match(reason(asReq(signed({ time: NOW + 10 * 60_000 }))), /^request time too skewed/, 'ten minutes ahead');
  t.equal(reason(asReq(signed({ time: NOW - 299_000 }))), 'accepted', 'inside the skew');
  t.equal(reason(asReq(signed({ keyId: 'AKIAUNKNOWN' }))), 'unknown access key id');
  t.match(reason(asReq(signed({ region: 'eu-west-1' }))), /region must be us-east-1/);
  t.match(reason(asReq(signed({ service: 's3' }))), /service must be rovd/);
  t.equal(reason(asReq(signed({ signedHeaders: ['host'] }))), 'x-amz-date missing from signed headers');
  t.equal(reason(asReq(signed({ signedHeaders: ['x-amz-date'] }))), 'host missing from signed headers');
  const changed = signed({ contentSha256: true });
  t.equal(reason({ ...asReq(changed), body: Buffer.from(changed.body + ' ') }), 'body does not match x-amz-content-sha256');
  const noHash = signed();
  t.equal(reason({ ...asReq(noHash), body: Buffer.from(noHash.body.replace('on it', 'on It')) }), 'signature does not match', 'changed body without the hash header');
  const unsignedPayload = signed({ contentSha256: true });
  unsignedPayload.headers['x-amz-content-sha256'] = 'UNSIGNED-PAYLOAD';
  t.match(reason(asReq(unsignedPayload)), /unsigned payloads are not accepted/);
  const noDate = signed();
  delete noDate.headers['x-amz-date'];
  t.equal(reason(asReq(noDate)), 'x-amz-date header missing');
  const otherDay = signed();
  otherDay.headers.authorization = otherDay.headers.authorization!.replace('/20260115/', '/20260114/');
  t.match(reason(asReq(otherDay)), /credential scope date 20260114 does not match x-amz-date/);
  const missingSigned = signed();
  missingSigned.headers.authorization = missingSigned.headers.authorization!.replace('SignedHeaders=', 'SignedHeaders=accept;');
  t.equal(reason(asReq(missingSigned)), 'signed header accept is missing from the request');
  t.equal(reason({ ...asReq(signed()), url: '/v1/alerts/%zz/ack' }), 'malformed percent-encoding in the path');
  t.notMatch(JSON.stringify(verifier.verify(asReq(signed({ secret: 'x'.repeat(20) })))), SECRET, 'no reason holds the secret');
});

t.test('property: any changed byte of a signed request is refused', async (t) => {
  const rnd = seededRandom(0x5167);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rnd() * list.length)]!;
  const flip = (s: string): string => {
    const i = Math.floor(rnd() * s.length);
    const c = s.charCodeAt(i);
    let d = c;
    // A different printable character that is not a separator or a case twin (header names are case-insensitive).
    while (d === c || String.fromCharCode(d).toLowerCase() === String.fromCharCode(c).toLowerCase() || '%&=/?; '.includes(String.fromCharCode(d))) d = 33 + Math.floor(rnd() * 94);
    return s.slice(0, i) + String.fromCharCode(d) + s.slice(i + 1);
  };
  const expected: Record<string, RegExp> = {
    method: /^signature does not match$/,
    path: /^signature does not match$/,
    query: /^signature does not match$/,
    header: /^signature does not match$/,
    body: /^signature does not match$/,
    date: /request time too skewed|does not match x-amz-date|is not YYYYMMDDTHHMMSSZ|signature does not match/,
    secret: /^signature does not match$/,
  };
  let runs = 0;
  for (let i = 0; i < 400; i++) {
    const body = JSON.stringify({ n: Math.floor(rnd() * 1e9), s: 'x'.repeat(Math.floor(rnd() * 40)) });
    const url = `/v1/${pick(['alerts', 'silences', 'vifs'])}/${Math.floor(rnd() * 1e6)}?limit=${Math.floor(rnd() * 100)}&q=a%2Fb`;
    const base = signed({ method: pick(['GET', 'POST', 'DELETE']), url, body });
    if (reason(asReq(base)) !== 'accepted') t.fail('the unchanged request verifies', { base });
    const part = pick(Object.keys(expected));
    const r = asReq(base);
    let mutated: SignedRequest;
    switch (part) {
      case 'method':
        mutated = { ...r, method: pick(['GET', 'POST', 'DELETE', 'PUT', 'PATCH'].filter((m) => m !== r.method)) };
        break;
      case 'path': {
        const [p, q] = r.url.split('?');
        mutated = { ...r, url: `${flip(p!.slice(1)).replace(/^/, '/')}?${q}` };
        break;
      }
      case 'query': {
        const [p, q] = r.url.split('?');
        mutated = { ...r, url: `${p}?${flip(q!)}` };
        break;
      }
      case 'header': {
        const name = pick(['host', 'content-type']);
        mutated = { ...r, rawHeaders: raw({ ...base.headers, [name]: flip(base.headers[name]!) }) };
        break;
      }
      case 'body':
        mutated = { ...r, body: Buffer.from(flip(base.body)) };
        break;
      case 'date':
        mutated = { ...r, rawHeaders: raw({ ...base.headers, 'x-amz-date': flip(base.headers['x-amz-date']!) }) };
        break;
      default:
        mutated = asReq(signed({ method: r.method, url, body, secret: flip(SECRET) }));
    }
    const why = reason(mutated);
    if (why === 'malformed percent-encoding in the path' || why === 'malformed percent-encoding in the query') continue;
    runs++;
    if (!expected[part]!.test(why)) t.fail(`${part}: ${why}`, { mutated });
  }
  t.ok(runs > 300, `${runs} mutations refused with the right reason`);
});
