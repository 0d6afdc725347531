/**
 * CSV exports: Routinator csv, csvcompat and csvext, rpki-client's csv with
 * Expires, header-less files, and errors by line number.
 */
import t from 'tap';
import { parseRpkiText } from '../../../src/rpki/formats/parse.js';
import { caught } from '../../helpers/errors.js';
import { payloadText } from './payload-text.js';

const parse = (text: string) => parseRpkiText(text, 'vrps.csv');

t.test('Routinator csv', async (t) => {
  const file = parse(
    'ASN,IP Prefix,Max Length,Trust Anchor\n' +
      'AS13335,1.0.0.0/24,24,apnic\n' +
      'AS4200000000,2001:DB8::/32,48,ripe\r\n' +
      'AS13335,1.0.0.0/24,24,arin\n',
  );
  t.equal(file.format, 'routinator-csv');
  t.equal(file.generatedAt, undefined);
  t.equal(file.expiresAt, undefined);
  t.same(payloadText(file.payload).vrps, ['AS13335 1.0.0.0/24-24 apnic', 'AS4200000000 2001:db8::/32-48 ripe']);
});

t.test('csvcompat quotes every value, RFC 4180 style', async (t) => {
  const file = parse(
    '"ASN","IP Prefix","Max Length","Trust Anchor"\n"AS13335","1.0.0.0/24","24","apnic"\n"AS1","192.0.2.0/24","24","a ""quoted"", name"\n',
  );
  t.same(payloadText(file.payload).vrps, ['AS13335 1.0.0.0/24-24 apnic', 'AS1 192.0.2.0/24-24 a "quoted", name']);
});

t.test('csvext: URI first, no trust anchor, validity; Not After gives expiresAt', async (t) => {
  const file = parse(
    'URI,ASN,IP Prefix,Max Length,Not Before,Not After\n' +
      'rsync://rpki.example/repo/a.roa,AS64496,192.0.2.0/24,24,2024-01-01 00:00:00,2025-06-30 12:00:00\n' +
      'N/A,AS64497,198.51.100.0/24,24,N/A,N/A\n' +
      'rsync://rpki.example/repo/b.roa,AS64498,2001:db8::/32,32,2024-01-01 00:00:00,2025-03-01 08:30:00\n',
  );
  t.same(payloadText(file.payload).vrps, [
    'AS64496 192.0.2.0/24-24',
    'AS64497 198.51.100.0/24-24',
    'AS64498 2001:db8::/32-32',
  ]);
  t.same(file.expiresAt, new Date('2025-03-01T08:30:00Z'));
});

t.test('rpki-client csv: the Expires column gives expiresAt', async (t) => {
  const file = parse('ASN,IP Prefix,Max Length,Trust Anchor,Expires\nAS13335,1.0.0.0/24,24,apnic,1753280249\nAS1,192.0.2.0/24,24,ripe,1753280000\n');
  t.same(file.expiresAt, new Date(1753280000 * 1000));
  t.same(payloadText(file.payload).vrps, ['AS13335 1.0.0.0/24-24 apnic', 'AS1 192.0.2.0/24-24 ripe']);
});

t.test('header-less files: 3, 4 or 5 positional columns', async (t) => {
  t.same(payloadText(parse('AS13335,1.0.0.0/24,24,apnic\n13335,1.0.4.0/22,24,apnic\n').payload).vrps, [
    'AS13335 1.0.0.0/24-24 apnic',
    'AS13335 1.0.4.0/22-24 apnic',
  ]);
  t.same(payloadText(parse('AS1,192.0.2.0/24,24').payload).vrps, ['AS1 192.0.2.0/24-24'], 'no trailing newline, no TA');
  t.same(parse('AS1,192.0.2.0/24,24,x,1753280000\n').expiresAt, new Date(1753280000 * 1000));
});

t.test('CSV errors name the line', async (t) => {
  const header = 'ASN,IP Prefix,Max Length,Trust Anchor\n';
  const cases: [string, string, RegExp][] = [
    [`${header}AS1,192.0.2.0/24,24,x\n\nAS2,192.0.2.1/24,24,x\n`, 'line 4', /host bits set past \/24/],
    [`${header}AS1,192.0.2.0/24,33,x\n`, 'line 2', /^max length "33" out of range/],
    [`${header}AS1,192.0.2.0/24,,x\n`, 'line 2', /^max length "" out of range/],
    [`${header}ASX,192.0.2.0/24,24,x\n`, 'line 2', /^bad ASN "ASX"$/],
    [`${header}AS1,192.0.2.0/24,24\n`, 'line 2', /^expected 4 fields, got 3$/],
    [`${header}AS1,192.0.2.0/24,24,x,y\n`, 'line 2', /^expected 4 fields, got 5$/],
    [`${header}"AS1,192.0.2.0/24,24,x\n`, 'line 2', /^unterminated quoted field$/],
    [`${header}"AS1"x,192.0.2.0/24,24,x\n`, 'line 2', /^text after a closing quote$/],
    [`${header}AS"1,192.0.2.0/24,24,x\n`, 'line 2', /^quote inside an unquoted field$/],
    ['ASN,Prefix,Max Length\nAS1,192.0.2.0/24,24\n', 'line 1', /^header needs ASN, IP Prefix and Max Length/],
    ['AS1,192.0.2.0/24\n', 'line 1', /^expected a header or 3 to 5 fields, got 2$/],
    ['ASN,IP Prefix,Max Length,Trust Anchor,Expires\nAS1,192.0.2.0/24,24,x,soon\n', 'line 2', /^bad Expires "soon"$/],
    ['URI,ASN,IP Prefix,Max Length,Not Before,Not After\nN/A,AS1,192.0.2.0/24,24,N/A,2025-13-01\n', 'line 2', /^bad Not After/],
  ];
  for (const [text, entry, reason] of cases) {
    t.match(caught(() => parse(text)), { name: 'RpkiFormatError', source: 'vrps.csv', entry, reason }, `${entry} ${reason}`);
  }
});
