import t from 'tap';
import { RouteCursor, RouteList, RouteListError } from '../../src/cli/route-list.js';
import { caught } from '../helpers/errors.js';

function readAll(text: string): string[] {
  const list = RouteList.parse(text, 'routes.txt');
  const out: string[] = [];
  for (let i = 0; i < list.count; i++) out.push(`${list.prefixText(i)}:${list.origin[i]}:${list.afi[i]}`);
  return out;
}

t.test('reads prefix,asn lines in every accepted form', async (t) => {
  const text = [
    '# comment',
    '',
    '192.0.2.0/24,65000',
    '  198.51.100.0/24 , AS64496  ',
    '10.0.0.1,as1\r',
    '2001:DB8::/32\tAS4200000000',
    '2001:db8:1::/48,1.10',
    '\t',
    '203.0.113.0/24 64497 # not a comment: trailing text is part of the ASN',
  ].join('\n');
  const c = new RouteCursor(text, 'routes.txt');
  const got: string[] = [];
  const err = caught(() => {
    while (c.next()) got.push(`${c.line}:${text.slice(c.prefixStart, c.prefixEnd)}:${c.origin}:${c.afi}`);
  });
  t.same(got, [
    '3:192.0.2.0/24:65000:4',
    '4:198.51.100.0/24:64496:4',
    '5:10.0.0.1:1:4',
    '6:2001:DB8::/32:4200000000:6',
    '7:2001:db8:1::/48:65546:6',
  ]);
  t.type(err, RouteListError);
  t.match((err as RouteListError).message, /^routes\.txt:9: invalid ASN/);
  t.same(readAll('192.0.2.0/24,AS1'), ['192.0.2.0/24:1:4'], 'no trailing newline');
  t.same(readAll('10.0.0.1,1\n2001:DB8:0::1/128,2\n'), ['10.0.0.1/32:1:4', '2001:db8::1/128:2:6'], 'printed in canonical form');
  t.same(readAll(''), []);
});

t.test('bad lines name the file and line', async (t) => {
  const cases: [string, RegExp][] = [
    ['192.0.2.0/24', /routes\.txt:1: expected "prefix,asn"/],
    ['192.0.2.1/24,AS1', /routes\.txt:1: invalid prefix "192\.0\.2\.1\/24": host bits set/],
    ['\n\n300.0.0.0/8,1', /routes\.txt:3: invalid prefix/],
    ['192.0.2.0/24,AS99999999999', /invalid ASN/],
    ['192.0.2.0/24,', /invalid ASN/],
  ];
  for (const [text, want] of cases) {
    t.match(caught(() => readAll(text)), { name: 'RouteListError', message: want }, JSON.stringify(text));
  }
});
