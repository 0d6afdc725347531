/**
 * CPU profiles for the benchmarks (`--profile DIR`): V8's sampling
 * profiler through the inspector, written as .cpuprofile files (open them
 * in Chrome DevTools or speedscope) and summarised as self time by area of
 * the code and by function.
 */
import { writeFileSync } from 'node:fs';
import { Session as InspectorSession } from 'node:inspector/promises';
import { basename } from 'node:path';
import { fmtMs } from './measure.js';
import { line } from './report.js';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
}

export interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** Runs `fn` under the profiler (100 µs sampling), writes the profile to `path`, returns both results. */
export async function profiled<T>(path: string, fn: () => Promise<T>): Promise<{ value: T; profile: CpuProfile }> {
  const inspector = new InspectorSession();
  inspector.connect();
  try {
    await inspector.post('Profiler.enable');
    await inspector.post('Profiler.setSamplingInterval', { interval: 100 });
    await inspector.post('Profiler.start');
    const value = await fn();
    const { profile } = await inspector.post('Profiler.stop');
    writeFileSync(path, JSON.stringify(profile));
    return { value, profile: profile as CpuProfile };
  } finally {
    inspector.disconnect();
  }
}

/** Self time by area (`areaOf(function name, script url)`) and the top functions. */
export function printProfile(p: CpuProfile, areaOf: (fn: string, url: string) => string, top = 15): void {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  for (let i = 0; i < p.samples.length; i++) self.set(p.samples[i]!, (self.get(p.samples[i]!) ?? 0) + (p.timeDeltas[i] ?? 0) / 1000);
  const areas = new Map<string, number>();
  const functions = new Map<string, number>();
  let total = 0;
  for (const [id, ms] of self) {
    const f = byId.get(id)!.callFrame;
    // Idle time, and the inspector serialising the profile at Profiler.stop.
    if (f.functionName === '(idle)' || (f.functionName === 'dispatch' && f.url === '')) continue;
    total += ms;
    const area = areaOf(f.functionName, f.url);
    areas.set(area, (areas.get(area) ?? 0) + ms);
    const name = `${f.functionName || '(anonymous)'} ${f.url ? `${basename(f.url)}:${f.lineNumber + 1}` : ''}`.trim();
    functions.set(name, (functions.get(name) ?? 0) + ms);
  }
  const pct = (ms: number) => `${Math.round((ms / total) * 100)}%`;
  line('busy (non-idle) samples', fmtMs(total));
  for (const [area, ms] of [...areas].sort((a, b) => b[1] - a[1])) line(`  ${area}`, `${fmtMs(ms)} (${pct(ms)})`);
  console.log('  top functions (self time):');
  for (const [name, ms] of [...functions].sort((a, b) => b[1] - a[1]).slice(0, top)) line(`    ${name}`, `${fmtMs(ms)} (${pct(ms)})`);
}
