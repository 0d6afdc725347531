/**
 * rovd_build_info: the constant-1 gauge whose labels say which rovd and
 * which Node.js answer the scrape (the usual `*_build_info` idiom: join on
 * it in PromQL, or count versions across a fleet).
 */
import { readFileSync } from 'node:fs';
import { Gauge, type Registry } from 'prom-client';

/** The package version; read when called, never at import. */
export function rovdVersion(): string {
  try {
    // src/metrics and dist/metrics are both two levels below the package root.
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: unknown };
    if (typeof pkg.version === 'string') return pkg.version;
  } catch {
    // A relocated build without package.json still says what it can.
  }
  return 'unknown';
}

export function registerBuildInfo(registry: Registry, version: string): void {
  const g = new Gauge({ name: 'rovd_build_info', help: 'Always 1; the labels say which rovd and Node.js version is running.', labelNames: ['version', 'node'] as const, registers: [registry] });
  g.set({ version, node: process.versions.node }, 1);
}
