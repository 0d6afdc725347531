import t from 'tap';
import { join } from 'node:path';
import { runRovd } from '../helpers/rovd.js';
import { REPO_ROOT } from '../helpers/corpus.js';

const SAMPLE_VRPS = join(REPO_ROOT, 'config/sample/vrps.json');
const SAMPLE_ROUTES = join(REPO_ROOT, 'config/sample/routes.txt');

const rovd = (args: string[], stdin = '') => runRovd(args, { stdin });

const VRPS = JSON.stringify({
  roas: [
    { asn: 'AS64496', prefix: '192.0.2.0/24', maxLength: 24, ta: 'ripe' },
    { asn: 'AS64497', prefix: '198.51.100.0/22', maxLength: 24, ta: 'arin' },
    { asn: 'AS64498', prefix: '2001:db8::/32', maxLength: 48, ta: 'apnic' },
  ],
});

t.test('one route, in each format', async (t) => {
  const dir = t.testdir({ 'vrps.json': VRPS });
  const vrps = join(dir, 'vrps.json');

  const textOut = await rovd(['validate', '--vrps', vrps, '192.0.2.0/25', 'AS64496']);
  t.equal(textOut.code, 0);
  t.equal(textOut.out, '192.0.2.0/25 AS64496: invalid (length): the origin is authorised only up to /24\n  unmatched-length  AS64496 192.0.2.0/24-24 (ripe)\n');

  const json = await rovd(['validate', '--vrps', vrps, '--format', 'json', '192.0.2.0/24', '64497']);
  t.same(JSON.parse(json.out), {
    validated_route: {
      route: { origin_asn: 'AS64497', prefix: '192.0.2.0/24' },
      validity: {
        state: 'invalid',
        reason: 'as',
        description: 'invalid (as): 1 covering VRP(s), none for this origin',
        VRPs: { matched: [], unmatched_as: [{ asn: 'AS64496', prefix: '192.0.2.0/24', max_length: 24 }], unmatched_length: [] },
      },
    },
  });

  const csv = await rovd(['validate', '--vrps', vrps, '--format', 'csv', '2001:DB8:1::/48', 'AS64498']);
  t.equal(csv.out, 'prefix,asn,state\n2001:db8:1::/48,AS64498,valid\n');
});

t.test('a file of routes: csv in input order, json per line, text with a summary', async (t) => {
  const dir = t.testdir({
    'vrps.json': VRPS,
    'routes.txt': '# test\n198.51.101.0/24,AS64497\n198.51.101.0/25,AS64497\n203.0.113.0/24,64500\n2001:db8::/32,AS64498\n192.0.2.0/24,AS1\n',
  });
  const args = ['validate', '--vrps', join(dir, 'vrps.json'), '--routes', join(dir, 'routes.txt')];
  const csv = await rovd([...args, '--format', 'csv']);
  t.equal(csv.code, 0);
  t.equal(
    csv.out,
    'prefix,asn,state\n198.51.101.0/24,AS64497,valid\n198.51.101.0/25,AS64497,invalid\n203.0.113.0/24,AS64500,not-found\n2001:db8::/32,AS64498,valid\n192.0.2.0/24,AS1,invalid\n',
  );
  t.match(csv.err, /5 routes: 2 valid, 2 invalid, 1 not-found/);

  const json = await rovd([...args, '--format', 'json']);
  const lines = json.out.trim().split('\n').map((l) => JSON.parse(l) as { validated_route: { validity: { state: string; reason: string | null } } });
  t.same(lines.map((l) => [l.validated_route.validity.state, l.validated_route.validity.reason]), [
    ['valid', null],
    ['invalid', 'length'],
    ['not-found', null],
    ['valid', null],
    ['invalid', 'as'],
  ]);

  const plain = await rovd(args);
  t.match(plain.out, /^198\.51\.101\.0\/25 AS64497 invalid length \(covered by AS64497 198\.51\.100\.0\/22-24\)$/m);
  t.match(plain.out, /^203\.0\.113\.0\/24 AS64500 not-found$/m);

  const fromStdin = await rovd(['validate', '--vrps', join(dir, 'vrps.json'), '--routes', '-', '--format', 'csv'], '192.0.2.0/24,AS64496\n');
  t.equal(fromStdin.out, 'prefix,asn,state\n192.0.2.0/24,AS64496,valid\n');
});

t.test('several VRP files are a union, SLURM applies on top', async (t) => {
  const dir = t.testdir({
    'a.json': VRPS,
    'b.csv': 'ASN,IP Prefix,Max Length,Trust Anchor\nAS64510,203.0.113.0/24,24,lacnic\n',
    'slurm.json': JSON.stringify({
      slurmVersion: 1,
      validationOutputFilters: { prefixFilters: [{ prefix: '192.0.2.0/24', comment: 'drop' }], bgpsecFilters: [] },
      locallyAddedAssertions: { prefixAssertions: [{ asn: 64511, prefix: '198.18.0.0/15', maxPrefixLength: 24 }], bgpsecAssertions: [] },
    }),
    'routes.txt': '203.0.113.0/24,AS64510\n192.0.2.0/24,AS64496\n198.18.5.0/24,AS64511\n',
  });
  const base = ['validate', '--vrps', join(dir, 'a.json'), '--vrps', join(dir, 'b.csv'), '--routes', join(dir, 'routes.txt'), '--format', 'csv'];
  t.equal((await rovd(base)).out, 'prefix,asn,state\n203.0.113.0/24,AS64510,valid\n192.0.2.0/24,AS64496,valid\n198.18.5.0/24,AS64511,not-found\n');
  t.equal(
    (await rovd([...base, '--slurm', join(dir, 'slurm.json')])).out,
    'prefix,asn,state\n203.0.113.0/24,AS64510,valid\n192.0.2.0/24,AS64496,not-found\n198.18.5.0/24,AS64511,valid\n',
  );
});

t.test('a large VRP set loads on a worker thread with the same results', async (t) => {
  // 60k ROAs make a file over the 4 MiB threshold.
  const roas = [];
  for (let i = 0; i < 60000; i++) roas.push({ asn: `AS${64496 + (i % 50)}`, prefix: `10.${i >> 8}.${i & 255}.0/24`, maxLength: 24, ta: 'test anchor name' });
  const dir = t.testdir({
    'big.json': JSON.stringify({ roas }),
    'routes.txt': '10.0.5.0/24,AS64501\n10.0.5.0/24,AS64502\n10.0.5.128/25,AS64501\n192.0.2.0/24,AS1\n',
  });
  const r = await rovd(['validate', '--vrps', join(dir, 'big.json'), '--routes', join(dir, 'routes.txt'), '--format', 'csv']);
  t.equal(r.code, 0);
  t.equal(r.out, 'prefix,asn,state\n10.0.5.0/24,AS64501,valid\n10.0.5.0/24,AS64502,invalid\n10.0.5.128/25,AS64501,invalid\n192.0.2.0/24,AS1,not-found\n');
  t.match(r.err, /60000 VRPs/);
});

t.test('usage errors: one line, exit 2', async (t) => {
  const dir = t.testdir({ 'vrps.json': VRPS });
  const vrps = join(dir, 'vrps.json');
  const cases: [string[], RegExp][] = [
    [['validate', '192.0.2.0/24', 'AS1'], /at least one --vrps FILE/],
    [['validate', '--vrps', vrps], /expected PREFIX ASN/],
    [['validate', '--vrps', vrps, '192.0.2.0/24'], /expected PREFIX ASN/],
    [['validate', '--vrps', vrps, '--routes', 'x', '192.0.2.0/24', 'AS1'], /either PREFIX ASN or --routes/],
    [['validate', '--vrps', vrps, '--format', 'xml', '192.0.2.0/24', 'AS1'], /--format must be text, json or csv/],
    [['validate', '--vrps', vrps, '192.0.2.1/24', 'AS1'], /invalid prefix "192\.0\.2\.1\/24": host bits set/],
    [['validate', '--vrps', vrps, '192.0.2.0/24', 'ASX'], /invalid ASN "ASX"/],
    [['validate', '--vrps', vrps, '--bogus'], /Unknown option '--bogus'/],
    [['frobnicate'], /unknown command "frobnicate"/],
  ];
  for (const [args, want] of cases) {
    const r = await rovd(args);
    t.equal(r.code, 2, args.join(' '));
    t.match(r.err, want, args.join(' '));
    t.equal(r.err.trim().split('\n').length, 1, 'one line');
  }
});

t.test('bad input files: exit 1 naming the file and entry', async (t) => {
  const dir = t.testdir({
    'bad.json': JSON.stringify({ roas: [{ asn: 'AS1', prefix: '192.0.2.0/24', maxLength: 24 }, { asn: 'AS1', prefix: '192.0.2.0/24', maxLength: 23 }] }),
    'routes.txt': '192.0.2.0/24,AS1\nnot-a-prefix,AS1\n',
    'vrps.json': VRPS,
  });
  const bad = await rovd(['validate', '--vrps', join(dir, 'bad.json'), '192.0.2.0/24', 'AS1']);
  t.equal(bad.code, 1);
  t.match(bad.err, /bad\.json: roas\[1\]: .*maxLength/);
  const missing = await rovd(['validate', '--vrps', join(dir, 'nope.json'), '192.0.2.0/24', 'AS1']);
  t.equal(missing.code, 1);
  t.match(missing.err, /nope\.json: no such file/);
  const badRoute = await rovd(['validate', '--vrps', join(dir, 'vrps.json'), '--routes', join(dir, 'routes.txt'), '--format', 'csv']);
  t.equal(badRoute.code, 1);
  t.match(badRoute.err, /routes\.txt:2: invalid prefix "not-a-prefix"/);
});

t.test('help and version', async (t) => {
  const help = await rovd(['--help']);
  t.equal(help.code, 0);
  t.match(help.out, /Commands:\n {2}run .*\n {2}validate /);
  const vhelp = await rovd(['validate', '--help']);
  for (const option of ['--vrps', '--slurm', '--routes', '--format']) t.match(vhelp.out, option);
  t.equal((await rovd([])).code, 2, 'no command is a usage error');
  t.match((await rovd(['--version'])).out, /^rovd \d+\.\d+\.\d+\n$/);
});

t.test('the bundled sample VRPs and routes (what the built-in config loads)', async (t) => {
  const r = await rovd(['validate', '--vrps', SAMPLE_VRPS, '--routes', SAMPLE_ROUTES, '--format', 'csv']);
  t.equal(r.code, 0);
  t.equal(
    r.out,
    [
      'prefix,asn,state',
      '202.12.29.0/24,AS4608,valid',
      '203.119.104.0/22,AS4608,valid',
      '203.119.0.0/25,AS4608,invalid',
      '202.12.29.0/24,AS64511,invalid',
      '103.10.112.0/24,AS65000,invalid',
      '2001:8000::/20,AS1221,valid',
      '2001:df0:5580::/48,AS0,invalid',
      '192.0.2.0/24,AS64496,not-found',
      '',
    ].join('\n'),
  );
});
