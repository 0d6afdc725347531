/**
 * A real StayRTR (RPKI-to-Router cache: RFC 6810, RFC 8210 and, as
 * protocol version 2, draft-ietf-sidrops-8210bis-10 with ASPA) for interop
 * tests: writes the VRP file it serves, starts it on free loopback ports,
 * edits the file to make it send incremental updates, restarts it (a new
 * session id), and dumps what it serves with its own client, rtrdump.
 *
 * What StayRTR 0.5.1 (Debian's) does, as seen on this machine:
 * - It reads rpki-client/Routinator JSON `roas`, and ASPAs only in the
 *   per-family shape `provider_authorizations: {ipv4: [{customer_asid,
 *   providers}], ipv6: [...]}` (numeric ASNs); a top-level `aspas` list is
 *   ignored by this version.
 * - Its Prometheus metrics (rpki_vrps, rpki_change, rtr_clients, rtr_pdus)
 *   do not include the serial, so the serial and the session id are read
 *   from its log: "StayRTR Server started (sessionID:N, …)", "new cache
 *   file: Updating sha256 hash OLD -> NEW", "Updated added, new serial N".
 *   The hash line is what ties a serial to the file this harness wrote.
 * - With ASPAs in the file it bumps the serial on every refresh even when
 *   the file is unchanged; without ASPAs an unchanged file keeps its serial.
 * - It drops an entry it cannot use (bad prefix, maxLength out of range)
 *   with an error line and serves the rest, masks host bits (192.0.2.1/24
 *   is served as 192.0.2.0/24), and starts even when its file fails to
 *   load. Here a load with errors fails start() or updateVrps().
 *
 * Every process is killed in the test's teardown, and started with
 * spawnGuarded() (peers.ts), so even a test process killed by the runner
 * leaves no orphan behind. Every wait is bounded and fails with the tail of
 * StayRTR's log.
 */
import type { ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Test } from 'tap';
import { Prefix, formatV4, formatV6, wordMask } from '../../src/net/prefix.js';
import { canConnect, findPeer, freePort, installHint, runBounded, settlesWithin, sleep, spawnGuarded, splitLines, whichPeer } from './peers.js';
import { seededRandom } from './random.js';

/** One VRP as written to StayRTR's file (prefix in any valid text form). */
export interface VrpSpec {
  readonly asn: number;
  readonly prefix: string;
  readonly maxLength: number;
  readonly ta?: string;
}

/**
 * One ASPA. StayRTR 0.5.1 keeps a provider set per address family; an
 * entry without `afi` is written to both families.
 */
export interface AspaSpec {
  readonly customer: number;
  readonly providers: readonly number[];
  readonly afi?: 'ipv4' | 'ipv6';
}

export interface TlsFiles {
  readonly cert: string;
  readonly key: string;
}

export interface StayRtrOptions {
  readonly vrps?: readonly VrpSpec[];
  readonly aspas?: readonly AspaSpec[];
  /** How often StayRTR re-reads its file (its -refresh); default 1 s so updates show quickly. */
  readonly refreshSeconds?: number;
  /** The highest RTR version StayRTR speaks (its -protocol); its own default is 2. */
  readonly protocol?: 0 | 1 | 2;
  /** Also serve RTR over TLS on `tlsPort`: given files, or a self-signed pair made with openssl. */
  readonly tls?: TlsFiles | 'self-signed';
  /** A SLURM file (RFC 8416) that StayRTR applies itself (its -slurm). */
  readonly slurm?: string;
  /** More StayRTR arguments, e.g. ['-rtr.refresh', '10']. */
  readonly extraArgs?: readonly string[];
  /** Bound on start-up, including loading the file; default 30 s (800k VRPs load in a few seconds). */
  readonly readyTimeoutMs?: number;
  /** Bound on SIGTERM before SIGKILL; default 5 s. */
  readonly stopTimeoutMs?: number;
}

/** What rtrdump received: the payload, and the session and serial of its End of Data. */
export interface RtrDump {
  readonly vrps: VrpSpec[];
  readonly aspas: AspaSpec[];
  readonly sessionId: number | undefined;
  readonly serial: number | undefined;
  readonly elapsedMs: number;
}

export interface DumpOptions {
  /** RTR version rtrdump asks for (its -rtr.version); its default is 2. */
  readonly version?: 0 | 1 | 2;
  /** Connect to the TLS port (rtrdump -type tls, certificate not checked). */
  readonly tls?: boolean;
  /** Bound on the whole dump; default 60 s. */
  readonly timeoutMs?: number;
}

type HarnessTest = Pick<Test, 'pass' | 'fail' | 'teardown'>;

const LOG_LINES_KEPT = 400;
const PROBE_INTERVAL_MS = 50;

export class StayRtr {
  /** RTR over TCP on 127.0.0.1. */
  port = 0;
  /** Prometheus metrics on 127.0.0.1 (path /metrics). */
  metricsPort = 0;
  /** RTR over TLS on 127.0.0.1, when started with `tls`. */
  tlsPort: number | undefined;
  /** From "StayRTR Server started (sessionID:N…)"; undefined until started. */
  sessionId: number | undefined;
  /** The serial StayRTR last logged ("new serial N"). */
  serial: number | undefined;
  /** The file StayRTR serves. */
  readonly cacheFile: string;

  private child: ChildProcess | undefined;
  private exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  private readonly log: string[] = [];
  /** Lines seen since the current process started (the log keeps only the last ones). */
  private linesSeen = 0;
  private readonly waiters = new Set<() => void>();
  /** The certificate and key StayRTR serves TLS with (a self-signed cert is its own CA). */
  tlsFiles: TlsFiles | undefined;
  /** sha256 of every file written, in order: index 0 is the initial file. */
  private readonly written: string[] = [];
  /** The hash StayRTR is loading (between its hash line and its serial line). */
  private loadingHash: string | undefined;
  /** Errors StayRTR logged while loading `loadingHash`. */
  private loadErrors: string[] = [];
  /** Writes StayRTR refused in whole or in part, by index into `written`, with its messages. */
  private readonly rejected = new Map<number, string[]>();
  /** Index into `written` of the newest file StayRTR has served, -1 before the first. */
  private servedWrite = -1;
  private dumpCount = 0;
  /** Counts spawns: output and exit of an earlier process are ignored after a restart. */
  private run = 0;

  private constructor(
    private readonly binary: string,
    readonly dir: string,
    private readonly options: StayRtrOptions,
  ) {
    this.cacheFile = join(dir, 'vrps.json');
  }

  /**
   * Starts StayRTR serving `options.vrps`/`aspas`, and stops it in the
   * test's teardown. Returns undefined (the test skipped or failed, see
   * findPeer) when stayrtr is not installed.
   */
  static async start(t: HarnessTest, options: StayRtrOptions = {}): Promise<StayRtr | undefined> {
    const binary = findPeer(t, 'stayrtr');
    if (!binary) return undefined;
    const dir = await mkdtemp(join(tmpdir(), 'rovd-stayrtr-'));
    const rtr = new StayRtr(binary, dir, options);
    // Registered before anything can fail, so a failed start still cleans up.
    t.teardown(async () => {
      await rtr.stop();
      await rm(dir, { recursive: true, force: true });
    });
    if (options.tls === 'self-signed') rtr.tlsFiles = await makeSelfSignedCert(dir);
    else rtr.tlsFiles = options.tls;
    await rtr.writeFile(options.vrps ?? [], options.aspas ?? []);
    await rtr.launch(true);
    return rtr;
  }

  /** `127.0.0.1:PORT` of the plain RTR listener. */
  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** StayRTR's recent output (stdout and stderr interleaved by arrival), for failure messages. */
  get logs(): string {
    return this.log.join('\n');
  }

  /** The process id of the running StayRTR, if any. */
  get pid(): number | undefined {
    return this.running ? this.child?.pid : undefined;
  }

  get running(): boolean {
    return this.child !== undefined && this.exit === undefined;
  }

  /**
   * Replaces the served set, atomically (a temporary file renamed over the
   * old one, so StayRTR never reads half a file), and resolves with the
   * serial under which StayRTR serves it, after its next refresh.
   */
  async updateVrps(vrps: readonly VrpSpec[], aspas: readonly AspaSpec[] = [], timeoutMs?: number): Promise<number> {
    const index = await this.writeFile(vrps, aspas);
    const bound = timeoutMs ?? Math.max(10_000, (this.options.refreshSeconds ?? 1) * 3000 + 5000);
    return this.waitFor(`StayRTR to load the file written as update ${index}`, bound, () => this.servedSerial(index));
  }

  /** Resolves once StayRTR's serial is at least `n` (serials here stay far from wrapping). */
  waitForSerial(n: number, timeoutMs = 10_000): Promise<number> {
    return this.waitFor(`serial ${n}`, timeoutMs, () => (this.serial !== undefined && this.serial >= n ? this.serial : undefined));
  }

  /**
   * Resolves with the next log line matching `pattern` (lines already seen
   * do not count), e.g. /is identical to the previous version/ for a refresh
   * that found nothing new.
   */
  waitForLog(pattern: RegExp, timeoutMs = 10_000): Promise<string> {
    const from = this.linesSeen;
    return this.waitFor(`a log line matching ${pattern}`, timeoutMs, () => {
      const fresh = this.linesSeen - from;
      const recent = this.log.slice(Math.max(0, this.log.length - fresh));
      return recent.find((line) => pattern.test(line));
    });
  }

  /**
   * Stops StayRTR and starts it again on the same ports with the same file:
   * what a router sees when its cache restarts. Resolves with the new session
   * id, which differs from the old one (StayRTR picks it at random; in the
   * rare case it repeats, this restarts again, at most three times).
   * `requireNewSession: false` just starts it again (after a stop(), say).
   */
  async restart(options: { requireNewSession?: boolean } = {}): Promise<number> {
    const old = this.sessionId;
    for (let attempt = 0; attempt < 3; attempt++) {
      await this.stop();
      await this.launch(false);
      if (options.requireNewSession === false || this.sessionId !== old) return this.sessionId!;
    }
    throw new Error(`StayRTR kept session id ${old} over three restarts\n${this.logs}`);
  }

  /** SIGTERM, then SIGKILL after `stopTimeoutMs`; resolves when the process has exited. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child || this.exit) return;
    const exited = new Promise<void>((resolve) => {
      if (this.exit) resolve();
      else child.once('exit', () => resolve());
    });
    child.kill('SIGTERM');
    if (await settlesWithin(exited, this.options.stopTimeoutMs ?? 5000)) return;
    child.kill('SIGKILL');
    if (!(await settlesWithin(exited, 5000))) throw new Error(`StayRTR (pid ${child.pid}) did not exit after SIGKILL`);
  }

  /** The Prometheus text StayRTR exposes. */
  async metricsText(): Promise<string> {
    const response = await fetch(`http://127.0.0.1:${this.metricsPort}/metrics`, { signal: AbortSignal.timeout(5000) });
    if (!response.ok) throw new Error(`StayRTR metrics: HTTP ${response.status}`);
    return response.text();
  }

  /**
   * One sample's value, e.g. metric('rtr_clients') or
   * metric('rpki_vrps', { ip_version: 'ipv4', filtered: 'filtered' }); undefined if absent.
   */
  async metric(name: string, labels: Readonly<Record<string, string>> = {}): Promise<number | undefined> {
    return sampleValue(await this.metricsText(), name, labels);
  }

  /** Runs StayRTR's own client against this server and returns what it received. */
  async dump(options: DumpOptions = {}): Promise<RtrDump> {
    const rtrdump = whichPeer('rtrdump');
    if (!rtrdump) throw new Error(`rtrdump not on PATH: ${installHint('rtrdump')}`);
    if (options.tls && this.tlsPort === undefined) throw new Error('dump({tls: true}) needs StayRTR started with tls');
    const out = join(this.dir, `dump-${this.dumpCount++}.json`);
    return rtrDump(rtrdump, options.tls ? `127.0.0.1:${this.tlsPort}` : this.address, out, options);
  }

  // --- internals -----------------------------------------------------------

  /**
   * The serial once write `index` (or a later one) is served; throws if
   * StayRTR refused any of its entries. StayRTR drops a bad entry, logs it
   * and serves the rest; a test that wrote the file expects all of it, so
   * here that is a failure.
   */
  private servedSerial(index: number): number | undefined {
    const refused = this.rejected.get(index);
    if (refused) throw this.failure(`StayRTR refused ${index === 0 ? 'the initial file' : `update ${index}`}: ${refused.join('; ')}`);
    return this.servedWrite >= index ? this.serial : undefined;
  }

  /** Writes the file atomically; returns its index in `written`. */
  private async writeFile(vrps: readonly VrpSpec[], aspas: readonly AspaSpec[]): Promise<number> {
    const text = stayRtrJson(vrps, aspas);
    const hash = createHash('sha256').update(text).digest('hex');
    const index = this.written.length;
    this.written.push(hash);
    // StayRTR ignores a file with the hash of the one it last loaded; such a
    // write is served as soon as it is made.
    if (index > 0 && this.written[this.servedWrite] === hash) this.servedWrite = index;
    const temp = `${this.cacheFile}.tmp-${index}`;
    await writeFile(temp, text);
    await rename(temp, this.cacheFile);
    return index;
  }

  /**
   * Spawns StayRTR and waits until it serves. On a first start, ports are
   * fresh and a port taken in the meantime ("address already in use") is
   * retried with new ones; a restart keeps its ports.
   */
  private async launch(freshPorts: boolean): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      if (freshPorts) {
        this.port = await freePort();
        this.metricsPort = await freePort();
        this.tlsPort = this.tlsFiles ? await freePort() : undefined;
      }
      try {
        await this.spawnOnce();
        return;
      } catch (err) {
        const portTaken = /address already in use/.test(this.logs);
        await this.stop();
        if (!freshPorts || !portTaken || attempt >= 2) throw err;
      }
    }
  }

  private args(): string[] {
    const o = this.options;
    const args = [
      '-cache', this.cacheFile,
      '-bind', `127.0.0.1:${this.port}`,
      '-metrics.addr', `127.0.0.1:${this.metricsPort}`,
      '-checktime=false',
      '-refresh', String(o.refreshSeconds ?? 1),
    ];
    if (o.protocol !== undefined) args.push('-protocol', String(o.protocol));
    if (this.tlsFiles) args.push('-tls.bind', `127.0.0.1:${this.tlsPort}`, '-tls.cert', this.tlsFiles.cert, '-tls.key', this.tlsFiles.key);
    if (o.slurm !== undefined) args.push('-slurm', o.slurm);
    args.push(...(o.extraArgs ?? []));
    return args;
  }

  private async spawnOnce(): Promise<void> {
    this.exit = undefined;
    this.sessionId = undefined;
    this.serial = undefined;
    this.loadingHash = undefined;
    this.servedWrite = -1;
    this.log.length = 0;
    this.linesSeen = 0;
    const run = ++this.run;
    const child = spawnGuarded(this.binary, this.args());
    this.child = child;
    // The old process's last lines may arrive after a restart has begun;
    // its "new serial" must not be taken for the new one's.
    const onLine = (line: string) => {
      if (run === this.run) this.onLine(line);
    };
    if (child.stdout) splitLines(child.stdout, onLine);
    if (child.stderr) splitLines(child.stderr, onLine);
    const exited = (code: number | null, signal: NodeJS.Signals | null) => {
      if (run !== this.run || this.exit) return;
      this.exit = { code, signal };
      this.notify();
    };
    child.once('exit', exited);
    child.once('error', (err) => {
      onLine(`(spawn error: ${err.message})`);
      exited(null, null);
    });

    const timeoutMs = this.options.readyTimeoutMs ?? 30_000;
    const deadline = Date.now() + timeoutMs;
    await this.waitFor('"StayRTR Server started"', timeoutMs, () => this.sessionId);
    // StayRTR starts even when its file fails to load ("Initial sync not
    // complete"): wait until the current file is served.
    const current = this.written.length - 1;
    await this.waitFor('StayRTR to load its file', Math.max(0, deadline - Date.now()), () => this.servedSerial(current));
    // The log line may come just before the listeners are up: connect to be sure.
    for (const port of [this.port, this.tlsPort]) {
      if (port === undefined) continue;
      while (!(await canConnect(port))) {
        if (this.exit) throw this.failure(`StayRTR exited while starting (port ${port})`);
        if (Date.now() > deadline) throw this.failure(`StayRTR did not accept connections on port ${port} within ${timeoutMs} ms`);
        await sleep(PROBE_INTERVAL_MS);
      }
    }
  }

  private onLine(line: string): void {
    this.log.push(line);
    this.linesSeen++;
    if (this.log.length > LOG_LINES_KEPT) this.log.splice(0, this.log.length - LOG_LINES_KEPT);
    let m: RegExpExecArray | null;
    if ((m = /StayRTR Server started \(sessionID:(\d+)/.exec(line))) {
      this.sessionId = Number(m[1]);
    } else if ((m = /Updating sha256 hash .*-> ([0-9a-f]{64})/.exec(line))) {
      this.loadingHash = m[1];
      this.loadErrors = [];
    } else if ((m = /new serial (\d+)/.exec(line))) {
      this.serial = Number(m[1]);
      this.finishLoad(true);
    } else if (this.loadingHash !== undefined && (m = /level=error msg="(.*)"/.exec(line))) {
      this.loadErrors.push(m[1]!);
      // "Error updating: …" ends the load with nothing served.
      if (m[1]!.startsWith('Error updating')) this.finishLoad(false);
    }
    this.notify();
  }

  private finishLoad(served: boolean): void {
    if (this.loadingHash === undefined) return;
    const index = this.written.lastIndexOf(this.loadingHash);
    if (index >= 0) {
      if (this.loadErrors.length > 0) this.rejected.set(index, this.loadErrors);
      if (served && index > this.servedWrite) this.servedWrite = index;
    }
    this.loadingHash = undefined;
    this.loadErrors = [];
  }

  private notify(): void {
    for (const check of [...this.waiters]) check();
  }

  /** Resolves with `value()` once it is defined; rejects on exit or after `timeoutMs`. */
  private waitFor<T>(what: string, timeoutMs: number, value: () => T | undefined): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const check = () => {
        let v: T | undefined;
        try {
          v = value();
        } catch (err) {
          finish(() => reject(err));
          return;
        }
        if (v !== undefined) finish(() => resolve(v));
        else if (this.exit || !this.child) finish(() => reject(this.failure(`StayRTR is not running (waiting for ${what})`)));
      };
      const timer = setTimeout(() => finish(() => reject(this.failure(`timed out after ${timeoutMs} ms waiting for ${what}`))), timeoutMs);
      const finish = (settle: () => void) => {
        clearTimeout(timer);
        this.waiters.delete(check);
        settle();
      };
      this.waiters.add(check);
      check();
    });
  }

  private failure(message: string): Error {
    const status = this.exit ? ` (exit code ${this.exit.code}, signal ${this.exit.signal})` : '';
    return new Error(`${message}${status}\n--- stayrtr ${this.args().join(' ')}\n${this.logs}`);
  }
}

// --- the file StayRTR reads -----------------------------------------------

/**
 * The JSON StayRTR 0.5.1 reads: rpki-client's shape for VRPs (string ASNs
 * "AS65000" are accepted), StayRTR's per-family `provider_authorizations`
 * for ASPAs. `metadata.buildtime` is written without fractional seconds,
 * as rpki-client writes it.
 */
export function stayRtrJson(vrps: readonly VrpSpec[], aspas: readonly AspaSpec[] = [], buildtime = new Date()): string {
  const parts: string[] = [];
  parts.push(`{"metadata":{"buildtime":"${buildtime.toISOString().replace(/\.\d{3}Z$/, 'Z')}","vrps":${vrps.length}},"roas":[`);
  for (let i = 0; i < vrps.length; i++) {
    const v = vrps[i]!;
    parts.push(`${i === 0 ? '\n' : ',\n'}{"asn":"AS${v.asn}","prefix":"${v.prefix}","maxLength":${v.maxLength},"ta":${JSON.stringify(v.ta ?? 'test')}}`);
  }
  parts.push('\n]');
  // Left out when empty: with ASPAs present this StayRTR bumps its serial on
  // every refresh, which tests of serial behaviour do not want.
  if (aspas.length > 0) {
    const family = (afi: 'ipv4' | 'ipv6') =>
      aspas
        .filter((a) => a.afi === undefined || a.afi === afi)
        .map((a) => `{"customer_asid":${a.customer},"providers":[${a.providers.join(',')}]}`)
        .join(',');
    parts.push(`,"provider_authorizations":{"ipv4":[${family('ipv4')}],"ipv6":[${family('ipv6')}]}`);
  }
  parts.push('}\n');
  return parts.join('');
}

// --- comparing sets ---------------------------------------------------------

/** `AS65000 192.0.2.0/24-24`, with the prefix in canonical form, for set comparisons. */
export function vrpKey(v: VrpSpec): string {
  return `AS${v.asn} ${Prefix.parse(v.prefix).toString()}-${v.maxLength}`;
}

/** The distinct keys of a list, sorted: two lists hold the same set iff these are equal. */
export function vrpKeys(vrps: readonly VrpSpec[]): string[] {
  return [...new Set(vrps.map(vrpKey))].sort();
}

export interface SetDiff {
  /** Keys of `expected` not in `actual` (the first few, then "… and N more"). */
  readonly missing: string[];
  /** Keys of `actual` not in `expected`, or repeated in `actual`, likewise. */
  readonly unexpected: string[];
}

/**
 * Compares two VRP lists as sets without sorting, for large sets where a
 * diff of two 800k-line arrays would be unreadable:
 * `t.same(vrpSetDiff(want, got), { missing: [], unexpected: [] })`.
 * One Set of keys, emptied as `actual` is read: two Sets of 800k strings
 * took seconds longer.
 */
export function vrpSetDiff(expected: readonly VrpSpec[], actual: readonly VrpSpec[], limit = 10): SetDiff {
  const want = new Set<string>();
  for (const v of expected) want.add(vrpKey(v));
  const unexpected = new Sample(limit);
  for (const v of actual) {
    const key = vrpKey(v);
    if (!want.delete(key)) unexpected.add(key);
  }
  const missing = new Sample(limit);
  for (const key of want) missing.add(key);
  return { missing: missing.list(), unexpected: unexpected.list() };
}

/** The first `limit` items, then a count of the rest. */
class Sample {
  private readonly items: string[] = [];
  private more = 0;
  constructor(private readonly limit: number) {}
  add(item: string): void {
    if (this.items.length < this.limit) this.items.push(item);
    else this.more++;
  }
  list(): string[] {
    return this.more > 0 ? [...this.items, `… and ${this.more} more`] : this.items;
  }
}

/** `AS65000 ipv4 [AS65001,AS65002]` per family, sorted, for set comparisons. */
export function aspaKeys(aspas: readonly AspaSpec[]): string[] {
  const keys = new Set<string>();
  for (const a of aspas) {
    const providers = [...new Set(a.providers)].sort((x, y) => x - y).map((p) => `AS${p}`).join(',');
    for (const afi of a.afi ? [a.afi] : (['ipv4', 'ipv6'] as const)) keys.add(`AS${a.customer} ${afi} [${providers}]`);
  }
  return [...keys].sort();
}

// --- synthetic data -----------------------------------------------------------

/**
 * `count` distinct, valid VRPs (no host bits, length <= maxLength <= the
 * family's bits), 70% IPv4 and 30% IPv6 like the real table, reproducible
 * from `seed`. IPv4 prefixes are /8–/24 (mostly /24), IPv6 /19–/48 inside
 * 2000::/3, in canonical text; about 3% are a second origin for the
 * prefix before them (MOAS), as in real data. 800k take 1–2 s here.
 *
 * Distinctness is kept on (address, length) as a number in a Set: a Set of
 * 800k string keys alone took over a second.
 */
export function syntheticVrps(count: number, seed = 1): VrpSpec[] {
  const rand = seededRandom(seed);
  const word = () => Math.floor(rand() * 0x1_0000_0000) >>> 0;
  const between = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
  const seen4 = new Set<number>();
  const seen6 = new Set<number>();
  const out: VrpSpec[] = [];
  const v4Count = Math.round(count * 0.7);
  while (out.length < count) {
    const v4 = out.length < v4Count;
    let prefix: string;
    let maxLength: number;
    if (v4) {
      const length = rand() < 0.6 ? 24 : between(8, 23);
      const w = (word() & wordMask(length, 0)) >>> 0;
      // Keep out of 0/8, so no prefix is 0.0.0.0/N.
      const key = w * 64 + length;
      if (w >>> 24 === 0 || seen4.has(key)) continue;
      seen4.add(key);
      maxLength = rand() < 0.7 ? length : between(length, Math.min(32, length + 8));
      prefix = `${formatV4(w)}/${length}`;
    } else {
      const length = rand() < 0.5 ? 48 : between(19, 47);
      const w0 = ((0x2000_0000 | (word() & 0x1fff_ffff)) & wordMask(length, 0)) >>> 0;
      const w1 = (word() & wordMask(length, 1)) >>> 0;
      // 29 + 16 address bits and the length: 51 bits, exact in a double.
      const key = ((w0 & 0x1fff_ffff) * 0x1_0000 + (w1 >>> 16)) * 64 + length;
      if (seen6.has(key)) continue;
      seen6.add(key);
      maxLength = rand() < 0.7 ? length : between(length, Math.min(128, length + 16));
      prefix = `${formatV6(w0, w1, 0, 0)}/${length}`;
    }
    const asn = between(1, 4_199_999_999);
    out.push({ asn, prefix, maxLength, ta: 'test' });
    if (rand() < 0.03 && out.length < count && (v4 ? out.length < v4Count : true)) {
      out.push({ asn: asn === 4_199_999_999 ? 1 : asn + 1, prefix, maxLength, ta: 'test' });
    }
  }
  return out;
}

// --- rtrdump ------------------------------------------------------------------

interface RtrDumpFile {
  roas?: { prefix: string; maxLength: number; asn: number }[];
  provider_authorizations?: { ipv4?: RtrDumpAspa[]; ipv6?: RtrDumpAspa[] };
}

interface RtrDumpAspa {
  customer_asid: number;
  providers: number[] | null;
}

/**
 * Runs `rtrdump -connect ADDRESS -file OUT` (a reset query, then it exits
 * after End of Data) and reads OUT. Its debug log gives the session id and
 * serial of the End of Data.
 */
export async function rtrDump(rtrdump: string, address: string, out: string, options: DumpOptions = {}): Promise<RtrDump> {
  const args = ['-connect', address, '-file', out, '-loglevel', 'debug'];
  if (options.version !== undefined) args.push('-rtr.version', String(options.version));
  if (options.tls) args.push('-type', 'tls', '-tls.validate=false');
  const started = performance.now();
  const { code, output } = await runBounded(rtrdump, args, options.timeoutMs ?? 60_000);
  const elapsedMs = performance.now() - started;
  if (code !== 0) throw new Error(`rtrdump ${args.join(' ')} exited with ${code}\n${output}`);
  const end = /End of Data v\d \(session: (\d+)\): serial: (\d+)/.exec(output);
  const file = JSON.parse(await readFile(out, 'utf8')) as RtrDumpFile;
  const vrps = (file.roas ?? []).map((r) => ({ asn: r.asn, prefix: r.prefix, maxLength: r.maxLength }));
  const aspas: AspaSpec[] = [];
  for (const afi of ['ipv4', 'ipv6'] as const) {
    for (const a of file.provider_authorizations?.[afi] ?? []) aspas.push({ customer: a.customer_asid, providers: a.providers ?? [], afi });
  }
  return { vrps, aspas, sessionId: end ? Number(end[1]) : undefined, serial: end ? Number(end[2]) : undefined, elapsedMs };
}

// --- TLS ----------------------------------------------------------------------

/** A self-signed P-256 certificate for 127.0.0.1 and localhost, valid for a day, made with openssl. */
export async function makeSelfSignedCert(dir: string): Promise<TlsFiles> {
  const openssl = whichPeer('openssl');
  if (!openssl) throw new Error(`openssl not on PATH: ${installHint('openssl')}`);
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  const args = [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=localhost',
    '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
  ];
  const { code, output } = await runBounded(openssl, args, 15_000);
  if (code !== 0) throw new Error(`openssl ${args.join(' ')} exited with ${code}\n${output}`);
  return { cert, key };
}

/** The value of the first sample of `name` whose labels include `labels`. */
export function sampleValue(text: string, name: string, labels: Readonly<Record<string, string>> = {}): number | undefined {
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = new Map<string, string>();
    for (const l of (m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) have.set(l[1]!, l[2]!);
    if (Object.entries(labels).every(([k, v]) => have.get(k) === v)) return Number(m[3]);
  }
  return undefined;
}
