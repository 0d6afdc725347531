/**
 * A real Prometheus server for interop tests (recipe in
 * /work/shared/PEERS.md): loopback only, storage in a temp dir, one scrape
 * job `rovd` with a 1 s interval and a bearer token read from a file
 * (`authorization: {credentials_file: …}`), so a test can read what it
 * scraped back through the query API within seconds.
 *
 * Started with spawnGuarded() (never outlives the test process), stopped
 * in the test's teardown (SIGTERM, then SIGKILL); every wait is bounded and
 * fails with the tail of Prometheus' log. Missing binary: skipped, or
 * failed under ROVD_REQUIRE_PEERS=1 (findPeer).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Test } from 'tap';
import { PeerProcess } from './peer-process.js';
import { findPeer, freePort, sleep } from './peers.js';

export interface PrometheusOptions {
  /** `host:port` to scrape (the test's own server). */
  readonly target: string;
  /** Sent as `Authorization: Bearer <token>`, read by Prometheus from a file. */
  readonly token: string;
  readonly metricsPath?: string;
  readonly readyTimeoutMs?: number;
}

/** One element of an instant query's result vector (`/api/v1/query`). */
export interface VectorSample {
  readonly metric: Readonly<Record<string, string>>;
  readonly value: readonly [number, string];
}

interface ApiResponse<T> {
  readonly status: 'success' | 'error';
  readonly data?: T;
  readonly errorType?: string;
  readonly error?: string;
}

type HarnessTest = Pick<Test, 'pass' | 'fail' | 'teardown'>;

export class Prometheus {
  private process: PeerProcess | undefined;

  private constructor(readonly port: number) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get logs(): string {
    return this.process?.logs ?? '';
  }

  /** Starts Prometheus and waits until /-/ready answers; undefined when skipped (not installed). */
  static async start(t: HarnessTest, options: PrometheusOptions): Promise<Prometheus | undefined> {
    const binary = findPeer(t, 'prometheus');
    if (!binary) return undefined;
    const dir = await mkdtemp(join(tmpdir(), 'rovd-prometheus-'));
    const prom = new Prometheus(await freePort());
    t.teardown(async () => {
      await prom.stop();
      await rm(dir, { recursive: true, force: true });
    });
    const tokenFile = join(dir, 'token');
    await writeFile(tokenFile, options.token, { mode: 0o600 });
    const config = join(dir, 'prom.yml');
    await writeFile(
      config,
      [
        'global: {scrape_interval: 1s, scrape_timeout: 1s, evaluation_interval: 1s}',
        'scrape_configs:',
        '  - job_name: rovd',
        `    metrics_path: ${options.metricsPath ?? '/metrics'}`,
        `    authorization: {credentials_file: ${tokenFile}}`,
        `    static_configs: [{targets: ['${options.target}']}]`,
        '',
      ].join('\n'),
    );
    prom.process = new PeerProcess('prometheus', binary, [
      `--config.file=${config}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${prom.port}`,
      '--log.level=debug',
    ]);
    await prom.process.waitReady(`${prom.url}/-/ready`, options.readyTimeoutMs ?? 30_000);
    return prom;
  }

  /** An API call; throws with Prometheus' error text when it is not `success`. */
  async api<T>(path: string): Promise<T> {
    const res = await fetch(`${this.url}${path}`, { signal: AbortSignal.timeout(5000) });
    const body = (await res.json()) as ApiResponse<T>;
    if (body.status !== 'success' || body.data === undefined) throw new Error(`prometheus ${path}: ${body.errorType ?? res.status}: ${body.error ?? ''}`);
    return body.data;
  }

  /** An instant query (`/api/v1/query`); a PromQL syntax error throws. */
  async query(promql: string): Promise<{ resultType: string; result: unknown }> {
    return this.api(`/api/v1/query?query=${encodeURIComponent(promql)}`);
  }

  /** An instant query whose result is a vector. */
  async vector(promql: string): Promise<VectorSample[]> {
    const data = await this.query(promql);
    if (data.resultType !== 'vector') throw new Error(`${promql}: a ${data.resultType}, not a vector`);
    return data.result as VectorSample[];
  }

  /** Polls a query until `check` holds for its vector (bounded); returns that vector. */
  async waitFor(promql: string, check: (v: VectorSample[]) => boolean, timeoutMs = 20_000): Promise<VectorSample[]> {
    const deadline = Date.now() + timeoutMs;
    let last: VectorSample[] = [];
    for (;;) {
      last = await this.vector(promql);
      if (check(last)) return last;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${promql} (last: ${JSON.stringify(last)})\n${this.logs}`);
      await sleep(250);
    }
  }

  /** SIGTERM, then SIGKILL; resolves when it has exited. */
  async stop(): Promise<void> {
    await this.process?.stop();
  }
}
