/**
 * deploy/compose.yaml and the files it mounts, checked without a
 * container engine: every file parses; the services, ports and mounted
 * paths exist in the repo; the Prometheus config passes `promtool check
 * config` with the container paths mapped back to the repo's files; the
 * Alertmanager config passes `amtool check-config`; rovd's compose config
 * loads with rovd's own config loader; Grafana's provisioning points at
 * the mounted dashboard and the Prometheus service.
 */
import { existsSync } from 'node:fs';
import { cp, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { parse as parseYaml } from 'yaml';
import { loadConfig } from '../../src/config/config.js';
import { peersRequired } from '../helpers/corpus.js';
import { findPeer, onPath, runBounded } from '../helpers/peers.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DEPLOY = join(ROOT, 'deploy');

interface Service {
  build?: { context: string; dockerfile: string };
  image?: string;
  ports?: string[];
  volumes?: string[];
  secrets?: string[];
  command?: string[];
  depends_on?: string[];
}
const compose = parseYaml(await readFile(join(DEPLOY, 'compose.yaml'), 'utf8')) as {
  services: Record<string, Service>;
  secrets: Record<string, { file: string }>;
  volumes: Record<string, unknown>;
};
const mounts = (name: string) =>
  (compose.services[name]!.volumes ?? []).map((v) => {
    const [source, target, mode] = v.split(':') as [string, string, string | undefined];
    return { source, target, mode, bind: source.startsWith('.') || source.startsWith('/') };
  });
/** The repo file behind a path inside a container, through the binds (longest target first). */
function hostPath(service: string, containerPath: string): string | undefined {
  const binds = mounts(service).filter((m) => m.bind).sort((a, b) => b.target.length - a.target.length);
  for (const m of binds) {
    if (containerPath === m.target || containerPath.startsWith(`${m.target}/`)) return join(resolve(DEPLOY, m.source), containerPath.slice(m.target.length));
  }
  return undefined;
}

t.test('services, ports, volumes, secrets', async (t) => {
  t.same(Object.keys(compose.services).sort(), ['alertmanager', 'grafana', 'prometheus', 'rovd']);
  t.same(compose.services.rovd!.build, { context: '..', dockerfile: 'Dockerfile' }, 'rovd is built from the Dockerfile');
  t.ok(existsSync(join(resolve(DEPLOY, '..'), 'Dockerfile')));
  t.same(compose.services.rovd!.ports, ['11019:11019', '9684:9684']);
  t.same(compose.services.prometheus!.ports, ['9090:9090']);
  t.same(compose.services.alertmanager!.ports, ['9093:9093']);
  t.same(compose.services.grafana!.ports, ['3000:3000']);
  for (const name of ['prometheus', 'alertmanager', 'grafana']) t.match(compose.services[name]!.image, /:v?\d+\.\d+\.\d+$/, `${name}: a pinned image`);
  for (const name of Object.keys(compose.services)) {
    for (const m of mounts(name)) {
      if (m.bind) {
        t.ok(existsSync(resolve(DEPLOY, m.source)), `${name}: ${m.source} exists`);
        t.equal(m.mode, 'ro', `${name}: ${m.source} mounted read-only`);
      } else t.ok(m.source in compose.volumes, `${name}: volume ${m.source} declared`);
    }
  }
  t.ok(mounts('rovd').some((m) => m.source === 'rovd-data' && m.target === '/var/lib/rovd'), 'rovd: its store on a volume');
  t.ok(mounts('rovd').some((m) => m.target === '/etc/rovd/rovd.yaml'), 'rovd: its config mounted where the image CMD reads it');
  t.same(compose.services.rovd!.secrets, ['rovd-metrics-token']);
  t.same(compose.services.prometheus!.secrets, ['rovd-metrics-token']);
  const secret = compose.secrets['rovd-metrics-token']!.file;
  t.match(secret, /^\.\/secrets\//, 'the token file lives in deploy/secrets/');
  const ignore = await readFile(join(DEPLOY, 'secrets', '.gitignore'), 'utf8');
  t.match(ignore, /^\*$/m, 'deploy/secrets/ is kept out of git');
  const docs = await readFile(join(ROOT, 'docs', 'deploy.md'), 'utf8');
  t.ok(docs.includes(secret.replace(/^\.\//, 'deploy/')), 'docs/deploy.md says how to make the token file');
});

t.test("rovd's compose config loads, with the token and the Alertmanager sink", async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'rovd-compose-'));
  await cp(join(ROOT, 'config', 'sample'), join(dir, 'sample'), { recursive: true });
  await writeFile(join(dir, 'token'), 'compose-test-token\n');
  const text = (await readFile(join(DEPLOY, 'rovd', 'rovd.compose.yaml'), 'utf8')).replace('/run/secrets/rovd-metrics-token', join(dir, 'token')).replace('/var/lib/rovd', join(dir, 'store'));
  await writeFile(join(dir, 'rovd.yaml'), text);
  const config = await loadConfig(join(dir, 'rovd.yaml'));
  t.match(config.http, { host: '0.0.0.0', port: 9684 });
  t.equal(config.http.metrics.bearerToken?.reveal(), 'compose-test-token', '/metrics behind the token Prometheus sends');
  t.match(config.alerts.sinks, [{ type: 'alertmanager', url: 'http://alertmanager:9093' }]);
  t.match(config.bmp, { host: '0.0.0.0', port: 11019 });
  const scrape = (parseYaml(await readFile(join(DEPLOY, 'prometheus', 'prometheus.yml'), 'utf8')) as { scrape_configs: { job_name: string; static_configs: { targets: string[] }[] }[] }).scrape_configs.find((s) => s.job_name === 'rovd');
  t.same(scrape?.static_configs[0]?.targets, [`rovd:${config.http.port}`], 'Prometheus scrapes the rovd service on its API port');
});

t.test('promtool check config: the Prometheus config with its mounts', async (t) => {
  const promtool = findPeer(t, 'promtool');
  if (!promtool) return;
  const dir = await mkdtemp(join(tmpdir(), 'rovd-compose-prom-'));
  await writeFile(join(dir, 'rovd-metrics-token'), 'x\n');
  let text = await readFile(join(DEPLOY, 'prometheus', 'prometheus.yml'), 'utf8');
  const prom = parseYaml(text) as { rule_files: string[]; scrape_configs: { authorization?: { credentials_file?: string } }[] };
  for (const rules of prom.rule_files) {
    const host = hostPath('prometheus', rules);
    t.ok(host && existsSync(host), `${rules} is mounted from ${host}`);
    text = text.replace(rules, host!);
  }
  for (const s of prom.scrape_configs) {
    const file = s.authorization?.credentials_file;
    if (file === undefined) continue;
    t.equal(file, '/run/secrets/rovd-metrics-token', 'the token is the compose secret');
    text = text.replace(file, join(dir, 'rovd-metrics-token'));
  }
  await writeFile(join(dir, 'prometheus.yml'), text);
  const r = await runBounded(promtool, ['check', 'config', join(dir, 'prometheus.yml')], 30_000);
  t.equal(r.code, 0, r.output);
  t.match(r.output, /SUCCESS: 1 rule files found/);
});

t.test('amtool check-config: the Alertmanager config', async (t) => {
  const amtool = onPath('amtool');
  if (!amtool) {
    if (peersRequired()) t.fail('amtool not installed: apt-get install -y prometheus-alertmanager; required because ROVD_REQUIRE_PEERS=1');
    else t.pass('needs amtool', { skip: 'amtool not installed: apt-get install -y prometheus-alertmanager' });
    return;
  }
  const file = hostPath('alertmanager', '/etc/alertmanager/alertmanager.yml')!;
  const r = await runBounded(amtool, ['check-config', file], 30_000);
  t.equal(r.code, 0, r.output);
  t.match(r.output, /SUCCESS/);
});

t.test('Grafana: the Prometheus service as data source, the dashboard from dashboards/', async (t) => {
  const provisioning = hostPath('grafana', '/etc/grafana/provisioning')!;
  const ds = parseYaml(await readFile(join(provisioning, 'datasources', 'prometheus.yaml'), 'utf8')) as { datasources: { type: string; url: string; isDefault: boolean }[] };
  t.match(ds.datasources, [{ type: 'prometheus', url: 'http://prometheus:9090', isDefault: true }]);
  const dash = parseYaml(await readFile(join(provisioning, 'dashboards', 'rovd.yaml'), 'utf8')) as { providers: { type: string; options: { path: string } }[] };
  const path = dash.providers[0]!.options.path;
  const host = hostPath('grafana', path);
  t.ok(host && existsSync(join(host, 'rovd.json')), `${path} holds rovd.json (from ${host})`);
  t.equal(dirname(join(host!, 'rovd.json')), join(ROOT, 'dashboards'));
});
