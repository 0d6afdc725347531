/**
 * `rovd vrps --rtr` against StayRTR, over TCP and over TLS with the cache's
 * certificate verified: the cache's set must print exactly as the same file
 * prints with `rovd vrps --vrps`.
 */
import t from 'tap';
import { runRovd } from '../helpers/rovd.js';
import { StayRtr, type VrpSpec } from '../helpers/stayrtr.js';

const rovd = (args: string[]) => runRovd(args);

const VRPS: VrpSpec[] = [
  { asn: 64496, prefix: '192.0.2.0/24', maxLength: 24 },
  { asn: 64497, prefix: '198.51.100.0/22', maxLength: 24 },
  { asn: 64498, prefix: '2001:db8::/32', maxLength: 48 },
];

t.test('the cache prints like the file, over TCP and TLS', async (t) => {
  const stayrtr = await StayRtr.start(t, { vrps: VRPS, tls: 'self-signed' });
  if (!stayrtr) return;
  const fromFile = await rovd(['vrps', '--vrps', stayrtr.cacheFile, '--format', 'csv']);
  t.equal(fromFile.code, 0);
  t.equal(fromFile.out, 'asn,prefix,maxLength\nAS64496,192.0.2.0/24,24\nAS64497,198.51.100.0/22,24\nAS64498,2001:db8::/32,48\n');

  const overTcp = await rovd(['vrps', '--rtr', stayrtr.address, '--format', 'csv']);
  t.equal(overTcp.code, 0, overTcp.err);
  t.equal(overTcp.out, fromFile.out);

  const overTls = await rovd(['vrps', '--rtr', `127.0.0.1:${stayrtr.tlsPort}`, '--tls', '--ca', stayrtr.tlsFiles!.cert, '--version', '1', '--format', 'csv']);
  t.equal(overTls.code, 0, overTls.err);
  t.equal(overTls.out, fromFile.out, 'over TLS, certificate verified against the given CA');

  const unverified = await rovd(['vrps', '--rtr', `127.0.0.1:${stayrtr.tlsPort}`, '--tls', '--timeout', '10']);
  t.equal(unverified.code, 1, 'a self-signed cache is refused without --ca');
  t.match(unverified.err, /self.signed certificate|unable to verify/i);

  const json = await rovd(['vrps', '--rtr', stayrtr.address]);
  t.match(JSON.parse(json.out), { roas: [{ asn: 'AS64496', prefix: '192.0.2.0/24', maxLength: 24 }, {}, {}] });
});

t.test('--rtr usage errors and an unreachable cache', async (t) => {
  const cases: [string[], number, RegExp][] = [
    [['vrps', '--rtr', 'nohostport'], 2, /expected HOST:PORT/],
    [['vrps', '--rtr', '127.0.0.1:323', '--vrps', 'x.json'], 2, /either --vrps FILE or --rtr/],
    [['vrps', '--rtr', '127.0.0.1:323', '--version', '3'], 2, /--version must be 0, 1 or 2/],
    [['vrps', '--vrps', 'x.json', '--tls'], 2, /go with --rtr/],
    [['vrps', '--rtr', '127.0.0.1:1', '--timeout', '5'], 1, /127\.0\.0\.1:1: cannot connect/],
  ];
  for (const [args, code, message] of cases) {
    const r = await rovd(args);
    t.equal(r.code, code, args.join(' '));
    t.match(r.err, message, args.join(' '));
  }
});
