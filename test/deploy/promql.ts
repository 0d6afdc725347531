/**
 * For the deploy tests: the metric names rovd exports (read from a
 * running daemon's /metrics text, so a renamed metric fails the
 * dashboards and rules that use it), and the metric names a PromQL
 * expression uses.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Test } from 'tap';
import { parseConfig } from '../../src/config/config.js';
import { Daemon } from '../../src/daemon/daemon.js';
import { createMetrics } from '../../src/metrics/metrics.js';
import { parseExposition } from '../metrics/exposition.js';

const SUFFIXES: Readonly<Record<string, readonly string[]>> = { histogram: ['_bucket', '_sum', '_count'], summary: ['_sum', '_count'] };

/**
 * Every series name a small daemon's /metrics declares (`# TYPE` lines:
 * families without samples yet count too), histograms with their
 * `_bucket`, `_sum` and `_count`. Plus `up`, which Prometheus adds to
 * every target.
 */
export async function exportedMetricNames(t: Test): Promise<Set<string>> {
  const dir = await mkdtemp(join(tmpdir(), 'rovd-deploy-metrics-'));
  await writeFile(join(dir, 'vrps.json'), JSON.stringify({ roas: [{ asn: 'AS7224', prefix: '10.0.0.0/8', maxLength: 16, ta: 'test' }] }));
  const config = parseConfig('rpki: { files: [vrps.json] }\nbmp: { listen: "127.0.0.1:0", decodeThread: false }\n', join(dir, 'rovd.yaml'));
  const daemon = new Daemon({ config, summaryIntervalMs: 0 });
  const metrics = createMetrics(daemon, { version: '0.0.0-test' });
  await daemon.start();
  try {
    const names = new Set<string>(['up']);
    for (const f of parseExposition(await metrics.render()).values()) {
      names.add(f.name);
      for (const s of SUFFIXES[f.type] ?? []) names.add(`${f.name}${s}`);
    }
    return names;
  } finally {
    metrics.close();
    await daemon.stop();
  }
}

const KEYWORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'bool', 'and', 'or', 'unless', 'offset', 'inf', 'nan', 'atan2']);

/**
 * The metric names an expression selects. Removes strings, label matchers,
 * ranges and subqueries, Grafana's `$variables`, grouping lists (`by
 * (…)`, `on (…)`…) and numbers; what is left that is not a function call
 * or keyword is a metric name.
 */
export function metricNames(expr: string): string[] {
  let e = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""')
    .replace(/\{[^{}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\$\{[^}]*\}|\$\w+/g, ' ');
  e = e.replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const names = new Set<string>();
  for (const m of e.matchAll(/(?<![\w.:])([a-zA-Z_:][a-zA-Z0-9_:]*)(?![\w:])(\s*\()?/g)) {
    const name = m[1]!;
    if (m[2] !== undefined) continue; // a function call: rate(, sum(, …
    if (KEYWORDS.has(name.toLowerCase())) continue;
    if (/^\d/.test(name) || /^(?:\d+[smhdwy])+$/.test(name)) continue;
    names.add(name);
  }
  return [...names];
}

/** Grafana's variables replaced by values PromQL parses, for promtool. */
export function withoutGrafanaVariables(expr: string): string {
  return expr
    .replace(/\$__(?:rate_interval|interval|range)\b|\$\{__(?:rate_interval|interval|range)\}/g, '5m')
    .replace(/\$\{(\w+)(?::\w+)?\}|\$(\w+)/g, '.*');
}
