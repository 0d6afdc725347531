/**
 * Two gobgpd speakers on loopback for the ingest interop tests: "amazon"
 * (AS 7224 on 127.0.0.2) plays the Direct Connect side of a VIF and
 * announces routes; "customer" (AS 65000 on 127.0.0.1) plays the
 * customer's router, which receives them and exports BMP to rovd. The
 * recipes are ../shared/PEERS.md's: distinct 127.0.0.x addresses and
 * non-standard ports (no port 179, no root), an export policy that keeps
 * the next hop given on the command line, `--pprof-disable` so two
 * instances do not clash on :6060.
 *
 * Routes are added and withdrawn with the `gobgp` CLI, and what the
 * customer router holds is read back with `gobgp neighbor … adj-in -j`:
 * the reference rovd's Adj-RIB-In must equal.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import type { Test } from 'tap';
import { findPeer, freePort, runBounded, sleep, spawnGuarded, splitLines } from './peers.js';

/** gobgpd 3.10 calls `both` obsolete and sends nothing for it; `all` is pre, post and Loc-RIB. */
export type BmpPolicy = 'pre-policy' | 'post-policy' | 'local-rib' | 'all';

export interface GoBgpPairOptions {
  /** rovd's BMP station port on 127.0.0.1. */
  readonly bmpPort: number;
  readonly bmpPolicy?: BmpPolicy;
}

export interface Speaker {
  readonly name: 'amazon' | 'customer';
  readonly address: string;
  readonly asn: number;
  readonly bgpPort: number;
  readonly apiPort: number;
}

/** A route as `gobgp … adj-in -j` shows it. */
export interface AdjInRoute {
  readonly prefix: string;
  /** The AS_PATH flattened (gobgp prints segments; sets are rare here and kept in order). */
  readonly asPath: readonly number[];
  readonly nextHop: string | undefined;
  readonly communities: readonly number[];
}

export class GoBgpPair {
  readonly amazon: Speaker;
  readonly customer: Speaker;
  private readonly children: ChildProcess[] = [];
  private logs = '';

  private constructor(
    private readonly gobgp: string,
    private readonly gobgpd: string,
    amazon: Speaker,
    customer: Speaker,
    private readonly dir: string,
    private readonly options: GoBgpPairOptions,
  ) {
    this.amazon = amazon;
    this.customer = customer;
  }

  /** Starts both speakers and waits for their session; undefined (test skipped or failed) when gobgpd is missing. */
  static async start(t: Test, options: GoBgpPairOptions): Promise<GoBgpPair | undefined> {
    const gobgpd = findPeer(t, 'gobgpd');
    const gobgp = findPeer(t, 'gobgp');
    if (!gobgpd || !gobgp) return undefined;
    const dir = await mkdtemp(join(tmpdir(), 'rovd-gobgp-'));
    const [a, b, c, d] = [await freePort(), await freePort(), await freePort(), await freePort()];
    const amazon: Speaker = { name: 'amazon', address: '127.0.0.2', asn: 7224, bgpPort: a, apiPort: b };
    const customer: Speaker = { name: 'customer', address: '127.0.0.1', asn: 65000, bgpPort: c, apiPort: d };
    const pair = new GoBgpPair(gobgp, gobgpd, amazon, customer, dir, options);
    t.teardown(() => pair.stop());
    await pair.spawn(amazon, customer, false);
    await pair.spawn(customer, amazon, true);
    await pair.waitEstablished();
    return pair;
  }

  /** Amazon announces a route to the customer router. */
  async announce(prefix: string, asPath: readonly number[], options: { nextHop?: string; communities?: readonly string[] } = {}): Promise<void> {
    const v6 = prefix.includes(':');
    const args = ['global', 'rib', 'add', prefix, '-a', v6 ? 'ipv6' : 'ipv4'];
    if (asPath.length > 0) args.push('aspath', asPath.join(','));
    args.push('nexthop', options.nextHop ?? (v6 ? '2001:db8::254' : '192.0.2.254'));
    if (options.communities && options.communities.length > 0) args.push('community', options.communities.join(','));
    await this.cli(this.amazon, args);
  }

  async withdraw(prefix: string): Promise<void> {
    await this.cli(this.amazon, ['global', 'rib', 'del', prefix, '-a', prefix.includes(':') ? 'ipv6' : 'ipv4']);
  }

  /** What the customer router received from Amazon (its Adj-RIB-In for that peer). */
  async adjIn(afi: 4 | 6): Promise<AdjInRoute[]> {
    const out = await this.cli(this.customer, ['neighbor', this.amazon.address, 'adj-in', '-a', afi === 4 ? 'ipv4' : 'ipv6', '-j']);
    const text = out.trim();
    if (text === '' || text === 'null') return [];
    const table = JSON.parse(text) as Record<string, { nlri: { prefix: string }; attrs: GoBgpAttr[] }[]>;
    const routes: AdjInRoute[] = [];
    for (const paths of Object.values(table)) {
      for (const p of paths) {
        const asPath = p.attrs.filter((x) => x.type === 2).flatMap((x) => (x.as_paths ?? []).flatMap((s) => s.asns));
        const nextHop = p.attrs.find((x) => x.type === 3 || x.type === 14)?.nexthop;
        const communities = p.attrs.find((x) => x.type === 8)?.communities ?? [];
        routes.push({ prefix: p.nlri.prefix, asPath, nextHop, communities });
      }
    }
    return routes.sort((x, y) => (x.prefix < y.prefix ? -1 : x.prefix > y.prefix ? 1 : 0));
  }

  /** SIGKILLs the customer router: its BMP session just breaks (no Peer Down, no Termination). */
  async killCustomer(): Promise<void> {
    const child = this.children[1];
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
  }

  async stop(): Promise<void> {
    for (const c of this.children.splice(0)) {
      if (c.exitCode === null && c.signalCode === null) {
        c.kill('SIGTERM');
        await Promise.race([new Promise((r) => c.once('exit', r)), sleep(3000)]);
        if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
      }
    }
  }

  /** Both speakers' logs, for failure messages. */
  get output(): string {
    return this.logs;
  }

  private async waitEstablished(timeoutMs = 30_000): Promise<void> {
    const started = Date.now();
    while (Date.now() - started < timeoutMs) {
      const out = await this.cli(this.customer, ['neighbor']).catch(() => '');
      if (/Establ/.test(out)) return;
      await sleep(250);
    }
    throw new Error(`the gobgpd session did not come up in ${timeoutMs} ms\n${this.logs}`);
  }

  private async cli(speaker: Speaker, args: readonly string[]): Promise<string> {
    const { code, output } = await runBounded(this.gobgp, ['-p', String(speaker.apiPort), ...args], 15_000);
    if (code !== 0) throw new Error(`gobgp -p ${speaker.apiPort} ${args.join(' ')} exited with ${code}: ${output}`);
    return output;
  }

  private async spawn(self: Speaker, other: Speaker, withBmp: boolean): Promise<void> {
    const file = join(this.dir, `${self.name}.toml`);
    await writeFile(file, configFor(self, other, withBmp ? this.options : undefined));
    const child = spawnGuarded(this.gobgpd, ['-f', file, '--api-hosts', `127.0.0.1:${self.apiPort}`, '--pprof-disable', '-p']);
    this.children.push(child);
    const onLine = (line: string) => {
      this.logs += `[${self.name}] ${line}\n`;
    };
    if (child.stdout) splitLines(child.stdout, onLine);
    if (child.stderr) splitLines(child.stderr, onLine);
    // Ready when the API answers.
    const started = Date.now();
    for (;;) {
      const { code } = await runBounded(this.gobgp, ['-p', String(self.apiPort), 'global'], 5000);
      if (code === 0) return;
      if (Date.now() - started > 15_000) throw new Error(`gobgpd ${self.name} did not start\n${this.logs}`);
      await sleep(100);
    }
  }
}

interface GoBgpAttr {
  readonly type: number;
  readonly as_paths?: { readonly asns: number[] }[];
  readonly nexthop?: string;
  readonly communities?: number[];
}

function configFor(self: Speaker, other: Speaker, bmp: GoBgpPairOptions | undefined): string {
  const families = ['ipv4-unicast', 'ipv6-unicast']
    .map((f) => `  [[neighbors.afi-safis]]\n    [neighbors.afi-safis.config]\n      afi-safi-name = "${f}"\n`)
    .join('');
  const keepNextHop =
    self.name === 'amazon'
      ? `[global.apply-policy.config]
  export-policy-list = ["keep-nexthop"]
  default-export-policy = "accept-route"
[[policy-definitions]]
  name = "keep-nexthop"
  [[policy-definitions.statements]]
    name = "s1"
    [policy-definitions.statements.actions]
      route-disposition = "accept-route"
      [policy-definitions.statements.actions.bgp-actions]
        set-next-hop = "unchanged"
`
      : '';
  const bmpServer =
    bmp === undefined
      ? ''
      : `[[bmp-servers]]
  [bmp-servers.config]
    address = "127.0.0.1"
    port = ${bmp.bmpPort}
    route-monitoring-policy = "${bmp.bmpPolicy ?? 'all'}"
`;
  return `[global.config]
  as = ${self.asn}
  router-id = "${self.address}"
  port = ${self.bgpPort}
  local-address-list = ["${self.address}"]
${keepNextHop}[[neighbors]]
  [neighbors.config]
    neighbor-address = "${other.address}"
    peer-as = ${other.asn}
  [neighbors.transport.config]
    local-address = "${self.address}"
    remote-port = ${other.bgpPort}
${families}${bmpServer}`;
}
