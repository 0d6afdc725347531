/**
 * rovd_build_info: the constant-1 gauge whose labels say which rovd and
 * which Node.js answer the scrape (the usual `*_build_info` idiom: join on
 * it in PromQL, or count versions across a fleet).
 */
import { Gauge, type Registry } from 'prom-client';

export { rovdVersion } from '../version.js';

export function registerBuildInfo(registry: Registry, version: string): void {
  const g = new Gauge({ name: 'rovd_build_info', help: 'Always 1; the labels say which rovd and Node.js version is running.', labelNames: ['version', 'node'] as const, registers: [registry] });
  g.set({ version, node: process.versions.node }, 1);
}
