/**
 * `rovd vrps`: exact output in both formats, the union of files, SLURM on
 * top, ASPAs in json, usage and file errors, back-pressure on a slow
 * stdout, and a json round trip through our own parser.
 */
import t from 'tap';
import { Writable } from 'node:stream';
import { join } from 'node:path';
import { runRovd } from '../helpers/rovd.js';
import { parseRpkiBytes } from '../../src/rpki/formats/parse.js';
import { loadRpkiFiles } from '../../src/rpki/load-files.js';
import { samePayload } from '../../src/rpki/payload.js';
import { syntheticVrps } from '../helpers/stayrtr.js';

/** Runs `rovd ARGS…` in-process and captures its output. */
const rovd = (args: string[], stdout?: Writable) => runRovd(args, { stdout });

/** Out of order, mixed case, a duplicate under another trust anchor. */
const VRPS = JSON.stringify({
  roas: [
    { asn: 'AS64498', prefix: '2001:DB8::/32', maxLength: 48, ta: 'apnic' },
    { asn: 'AS64497', prefix: '198.51.100.0/22', maxLength: 24, ta: 'arin' },
    { asn: 'AS64496', prefix: '192.0.2.0/24', maxLength: 24, ta: 'ripe' },
    { asn: 'AS64496', prefix: '192.0.2.0/24', maxLength: 24, ta: 'arin' },
    { asn: 'AS64495', prefix: '192.0.2.0/24', maxLength: 24, ta: 'ripe' },
  ],
});

/** The two metadata lines carry the time of the run; everything else is fixed. */
function withoutTime(json: string): string {
  return json
    .replace(/"generated": \d+,/, '"generated": 0,')
    .replace(/"generatedTime": "[^"]*"/, '"generatedTime": "T"');
}

t.test('json: Routinator\'s shape, canonical order, duplicates removed', async (t) => {
  const dir = t.testdir({ 'vrps.json': VRPS });
  const before = Math.floor(Date.now() / 1000);
  const r = await rovd(['vrps', '--vrps', join(dir, 'vrps.json')]);
  t.equal(r.code, 0);
  t.equal(r.err, '');
  t.equal(
    withoutTime(r.out),
    `{
  "metadata": {
    "generated": 0,
    "generatedTime": "T"
  },
  "roas": [
    { "asn": "AS64495", "prefix": "192.0.2.0/24", "maxLength": 24, "ta": "ripe" },
    { "asn": "AS64496", "prefix": "192.0.2.0/24", "maxLength": 24, "ta": "ripe" },
    { "asn": "AS64497", "prefix": "198.51.100.0/22", "maxLength": 24, "ta": "arin" },
    { "asn": "AS64498", "prefix": "2001:db8::/32", "maxLength": 48, "ta": "apnic" }
  ]
}
`,
  );
  const meta = (JSON.parse(r.out) as { metadata: { generated: number; generatedTime: string } }).metadata;
  t.ok(meta.generated >= before && meta.generated <= Math.ceil(Date.now() / 1000), 'generated is now');
  t.equal(meta.generatedTime, new Date(meta.generated * 1000).toISOString().replace('.000Z', 'Z'));

  const explicit = await rovd(['vrps', '--vrps', join(dir, 'vrps.json'), '--format', 'json']);
  t.equal(withoutTime(explicit.out), withoutTime(r.out), 'json is the default');
});

t.test('csv: asn,prefix,maxLength with a header', async (t) => {
  const dir = t.testdir({ 'vrps.json': VRPS });
  const r = await rovd(['vrps', '--vrps', join(dir, 'vrps.json'), '--format', 'csv']);
  t.equal(r.code, 0);
  t.equal(r.err, '');
  t.equal(
    r.out,
    'asn,prefix,maxLength\nAS64495,192.0.2.0/24,24\nAS64496,192.0.2.0/24,24\nAS64497,198.51.100.0/22,24\nAS64498,2001:db8::/32,48\n',
  );
  const empty = t.testdir({ 'empty.json': '{"roas": []}' });
  t.equal((await rovd(['vrps', '--vrps', join(empty, 'empty.json'), '--format', 'csv'])).out, 'asn,prefix,maxLength\n', 'just the header');
});

t.test('several files are a union; SLURM applies on top', async (t) => {
  const dir = t.testdir({
    'a.json': VRPS,
    'b.csv': 'ASN,IP Prefix,Max Length,Trust Anchor\nAS64510,203.0.113.0/24,24,lacnic\nAS64496,192.0.2.0/24,24,ripe\n',
    'slurm.json': JSON.stringify({
      slurmVersion: 1,
      validationOutputFilters: { prefixFilters: [{ prefix: '192.0.2.0/24', asn: 64496 }], bgpsecFilters: [] },
      locallyAddedAssertions: { prefixAssertions: [{ asn: 64511, prefix: '198.18.0.0/15', maxPrefixLength: 24 }], bgpsecAssertions: [] },
    }),
    'slurm2.json': JSON.stringify({
      slurmVersion: 1,
      validationOutputFilters: { prefixFilters: [{ prefix: '2001:db8::/32' }], bgpsecFilters: [] },
      locallyAddedAssertions: { prefixAssertions: [], bgpsecAssertions: [] },
    }),
  });
  const base = ['vrps', '--vrps', join(dir, 'a.json'), '--vrps', join(dir, 'b.csv'), '--format', 'csv'];
  t.equal(
    (await rovd(base)).out,
    'asn,prefix,maxLength\nAS64495,192.0.2.0/24,24\nAS64496,192.0.2.0/24,24\nAS64497,198.51.100.0/22,24\nAS64510,203.0.113.0/24,24\nAS64498,2001:db8::/32,48\n',
  );
  t.equal(
    (await rovd([...base, '--slurm', join(dir, 'slurm.json'), '--slurm', join(dir, 'slurm2.json')])).out,
    'asn,prefix,maxLength\nAS64495,192.0.2.0/24,24\nAS64511,198.18.0.0/15,24\nAS64497,198.51.100.0/22,24\nAS64510,203.0.113.0/24,24\n',
    'filters remove, assertions add, both SLURM files apply',
  );
});

t.test('ASPAs: in json, counted on stderr for csv; SLURM v2 applies to them', async (t) => {
  const dir = t.testdir({
    'vrps.json': JSON.stringify({
      roas: [{ asn: 'AS64496', prefix: '192.0.2.0/24', maxLength: 24, ta: 'ripe' }],
      aspas: [
        { customer: 'AS64496', providers: ['AS64501', 'AS64500'], ta: 'ripe' },
        { customer: 'AS64497', providers: ['AS64502'], ta: 'ripe' },
      ],
    }),
    'slurm.json': JSON.stringify({
      slurmVersion: 2,
      validationOutputFilters: { prefixFilters: [], bgpsecFilters: [], aspaFilters: [{ customerAsn: 64497 }] },
      locallyAddedAssertions: { prefixAssertions: [], bgpsecAssertions: [], aspaAssertions: [{ customerAsn: 64499, providerAsns: [64503] }] },
    }),
  });
  const json = await rovd(['vrps', '--vrps', join(dir, 'vrps.json')]);
  t.equal(json.code, 0);
  t.match(
    json.out,
    '  "aspas": [\n' +
      '    { "customer": "AS64496", "providers": ["AS64500", "AS64501"], "ta": "ripe" },\n' +
      '    { "customer": "AS64497", "providers": ["AS64502"], "ta": "ripe" }\n' +
      '  ]\n}\n',
  );
  const slurmed = await rovd(['vrps', '--vrps', join(dir, 'vrps.json'), '--slurm', join(dir, 'slurm.json')]);
  t.same((JSON.parse(slurmed.out) as { aspas: unknown }).aspas, [
    { customer: 'AS64496', providers: ['AS64500', 'AS64501'], ta: 'ripe' },
    { customer: 'AS64499', providers: ['AS64503'], ta: 'N/A' },
  ]);

  const csv = await rovd(['vrps', '--vrps', join(dir, 'vrps.json'), '--format', 'csv']);
  t.equal(csv.code, 0);
  t.equal(csv.out, 'asn,prefix,maxLength\nAS64496,192.0.2.0/24,24\n');
  t.equal(csv.err, 'rovd vrps: csv holds VRPs only; 2 ASPA(s) not shown (use --format json)\n');
});

t.test('usage errors: one line, exit 2', async (t) => {
  const dir = t.testdir({ 'vrps.json': VRPS });
  const vrps = join(dir, 'vrps.json');
  const cases: [string[], RegExp][] = [
    [['vrps'], /^rovd vrps: at least one --vrps FILE \(or --rtr HOST:PORT\) is needed\n$/],
    [['vrps', '--slurm', vrps], /at least one --vrps FILE/],
    [['vrps', '--vrps', vrps, '--format', 'text'], /--format must be json or csv, not "text"/],
    [['vrps', '--vrps', vrps, 'extra'], /unexpected argument "extra"/],
    [['vrps', '--vrps'], /Option '--vrps <value>' argument missing/],
    [['vrps', '--vrps', vrps, '--bogus'], /Unknown option '--bogus'/],
  ];
  for (const [args, want] of cases) {
    const r = await rovd(args);
    t.equal(r.code, 2, args.join(' '));
    t.match(r.err, want, args.join(' '));
    t.equal(r.err.trim().split('\n').length, 1, 'one line');
    t.equal(r.out, '', 'nothing on stdout');
  }
});

t.test('bad input files: exit 1 naming the file and entry', async (t) => {
  const dir = t.testdir({
    'bad.json': JSON.stringify({ roas: [{ asn: 'AS1', prefix: '192.0.2.0/24', maxLength: 24 }, { asn: 'AS1', prefix: '192.0.2.0/24', maxLength: 23 }] }),
    'bad-slurm.json': JSON.stringify({ slurmVersion: 1, validationOutputFilters: { prefixFilters: [{ prefix: '192.0.2.1/24' }], bgpsecFilters: [] }, locallyAddedAssertions: { prefixAssertions: [], bgpsecAssertions: [] } }),
    'vrps.json': VRPS,
  });
  const bad = await rovd(['vrps', '--vrps', join(dir, 'vrps.json'), '--vrps', join(dir, 'bad.json')]);
  t.equal(bad.code, 1);
  t.match(bad.err, /^rovd vrps: .*bad\.json: roas\[1\]: .*maxLength/);
  t.equal(bad.out, '', 'nothing printed from a half-read set');
  const missing = await rovd(['vrps', '--vrps', join(dir, 'nope.json')]);
  t.equal(missing.code, 1);
  t.match(missing.err, /nope\.json: no such file/);
  const badSlurm = await rovd(['vrps', '--vrps', join(dir, 'vrps.json'), '--slurm', join(dir, 'bad-slurm.json')]);
  t.equal(badSlurm.code, 1);
  t.match(badSlurm.err, /bad-slurm\.json: validationOutputFilters\.prefixFilters\[0\]\.prefix/);
});

t.test('help', async (t) => {
  const help = await rovd(['vrps', '--help']);
  t.equal(help.code, 0);
  for (const option of ['--vrps', '--slurm', '--format', 'asn,prefix,maxLength', '--rtr HOST:PORT', '--tls', '--ca', '--version', '--timeout']) t.match(help.out, option);
  t.match((await rovd(['--help'])).out, /^ {2}vrps {7}print the VRP set/m);
});

t.test('json round trip: the output parses back to the same set', async (t) => {
  const roas = syntheticVrps(5000, 3).map((v) => ({ asn: `AS${v.asn}`, prefix: v.prefix, maxLength: v.maxLength, ta: 'test' }));
  const dir = t.testdir({
    'vrps.json': JSON.stringify({
      roas,
      aspas: [
        { customer: 'AS64496', providers: ['AS64500', 'AS4200000000'], ta: 'test' },
        { customer: 'AS7', providers: ['AS1'], ta: 'test' },
      ],
    }),
  });
  const input = await loadRpkiFiles([join(dir, 'vrps.json')]);
  t.equal(input.vrps.size, 5000);
  const r = await rovd(['vrps', '--vrps', join(dir, 'vrps.json'), '--format', 'json']);
  t.equal(r.code, 0);
  const back = parseRpkiBytes(Buffer.from(r.out), 'stdout');
  t.equal(back.format, 'routinator-json');
  t.ok(samePayload(back.payload, input), 'same VRPs and ASPAs');
  t.equal(back.payload.vrps.size, 5000);
  t.equal(back.payload.aspas.length, 2);
});

t.test('a slow stdout: output waits for drain and arrives whole', async (t) => {
  const roas = syntheticVrps(20000, 5).map((v) => ({ asn: `AS${v.asn}`, prefix: v.prefix, maxLength: v.maxLength }));
  const dir = t.testdir({ 'vrps.json': JSON.stringify({ roas }) });
  const received: Buffer[] = [];
  let maxBuffered = 0;
  const slow: Writable = new Writable({
    highWaterMark: 16 * 1024,
    write(chunk: Buffer, _encoding, callback) {
      // Everything written and not yet consumed: a writer that ignored
      // back-pressure would have queued the whole output by the second call.
      maxBuffered = Math.max(maxBuffered, slow.writableLength);
      received.push(chunk);
      setImmediate(callback);
    },
  });
  const r = await rovd(['vrps', '--vrps', join(dir, 'vrps.json'), '--format', 'csv'], slow);
  t.equal(r.code, 0);
  const out = Buffer.concat(received).toString();
  t.equal(out.split('\n').length, 20000 + 2, 'header, 20000 lines, final newline');
  t.ok(out.length > 400_000, `the output is large (${out.length} bytes)`);
  t.ok(maxBuffered <= 2 * 64 * 1024 + 100, `never more than about two chunks buffered (${maxBuffered} bytes)`);
});
