/**
 * A peer server run for a test (Prometheus, Alertmanager): spawned with
 * spawnGuarded() so it never outlives the test process, its output kept
 * (the last 400 lines) for error messages, a bounded wait until its
 * readiness URL answers (failing early if it exits), and a stop that
 * sends SIGTERM, then SIGKILL.
 */
import type { ChildProcess } from 'node:child_process';
import { settlesWithin, sleep, spawnGuarded, splitLines } from './peers.js';

const KEPT_LINES = 400;

export class PeerProcess {
  private readonly log: string[] = [];
  private exited = false;
  private readonly child: ChildProcess;

  constructor(
    /** For messages: `prometheus`, `alertmanager`. */
    readonly name: string,
    binary: string,
    args: readonly string[],
  ) {
    this.child = spawnGuarded(binary, args);
    const onLine = (line: string): void => {
      this.log.push(line);
      if (this.log.length > KEPT_LINES) this.log.splice(0, this.log.length - KEPT_LINES);
    };
    if (this.child.stdout) splitLines(this.child.stdout, onLine);
    if (this.child.stderr) splitLines(this.child.stderr, onLine);
    this.child.once('exit', () => {
      this.exited = true;
    });
  }

  /** The last 100 lines of its output. */
  get logs(): string {
    return this.log.slice(-100).join('\n');
  }

  /** Polls `url` until it answers 2xx; throws with the log if the process exits or `timeoutMs` passes. */
  async waitReady(url: string, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.exited) throw new Error(`${this.name} exited while starting\n${this.logs}`);
      try {
        const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
        if (res.ok) return;
      } catch {
        // Not listening yet.
      }
      if (Date.now() > deadline) throw new Error(`${this.name} not ready on ${url}\n${this.logs}`);
      await sleep(100);
    }
  }

  /** SIGTERM, then SIGKILL; resolves when it has exited. */
  async stop(): Promise<void> {
    if (this.exited) return;
    const done = new Promise<void>((resolve) => {
      if (this.exited) resolve();
      else this.child.once('exit', () => resolve());
    });
    this.child.kill('SIGTERM');
    if (await settlesWithin(done, 5000)) return;
    this.child.kill('SIGKILL');
    await settlesWithin(done, 5000);
  }
}
