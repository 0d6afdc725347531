/**
 * A real Prometheus Alertmanager for interop tests (recipe in
 * /work/shared/PEERS.md): loopback only, no clustering
 * (--cluster.listen-address= empty), storage in a temp dir, one route with
 * group_wait and group_interval of 1 s to a webhook receiver with
 * send_resolved, so a test sees firing and resolved within seconds.
 *
 * Started with spawnGuarded() (never outlives the test process), stopped
 * in the test's teardown (SIGTERM, then SIGKILL); every wait is bounded and
 * fails with the tail of Alertmanager's log. Missing binary: skipped, or
 * failed under ROVD_REQUIRE_PEERS=1 (findPeer).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Test } from 'tap';
import { PeerProcess } from './peer-process.js';
import { findPeer, freePort } from './peers.js';

export interface AlertmanagerOptions {
  /** Where Alertmanager's webhook receiver posts (the test's local server). */
  readonly webhookUrl: string;
  /** Labels Alertmanager groups by; default ['alertname']. */
  readonly groupBy?: readonly string[];
  readonly readyTimeoutMs?: number;
}

type HarnessTest = Pick<Test, 'pass' | 'fail' | 'teardown'>;

export class Alertmanager {
  private process: PeerProcess | undefined;

  private constructor(readonly port: number) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get logs(): string {
    return this.process?.logs ?? '';
  }

  /** Starts Alertmanager and waits until /-/ready answers; undefined when skipped (not installed). */
  static async start(t: HarnessTest, options: AlertmanagerOptions): Promise<Alertmanager | undefined> {
    const binary = findPeer(t, 'alertmanager');
    if (!binary) return undefined;
    const dir = await mkdtemp(join(tmpdir(), 'rovd-alertmanager-'));
    const am = new Alertmanager(await freePort());
    t.teardown(async () => {
      await am.stop();
      await rm(dir, { recursive: true, force: true });
    });
    const config = join(dir, 'am.yml');
    const groupBy = JSON.stringify(options.groupBy ?? ['alertname']);
    await writeFile(
      config,
      [
        `route: {receiver: hook, group_by: ${groupBy}, group_wait: 1s, group_interval: 1s, repeat_interval: 1h}`,
        'receivers:',
        '  - name: hook',
        `    webhook_configs: [{url: '${options.webhookUrl}', send_resolved: true}]`,
        '',
      ].join('\n'),
    );
    am.process = new PeerProcess('alertmanager', binary, [
      `--config.file=${config}`,
      `--storage.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${am.port}`,
      '--cluster.listen-address=',
      '--log.level=debug',
    ]);
    await am.process.waitReady(`${am.url}/-/ready`, options.readyTimeoutMs ?? 20_000);
    return am;
  }

  /** SIGTERM, then SIGKILL; resolves when it has exited. */
  async stop(): Promise<void> {
    await this.process?.stop();
  }
}
