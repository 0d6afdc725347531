import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { demoSample } from '../../src/cli/demo-sample.js';
import { REPO_ROOT } from '../helpers/corpus.js';
import { runRovd } from '../helpers/rovd.js';

t.test('rovd demo --once: the bundled MRT table over BMP gives routes of every state, a hijack and grouped alerts', async (t) => {
  const r = await runRovd(['demo', '--once', '--http', '127.0.0.1:0']);
  t.equal(r.code, 0, r.err);
  t.match(r.out, /rovd demo: 70 routes played from config\/sample\/demo\.mrt over BMP into 5000 VRPs/);
  t.match(r.out, /held: 69 routes: 60 valid, 6 invalid, 3 not-found/, 'two sample routes share a prefix: 69 held');
  t.match(r.out, /203\.119\.104\.0\/24 +from AS64666: wrong origin/);
  t.match(r.out, /too specific/);
  t.match(r.out, /\[critical\] Sub-prefix hijack: 203\.119\.104\.0\/24 inside own 203\.119\.104\.0\/22 from AS64666/);
  t.match(r.out, /\[critical\] RPKI-invalid: 4 routes from AS64511 on dxvif-demo1/);
  t.notMatch(r.out, /BMP session with router/, 'the demo router stays connected');
  t.match(r.out, /Look around: http:\/\/127\.0\.0\.1:\d+\/api\/v1\/alerts\?status=firing/);
});

t.test('the bundled demo table is what the generator writes; usage', async (t) => {
  const bundled = await readFile(join(REPO_ROOT, 'config/sample/demo.mrt'));
  t.ok(bundled.equals(demoSample(join(REPO_ROOT, 'config/sample/vrps.json'))), 'rovd demo --write-sample reproduces config/sample/demo.mrt');
  t.match((await runRovd(['demo', '--help'])).out, /Usage: rovd demo/);
  t.equal((await runRovd(['demo', 'extra'])).code, 2);
  t.equal((await runRovd(['demo', '--http', 'x'])).code, 2);
  t.match((await runRovd(['--help'])).out, /demo +no router needed/);
});
