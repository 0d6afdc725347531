/**
 * rovd's metrics through a real Prometheus (Debian's `prometheus`): it
 * scrapes rovd's API server (with the security plugin, /metrics guarded by
 * a bearer token from `http.metrics.bearerTokenFile`) using
 * `authorization: {credentials_file}`, and the values come back through
 * /api/v1/query. The example PromQL of
 * docs/metrics.md is run too, so a syntax error there fails here.
 *
 * Skipped when prometheus is not installed, failed then under
 * ROVD_REQUIRE_PEERS=1.
 */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { parseConfig } from '../../src/config/config.js';
import type { Daemon } from '../../src/daemon/daemon.js';
import { registerSecurity } from '../../src/http/security/plugin.js';
import { buildApiServer } from '../../src/http/server.js';
import { NOOP_LOGGER } from '../../src/log/logger.js';
import type { RovdMetrics } from '../../src/metrics/metrics.js';
import { Prometheus } from '../helpers/prometheus.js';
import { daemonWithTraffic } from '../metrics/traffic.js';

const TOKEN = 'prometheus-scrape-token-0123456789';

/**
 * rovd's own API server with its security plugin, configured as an
 * operator would: `http.metrics.bearerTokenFile`. Records the
 * Authorization headers it saw.
 */
async function metricsServer(t: Test, daemon: Daemon, metrics: RovdMetrics): Promise<{ target: string; port: number; authorizations: string[] }> {
  const dir = await mkdtemp(join(tmpdir(), 'rovd-prom-api-'));
  await writeFile(join(dir, 'token'), `${TOKEN}\n`);
  const settings = parseConfig('http:\n  listen: "127.0.0.1:0"\n  metrics: { bearerTokenFile: token }\n', join(dir, 'rovd.yaml')).http;
  const authorizations: string[] = [];
  const app = await buildApiServer({
    daemon,
    version: '0.0.0-test',
    metrics,
    security: (a) => {
      a.addHook('onRequest', async (request) => {
        authorizations.push(request.headers.authorization ?? '');
      });
      registerSecurity(a, { settings, logger: NOOP_LOGGER });
    },
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  t.teardown(() => app.close());
  const { port } = app.server.address() as AddressInfo;
  return { target: `127.0.0.1:${port}`, port, authorizations };
}

/** The expressions of the ```promql blocks (an indented line continues the one above). */
function examples(markdown: string): string[] {
  const out: string[] = [];
  for (const block of markdown.matchAll(/```promql\n([\s\S]*?)```/g)) {
    for (const line of block[1]!.split('\n')) {
      if (line.trim() === '') continue;
      if (/^\s/.test(line) && out.length > 0) out[out.length - 1] += ` ${line.trim()}`;
      else out.push(line.trim());
    }
  }
  return out;
}

t.test('Prometheus scrapes rovd with the bearer token and answers queries on its metrics', async (t) => {
  const p = await daemonWithTraffic(t);
  const server = await metricsServer(t, p.daemon, p.metrics);
  const refused = await fetch(`http://${server.target}/metrics`);
  t.equal(refused.status, 401, "rovd's API refuses a scrape without the token");

  const prom = await Prometheus.start(t, { target: server.target, token: TOKEN });
  if (!prom) return;

  await prom.waitFor('up{job="rovd"}', (v) => v[0]?.value[1] === '1');
  t.pass('the target is up');
  t.ok(server.authorizations.includes(`Bearer ${TOKEN}`), 'Prometheus sent the token from its credentials_file');
  const targets = await prom.api<{ activeTargets: { health: string; lastError: string; scrapeUrl: string }[] }>('/api/v1/targets');
  t.match(targets.activeTargets, [{ health: 'up', lastError: '', scrapeUrl: `http://${server.target}/metrics` }], 'scraped without error: the exposition parses');

  const invalid = await prom.waitFor('rovd_routes{vif="dxvif-m1", state="invalid", afi="ipv4"}', (v) => v.length === 1);
  t.equal(invalid[0]!.value[1], '1', 'one invalid route on dxvif-m1');
  t.match(invalid[0]!.metric, { job: 'rovd', rib: 'adj-rib-in-pre' });

  const ratio = await prom.vector('rovd_prefix_limit_usage_ratio{vif="dxvif-m2", afi="ipv4"}');
  t.equal(ratio[0]?.value[1], '0.75');
  const firing = await prom.vector('sum by (type, vif) (rovd_alerts_firing{severity="critical"})');
  t.match(firing, [{ metric: { type: 'rpki-invalid', vif: 'dxvif-m1' }, value: [Number, '1'] }]);
  const info = await prom.vector('rovd_build_info');
  t.match(info, [{ metric: { version: '0.0.0-test', node: process.versions.node }, value: [Number, '1'] }]);
  const types = await prom.api<Record<string, { type: string }[]>>('/api/v1/metadata?metric=rovd_bmp_messages_total');
  t.equal(types.rovd_bmp_messages_total?.[0]?.type, 'counter', 'a counter to Prometheus, though read at scrape time');

  // Traffic after the first scrapes shows up in later ones: the ingest times every UPDATE.
  const timed = await prom.waitFor('rovd_update_validation_seconds_count{vif="dxvif-m1"}', (v) => Number(v[0]?.value[1]) > 0);
  const before = Number(timed[0]!.value[1]);
  p.metrics.observeValidationLatency(0.0003, 'dxvif-m1');
  await prom.waitFor('rovd_update_validation_seconds_count{vif="dxvif-m1"}', (v) => Number(v[0]?.value[1]) >= before + 1);
  t.pass('the latency histogram is scraped, one more observation seen');

  const docs = await readFile(new URL('../../docs/metrics.md', import.meta.url), 'utf8');
  const queries = examples(docs);
  t.ok(queries.length >= 10, `${queries.length} example queries in docs/metrics.md`);
  for (const q of queries) {
    await t.resolves(prom.query(q), `docs example runs: ${q}`);
  }
});
