import t from 'tap';
import { IPv4CidrRange, IPv6CidrRange } from 'ip-num';
import { Prefix, PrefixError, formatV6 } from '../../src/net/prefix.js';
import { caught } from '../helpers/errors.js';
import { randomInt, seededRandom } from '../helpers/random.js';

t.test('parses and prints canonical IPv4 and IPv6 prefixes', async (t) => {
  const cases: [string, string][] = [
    ['192.0.2.0/24', '192.0.2.0/24'],
    ['0.0.0.0/0', '0.0.0.0/0'],
    ['255.255.255.255/32', '255.255.255.255/32'],
    ['10.1.2.3', '10.1.2.3/32'],
    ['2001:DB8::/32', '2001:db8::/32'],
    ['2001:0db8:0000:0000:0000:0000:0000:0000/32', '2001:db8::/32'],
    ['::/0', '::/0'],
    ['::1', '::1/128'],
    ['2001:db8:0:0:1:0:0:1/128', '2001:db8::1:0:0:1/128'], // RFC 5952 §4.2.3: first of equal runs
    ['2001:db8:0:1:1:1:1:1/128', '2001:db8:0:1:1:1:1:1/128'], // §4.2.2: a single 0 is not shortened
    ['::ffff:192.0.2.1/128', '::ffff:c000:201/128'],
    ['fe80::/10', 'fe80::/10'],
    ['2001:db8:1:2:3:4:5::/112', '2001:db8:1:2:3:4:5:0/112'],
  ];
  for (const [input, want] of cases) t.equal(Prefix.parse(input).toString(), want, input);
});

t.test('refuses malformed input with a reason', async (t) => {
  const bad: [string, RegExp][] = [
    ['192.0.2.1/24', /host bits set/],
    ['192.0.2.0/33', /exceeds \/32/],
    ['2001:db8::/129', /exceeds \/128/],
    ['192.0.2/24', /four octets/],
    ['192.0.2.256/32', /above 255/],
    ['192.0.2.01/32', /leading zero/],
    ['192.0.2.0/', /length must be a number/],
    ['192.0.2.0/2a', /length must be a number/],
    ['1:2:3:4:5:6:7:8:9/128', /too many groups/],
    ['2001:db8:::/48', /unexpected character|empty group|more than one/],
    ['2001::db8::/48', /more than one "::"/],
    ['2001:db8/32', /eight groups/],
    [':2001:db8::/32', /single ":"/],
    ['2001:db8::12345/128', /longer than four/],
    ['2001:db8:/32', /single ":"/],
    ['1:2:3:4:5:6:7::8/128', /at least one group/],
    ['hello', /unexpected character/],
    ['', /four octets/],
  ];
  for (const [input, reason] of bad) {
    const err = caught(() => Prefix.parse(input));
    t.type(err, PrefixError, input);
    t.match((err as Error).message, reason, input);
    t.type(Prefix.tryParse(input), 'string');
  }
  t.match(caught(() => Prefix.fromWords(4, 24, 0xc0000201)), { message: /host bits set past \/24/ });
  t.match(caught(() => Prefix.fromWords(4, 33, 0)), { message: /length must be 0 to 32/ });
  t.match(caught(() => Prefix.fromWords(4, 8, 0x0a000000, 1)), { message: /IPv4 uses one word/ });
});

t.test('covers, equals, compare, truncate', async (t) => {
  const a = Prefix.parse('10.0.0.0/8');
  const b = Prefix.parse('10.1.0.0/16');
  t.ok(a.covers(b));
  t.ok(a.covers(a));
  t.notOk(b.covers(a));
  t.notOk(a.covers(Prefix.parse('11.0.0.0/16')));
  t.notOk(a.covers(Prefix.parse('::/128')));
  t.ok(Prefix.parse('::/0').covers(Prefix.parse('2001:db8::/32')));
  t.ok(Prefix.parse('2001:db8::/33').covers(Prefix.parse('2001:db8:7fff::/48')));
  t.notOk(Prefix.parse('2001:db8::/33').covers(Prefix.parse('2001:db8:8000::/48')));
  t.ok(b.truncate(8).equals(a));
  t.throws(() => a.truncate(9));
  const sorted = ['2001:db8::/32', '10.1.0.0/16', '10.0.0.0/8', '10.0.0.0/16', '9.0.0.0/8'].map((s) => Prefix.parse(s)).sort(Prefix.compare);
  t.same(sorted.map(String), ['9.0.0.0/8', '10.0.0.0/8', '10.0.0.0/16', '10.1.0.0/16', '2001:db8::/32']);
  t.equal(JSON.stringify({ p: a }), '{"p":"10.0.0.0/8"}');
  t.equal(Prefix.masked(4, 24, 0xc0000281).toString(), '192.0.2.0/24');
  t.ok(Object.isFrozen(a));
});

t.test('agrees with ip-num on random prefixes (parse and print)', async (t) => {
  const rand = seededRandom(42);
  for (let i = 0; i < 3000; i++) {
    if (i % 2 === 0) {
      const len = randomInt(rand, 0, 32);
      const p = Prefix.masked(4, len, Math.floor(rand() * 2 ** 32));
      const ref = IPv4CidrRange.fromCidr(p.toString());
      t.equal(ref.toCidrString(), p.toString());
      if (!Prefix.parse(ref.toCidrString()).equals(p)) t.fail(`round trip ${p}`);
    } else {
      const len = randomInt(rand, 0, 128);
      // Sparse words make zero runs, which is where "::" formatting goes wrong.
      const w = () => (rand() < 0.5 ? 0 : rand() < 0.5 ? Math.floor(rand() * 65536) : Math.floor(rand() * 2 ** 32));
      const p = Prefix.masked(6, len, w(), w(), w(), w());
      const ref = IPv6CidrRange.fromCidr(p.toString());
      if (!Prefix.parse(ref.toCidrString()).equals(p)) t.fail(`ip-num reads ${p} as ${ref.toCidrString()}`);
    }
  }
  t.equal(formatV6(0, 0, 0, 1), '::1');
  t.equal(formatV6(0x20010db8, 0, 0, 0), '2001:db8::');
});
