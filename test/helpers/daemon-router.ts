/**
 * Starts a Daemon for a test and connects a BMP "router" to its station on
 * loopback; the teardown closes the router and stops the daemon.
 */
import { connect, type Socket } from 'node:net';
import type { Test } from 'tap';
import type { Daemon } from '../../src/daemon/daemon.js';

export async function startWithRouter(t: Pick<Test, 'teardown'>, daemon: Daemon): Promise<{ router: Socket; bmpPort: number }> {
  const { bmp: where } = await daemon.start();
  const router = connect(where.port, '127.0.0.1');
  await new Promise((r) => router.once('connect', r));
  t.teardown(async () => {
    router.destroy();
    await daemon.stop();
  });
  return { router, bmpPort: where.port };
}
