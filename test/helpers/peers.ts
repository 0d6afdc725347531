/**
 * Finding the real peers the interop tests talk to (StayRTR, GoBGP,
 * Prometheus, Alertmanager, openssl), and free loopback ports for them.
 *
 * A peer missing from PATH skips the test with the command that installs it
 * (a user's machine need not have them); in CI (ROVD_REQUIRE_PEERS=1) a
 * missing peer fails the test instead, so a broken install cannot turn the
 * interop suite into a row of silent skips. Same pattern as haveCorpus().
 *
 * Peers are started with spawnGuarded(), which makes sure none outlives
 * the test process, and every wait here has a bound.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { connect, createServer } from 'node:net';
import { delimiter, join } from 'node:path';
import type { Test } from 'tap';
import { peersRequired } from './corpus.js';

/** Each peer: the executables that may provide it and the Debian package holding it. */
const PEERS = {
  stayrtr: { binaries: ['stayrtr'], pkg: 'stayrtr' },
  rtrdump: { binaries: ['rtrdump'], pkg: 'stayrtr' },
  gobgpd: { binaries: ['gobgpd'], pkg: 'gobgpd' },
  gobgp: { binaries: ['gobgp'], pkg: 'gobgpd' },
  prometheus: { binaries: ['prometheus'], pkg: 'prometheus' },
  promtool: { binaries: ['promtool'], pkg: 'prometheus' },
  // Debian renames the binary; upstream tarballs call it alertmanager.
  alertmanager: { binaries: ['prometheus-alertmanager', 'alertmanager'], pkg: 'prometheus-alertmanager' },
  openssl: { binaries: ['openssl'], pkg: 'openssl' },
} as const;

export type PeerName = keyof typeof PEERS;

/** The part of tap's Test this helper needs: an assertion can be marked skipped. */
type SkippableTest = Pick<Test, 'pass' | 'fail'>;

/** The absolute path of an executable on PATH, or undefined. */
export function onPath(binary: string, path = process.env.PATH ?? ''): string | undefined {
  for (const dir of path.split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, binary);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not here (or not executable): try the next directory.
    }
  }
  return undefined;
}

/** The path of a peer's executable, or undefined; never skips or fails. */
export function whichPeer(name: PeerName): string | undefined {
  for (const binary of PEERS[name].binaries) {
    const found = onPath(binary);
    if (found) return found;
  }
  return undefined;
}

/** How to get a peer, for messages: `apt-get install -y stayrtr`. */
export function installHint(name: PeerName): string {
  return `apt-get install -y ${PEERS[name].pkg}`;
}

/**
 * The path of a peer's executable. When it is missing, skips the test with
 * a message saying how to install it, or fails it under
 * ROVD_REQUIRE_PEERS=1, and returns undefined:
 * callers `const bin = findPeer(t, 'stayrtr'); if (!bin) return;`.
 */
export function findPeer(t: SkippableTest, name: PeerName): string | undefined {
  const found = whichPeer(name);
  if (found) return found;
  const message = `${name} not installed: ${installHint(name)}`;
  if (peersRequired()) t.fail(`${message}; required because ROVD_REQUIRE_PEERS=1`);
  else t.pass(`needs ${name}`, { skip: message });
  return undefined;
}

/**
 * A TCP port on 127.0.0.1 that was free a moment ago: bind port 0, read
 * the port the kernel chose, close. Another process may take it before the
 * peer binds it; the StayRTR harness retries with new ports when that
 * happens.
 */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('freePort: the server has no TCP address');
  return address.port;
}

// --- running peers ------------------------------------------------------------------

/** Children still running, killed if this process exits without stopping them. */
const live = new Set<ChildProcess>();
let exitHookInstalled = false;

/**
 * Spawns a peer so that it cannot outlive this process: killed on this
 * process's exit, and, where util-linux's setpriv exists, given
 * PR_SET_PDEATHSIG so the kernel kills it if this process dies without
 * running exit handlers (the runner's SIGKILL on a timeout). The signal
 * follows the spawning thread, so spawn from the main thread, not a worker.
 */
export function spawnGuarded(binary: string, args: readonly string[]): ChildProcess {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', () => {
      for (const c of live) c.kill('SIGKILL');
    });
  }
  const setpriv = onPath('setpriv');
  // setpriv execs the peer in place: the pid we hold is the peer's own.
  const child = setpriv
    ? spawn(setpriv, ['--pdeathsig', 'KILL', '--', binary, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
    : spawn(binary, [...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(child);
  child.once('exit', () => live.delete(child));
  child.once('error', () => live.delete(child));
  return child;
}

/** Runs a short-lived command with a bound: SIGKILL when it is exceeded. */
export async function runBounded(binary: string, args: readonly string[], timeoutMs: number): Promise<{ code: number | null; output: string }> {
  const child = spawnGuarded(binary, args);
  const chunks: string[] = [];
  child.stdout?.setEncoding('utf8').on('data', (s: string) => chunks.push(s));
  child.stderr?.setEncoding('utf8').on('data', (s: string) => chunks.push(s));
  const done = new Promise<number | null>((resolve) => {
    child.once('close', (code) => resolve(code));
    child.once('error', (err) => {
      chunks.push(`(spawn error: ${err.message})`);
      resolve(null);
    });
  });
  if (!(await settlesWithin(done, timeoutMs))) {
    child.kill('SIGKILL');
    await settlesWithin(done, 5000);
    throw new Error(`${binary} ${args.join(' ')} did not finish within ${timeoutMs} ms\n${chunks.join('')}`);
  }
  return { code: await done, output: chunks.join('') };
}

/** Calls `onLine` for each line of a text stream, the last one even without a newline. */
export function splitLines(stream: NodeJS.ReadableStream, onLine: (line: string) => void): void {
  let rest = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    const parts = (rest + chunk).split('\n');
    rest = parts.pop()!;
    for (const line of parts) onLine(line);
  });
  stream.on('end', () => {
    if (rest !== '') onLine(rest);
    rest = '';
  });
}

/** True if `p` settles within `ms`; the timer never outlives the wait. */
export async function settlesWithin(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([p.then(() => true, () => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** True if a TCP connection to 127.0.0.1:port opens within a second. */
export function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.setTimeout(1000);
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    socket.once('timeout', () => done(false));
  });
}

/** For polling loops that have their own deadline. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
