/**
 * docs/metrics.md against what a daemon that has seen traffic really
 * exposes, both ways: every documented metric is there with its type and
 * labels, every rovd_ metric exposed is documented. And the cardinality
 * rule: no label is a prefix, and more routes make no more series.
 */
import { readFile } from 'node:fs/promises';
import t from 'tap';
import { labelNames, parseCatalogue, parseExposition } from './exposition.js';
import { daemonWithTraffic, PEER, update } from './traffic.js';

const docs = await readFile(new URL('../../docs/metrics.md', import.meta.url), 'utf8');
const catalogue = parseCatalogue(docs);

t.test('the catalogue parses and names the metrics of every section', async (t) => {
  // The metrics issue 6 asks for by name.
  const asked = ['rovd_build_info', 'rovd_routes', 'rovd_routes_stale', 'rovd_rib_tables', 'rovd_rib_bytes', 'rovd_rib_attribute_sets', 'rovd_vrps', 'rovd_aspas', 'rovd_vrp_set_generation', 'rovd_rpki_stale', 'rovd_rpki_source_last_success_timestamp_seconds', 'rovd_rtr_session_up', 'rovd_rtr_serial', 'rovd_rtr_last_update_timestamp_seconds', 'rovd_bmp_sessions', 'rovd_bmp_messages_total', 'rovd_bmp_refused_connections_total', 'rovd_bmp_peers', 'rovd_bgp_updates_total', 'rovd_parse_errors_total', 'rovd_alerts_firing', 'rovd_alert_groups', 'rovd_notifications_total', 'rovd_outbox_pending', 'rovd_outbox_dead_letters', 'rovd_notification_attempts_total', 'rovd_prefix_limit_usage_ratio', 'rovd_prefix_limit', 'rovd_update_validation_seconds', 'rovd_detections', 'process_cpu_seconds_total', 'process_resident_memory_bytes'];
  t.same(asked.filter((n) => !catalogue.has(n)), [], `all asked for are among the ${catalogue.size} documented`);
  for (const d of catalogue.values()) {
    t.ok(['counter', 'gauge', 'histogram', 'summary'].includes(d.type), `${d.name}: type ${d.type}`);
    t.equal(d.type === 'counter', d.name.endsWith('_total'), `${d.name}: counters and only counters end in _total`);
    t.not(d.meaning, '', `${d.name}: has a meaning`);
    t.not(d.unit, '', `${d.name}: has a unit column`);
  }
});

t.test('documented = exposed, with types and labels', async (t) => {
  const p = await daemonWithTraffic(t, { aws: true });
  p.metrics.observeValidationLatency(0.0002, 'dxvif-m1');
  const exposed = parseExposition(await p.metrics.render());

  for (const d of catalogue.values()) {
    const f = exposed.get(d.name);
    if (!t.ok(f, `${d.name} is exposed`)) continue;
    t.equal(f!.type, d.type, `${d.name}: type`);
    // nodejs_gc_duration_seconds has samples only after a collection ran.
    if (f!.samples.length > 0) t.same(labelNames(f!), d.labels, `${d.name}: labels`);
    else t.equal(d.name, 'nodejs_gc_duration_seconds', `${d.name}: has samples in this scenario`);
  }
  const undocumented = [...exposed.keys()].filter((n) => n.startsWith('rovd_') && !catalogue.has(n));
  t.same(undocumented, [], 'every rovd_ metric exposed is documented');
  const rovd = [...exposed.values()].filter((f) => f.name.startsWith('rovd_'));
  t.same(rovd.filter((f) => f.samples.length === 0).map((f) => f.name), [], 'this scenario gives every rovd_ metric a sample');
});

t.test('labels are bounded: never a prefix; more routes, no more series', async (t) => {
  const p = await daemonWithTraffic(t);
  const series = (text: string) => text.split('\n').filter((l) => l.startsWith('rovd_'));
  const before = series(await p.metrics.render());
  const prefixes: string[] = [];
  for (let i = 0; i < 200; i++) prefixes.push(`10.${100 + (i >> 6)}.${(i & 63) * 4}.0/22`);
  const routes = p.daemon.rib.count();
  p.router.write(update(PEER, prefixes, [7224]));
  await p.until(() => p.daemon.rib.count() === routes + 200, '200 more routes');
  const text = await p.metrics.render();
  const after = series(text);
  t.equal(after.length, before.length, `${after.length} rovd_ series before and after 200 more routes`);

  const looksLikePrefix = /^[0-9a-fA-F:.]+\/\d{1,3}$/;
  for (const f of parseExposition(text).values()) {
    for (const s of f.samples) {
      t.notOk('prefix' in s.labels, `${s.name}: no prefix label`);
      for (const [k, v] of Object.entries(s.labels)) {
        if (looksLikePrefix.test(v) || prefixes.includes(v)) t.fail(`${s.name}{${k}="${v}"}: a prefix as a label value`);
      }
    }
  }
});
