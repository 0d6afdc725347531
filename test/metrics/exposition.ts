/**
 * Reading the Prometheus text exposition (format 0.0.4) and the metric
 * tables of docs/metrics.md, for the catalogue tests. Just enough of the
 * grammar for what prom-client writes: `# TYPE` lines and samples with
 * quoted, escaped label values.
 */

export interface Family {
  readonly name: string;
  readonly type: string;
  readonly samples: Sample[];
}

export interface Sample {
  /** The sample's own name (`…_bucket`, `…_sum` for histograms). */
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

const SUFFIXES: Readonly<Record<string, readonly string[]>> = {
  histogram: ['_bucket', '_sum', '_count'],
  summary: ['_sum', '_count'],
};

export function parseExposition(text: string): Map<string, Family> {
  const families = new Map<string, Family>();
  for (const line of text.split('\n')) {
    const type = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (type) {
      families.set(type[1]!, { name: type[1]!, type: type[2]!, samples: [] });
      continue;
    }
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`not a sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    const family = familyOf(families, m[1]!);
    if (!family) throw new Error(`sample without a TYPE: ${line}`);
    family.samples.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return families;
}

function familyOf(families: Map<string, Family>, sample: string): Family | undefined {
  const direct = families.get(sample);
  if (direct) return direct;
  for (const f of families.values()) for (const s of SUFFIXES[f.type] ?? []) if (sample === f.name + s) return f;
  return undefined;
}

/** The label names a family's samples carry (bucket/quantile bounds left out). */
export function labelNames(f: Family): string[] {
  const names = new Set<string>();
  for (const s of f.samples) for (const n of Object.keys(s.labels)) if (n !== 'le' && n !== 'quantile') names.add(n);
  return [...names].sort();
}

export interface Documented {
  readonly name: string;
  readonly type: string;
  readonly labels: readonly string[];
  readonly unit: string;
  readonly meaning: string;
}

/** Rows of the metric tables: | `name` | type | `l1`, `l2` or — | unit | meaning |. */
export function parseCatalogue(markdown: string): Map<string, Documented> {
  const rows = new Map<string, Documented>();
  for (const line of markdown.split('\n')) {
    const m = /^\| `([a-zA-Z_:][a-zA-Z0-9_:]*)` \| ([a-z]+) \| ([^|]+) \| ([^|]+) \| (.+) \|$/.exec(line);
    if (!m) continue;
    if (rows.has(m[1]!)) throw new Error(`documented twice: ${m[1]}`);
    const labels = [...m[3]!.matchAll(/`([a-zA-Z_][a-zA-Z0-9_]*)`/g)].map((l) => l[1]!).sort();
    rows.set(m[1]!, { name: m[1]!, type: m[2]!, labels, unit: m[4]!.trim(), meaning: m[5]!.trim() });
  }
  return rows;
}
