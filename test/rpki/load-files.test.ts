import t from 'tap';
import { join } from 'node:path';
import { loadRpkiFiles, loadRpkiFilesOffThread } from '../../src/rpki/load-files.js';
import { RpkiFormatError } from '../../src/rpki/formats/rpki-file.js';
import { samePayload } from '../../src/rpki/payload.js';
import { caughtAsync } from '../helpers/errors.js';

const VRPS = JSON.stringify({
  roas: [
    { asn: 'AS64496', prefix: '192.0.2.0/24', maxLength: 24, ta: 'ripe' },
    { asn: 'AS64498', prefix: '2001:db8::/32', maxLength: 48, ta: 'apnic' },
  ],
  aspas: [{ customer: 'AS64496', providers: ['AS64500', 'AS64501'], ta: 'ripe' }],
});
const CSV = 'ASN,IP Prefix,Max Length,Trust Anchor\nAS64510,203.0.113.0/24,24,lacnic\n';
const SLURM = JSON.stringify({
  slurmVersion: 1,
  validationOutputFilters: { prefixFilters: [{ asn: 64510 }], bgpsecFilters: [] },
  locallyAddedAssertions: { prefixAssertions: [{ asn: 64511, prefix: '198.18.0.0/15' }], bgpsecAssertions: [] },
});

t.test('off the main thread: the same payload, rebuilt whole', async (t) => {
  const dir = t.testdir({ 'a.json': VRPS, 'b.csv': CSV, 'slurm.json': SLURM });
  const files = [join(dir, 'a.json'), join(dir, 'b.csv')];
  const slurm = [join(dir, 'slurm.json')];
  const here = await loadRpkiFiles(files, slurm);
  const there = await loadRpkiFilesOffThread(files, slurm);
  t.ok(samePayload(here, there));
  t.equal(there.vrps.size, 3, 'two ROAs, the CSV one filtered, one asserted');
  t.same([...there.vrps].map((v) => v.ta), [...here.vrps].map((v) => v.ta), 'trust anchors survive the trip');
  t.ok(Object.isFrozen(there.aspas[0]), 'ASPAs are immutable again');
  t.equal(there.vrps.delta(here.vrps).added.size, 0, 'the rebuilt table works');
});

t.test('off the main thread: errors come back as the same typed errors', async (t) => {
  const dir = t.testdir({ 'bad.json': JSON.stringify({ roas: [{ asn: 'AS1', prefix: '192.0.2.1/24', maxLength: 24 }] }) });
  const err = await caughtAsync(() => loadRpkiFilesOffThread([join(dir, 'bad.json')]));
  t.type(err, RpkiFormatError);
  t.match(err, { source: join(dir, 'bad.json'), entry: 'roas[0]', reason: /host bits/ });
  const missing = await caughtAsync(() => loadRpkiFilesOffThread([join(dir, 'missing.json')]));
  t.match(missing, { name: 'RpkiFormatError', reason: 'no such file' });
});
