/**
 * A route alert restored from the journal whose route went while rovd was
 * down: once the routers have had the stale grace to resend their tables,
 * the alert detection has not raised again is cleared; the one it has
 * raised again stays firing.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { AsPath } from '../../src/bgp/as-path.js';
import { partialAttributes } from '../../src/bgp/attributes.js';
import { parseConfig } from '../../src/config/config.js';
import { Daemon } from '../../src/daemon/daemon.js';
import { Prefix } from '../../src/net/prefix.js';
import { until } from '../helpers/until.js';

t.test('restored route alerts not raised again within the stale grace are cleared; the others stay', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'rovd-reconcile-'));
  await writeFile(join(dir, 'vrps.json'), JSON.stringify({ roas: [{ asn: 'AS7224', prefix: '10.0.0.0/8', maxLength: 16, ta: 'test' }] }));
  const yaml = `
rpki: { files: [vrps.json] }
bmp: { listen: "127.0.0.1:0", staleGraceSeconds: 1, decodeThread: false }
store: { dir: state }
alerts: { holdDown: { fireSeconds: 0, resolveSeconds: 0 } }
vifs:
  - { id: dxvif-r1, type: private, router: 192.0.2.1, peers: [{ address: 169.254.0.1, asn: 7224 }] }
`;
  const config = parseConfig(yaml, join(dir, 'rovd.yaml'));
  const announce = (d: Daemon, prefix: string) => d.rib.announce(d.rib.table({ router: '192.0.2.1', peer: '0|0:0|169.254.0.1', kind: 'adj-rib-in-pre' }), Prefix.parse(prefix), 0, partialAttributes({ asPath: AsPath.parse('7224') }));
  const firing = (d: Daemon) => d.alerts.alerts({ status: ['firing'], type: 'rpki-invalid' }).map((a) => a.labels.prefix).sort();

  const first = new Daemon({ config, summaryIntervalMs: 0, alertTickMs: 20 });
  await first.start();
  announce(first, '10.1.1.0/24');
  announce(first, '10.2.2.0/24');
  await until(() => firing(first).length === 2, 'two invalid routes fire');
  await first.stop();

  const second = new Daemon({ config, summaryIntervalMs: 0, alertTickMs: 20 });
  t.teardown(() => second.stop());
  await second.start();
  t.same(firing(second), ['10.1.1.0/24', '10.2.2.0/24'], 'both restored firing');
  // Only one route comes back: its alert is raised again, the other's is not.
  announce(second, '10.1.1.0/24');
  await new Promise((r) => setTimeout(r, 400));
  t.same(firing(second), ['10.1.1.0/24', '10.2.2.0/24'], 'nothing cleared inside the grace');
  await until(() => firing(second).length === 1, 'the alert not raised again is cleared after the grace', 5000);
  t.same(firing(second), ['10.1.1.0/24']);
});
