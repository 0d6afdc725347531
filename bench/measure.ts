/**
 * Small measuring helpers for the benchmarks: the machine, wall-clock
 * timing with medians, heap accounting after a forced GC, and number
 * formatting. No state; nothing runs at import time.
 */
import os from 'node:os';

export interface Machine {
  readonly date: string;
  readonly cpu: string;
  readonly cores: number;
  readonly ramGiB: number;
  readonly node: string;
  readonly v8: string;
  readonly platform: string;
  /** 1, 5 and 15 minute load averages when the run started. */
  readonly loadAverage: readonly number[];
}

export function machine(): Machine {
  const cpus = os.cpus();
  return {
    date: new Date().toISOString(),
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    ramGiB: os.totalmem() / 2 ** 30,
    node: process.version,
    v8: process.versions.v8,
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    loadAverage: os.loadavg(),
  };
}

/** Milliseconds `fn` takes, and what it returned. */
export function timed<T>(fn: () => T): { ms: number; value: T } {
  const start = performance.now();
  const value = fn();
  return { ms: performance.now() - start, value };
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** True if the process was started with --expose-gc. */
export function canCollect(): boolean {
  return typeof globalThis.gc === 'function';
}

/** Runs a full GC (twice, so weak and finalised objects go too). */
export function collect(): void {
  const gc = globalThis.gc;
  if (gc) {
    gc();
    gc();
  }
}

/** Heap in use plus ArrayBuffer backing stores (typed arrays live there). */
export function retainedBytes(): number {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

export const MB = 1e6;

export function fmtInt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

export function fmtMs(ms: number): string {
  return ms >= 100 ? `${Math.round(ms)} ms` : `${ms.toFixed(1)} ms`;
}

export function fmtRate(perSecond: number): string {
  return `${(perSecond / 1e6).toFixed(2)} M/s`;
}

export function fmtPct(fraction: number, digits = 1): string {
  return `${(fraction * 100).toFixed(digits)}%`;
}
