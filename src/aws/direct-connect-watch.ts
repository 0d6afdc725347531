/**
 * Watching Direct Connect through its API: which VIFs exist (discovery,
 * every `discoverySeconds`) and which routes each carries (a poll, every
 * `routesSeconds`), for every configured account and region.
 *
 * Discovery turns DescribeVirtualInterfaces and DescribeDirectConnectGateways
 * into Vifs (DescribeConnections adds the state of the connections under
 * them, for metrics and the status) (src/aws/vif-merge.ts) and hands them to the daemon, which
 * merges them with the config; each VIF's BGP peer status goes to
 * detection (session-down). A poll hands ListVirtualInterfaceRoutes' list
 * to the route feed (src/aws/route-feed.ts). A failure keeps what was
 * last known: an API hiccup must not withdraw every route and resolve
 * every alert. Failures that last raise `aws-api-error` and mark the
 * routes read from there stale until a poll lists them again.
 *
 * One round at a time per kind: a slow API (throttled, budget spent) makes
 * rounds later, never piled up.
 */
import type { ConditionSink } from '../alerts/alert.js';
import type { DirectConnectAccount, DirectConnectSettings } from '../config/aws-config.js';
import { condition } from '../detect/condition.js';
import type { DetectorSetting, PrefixLimits } from '../detect/settings.js';
import { type Logger, NOOP_LOGGER } from '../log/logger.js';
import type { Vif } from '../vif/vif.js';
import type { DirectConnectApi, DiscoveredConnection, DiscoveredGateway, DiscoveredVif } from './direct-connect-types.js';
import type { AwsRouteFeed, RouteFeedOutcome } from './route-feed.js';
import { isLiveVif, vifFromDiscovered } from './vif-merge.js';

/** Consecutive failed rounds of one account and region before `aws-api-error` is raised. */
export const FAILURES_BEFORE_ALERT = 3;

export interface DirectConnectWatchOptions {
  readonly settings: DirectConnectSettings;
  readonly limits: PrefixLimits;
  /** The API of one account in one region. */
  readonly makeApi: (account: DirectConnectAccount, region: string) => DirectConnectApi;
  readonly feed: AwsRouteFeed;
  /** The VIFs being watched now (the daemon's merge of config and discovery), by id. */
  readonly vifs: (id: string) => Vif | undefined;
  /** The discovered set changed (the daemon merges it with the config). */
  readonly onDiscovered: (vifs: readonly Vif[]) => void;
  /** Each VIF as the last discovery described it (BGP peer status for detection). */
  readonly onVif?: (vif: DiscoveredVif) => void;
  /** A VIF's routes were polled and applied. */
  readonly onPolled?: (vifId: string, outcome: RouteFeedOutcome) => void;
  /** Where `aws-api-error` goes (the alert engine). */
  readonly sink?: ConditionSink;
  readonly apiErrorSetting?: DetectorSetting;
  readonly logger?: Logger;
  readonly now?: () => number;
}

/** One account in one region, and what its API last told. */
interface Source {
  readonly account: string;
  readonly region: string;
  readonly api: DirectConnectApi;
  vifs: readonly DiscoveredVif[];
  gateways: ReadonlyMap<string, DiscoveredGateway>;
  connections: readonly DiscoveredConnection[];
  lastSuccess: number | undefined;
  lastError: string | undefined;
  failures: number;
  discovered: boolean;
  /** aws-api-error was cleared once since start (a restored one included). */
  clearedOnce: boolean;
}

export interface VifPollStatus {
  readonly lastPoll: number | undefined;
  readonly lastError: string | undefined;
  readonly routes: number;
  readonly polls: number;
}

export interface WatchStatus {
  readonly sources: readonly { readonly account: string; readonly region: string; readonly vifs: number; readonly lastSuccess: number | null; readonly lastError: string | null; readonly failures: number }[];
  readonly vifs: readonly (DiscoveredVif & { readonly poll: VifPollStatus | undefined })[];
}

export class DirectConnectWatch {
  private readonly sources: Source[] = [];
  private readonly polls = new Map<string, { lastPoll: number | undefined; lastError: string | undefined; routes: number; polls: number }>();
  private readonly log: Logger;
  private readonly now: () => number;
  private discoveryTimer: NodeJS.Timeout | undefined;
  private pollTimer: NodeJS.Timeout | undefined;
  private discovering: Promise<void> | undefined;
  private polling: Promise<void> | undefined;
  private lastPublished = '';
  private stopped = false;

  constructor(private readonly options: DirectConnectWatchOptions) {
    this.log = options.logger ?? NOOP_LOGGER;
    this.now = options.now ?? Date.now;
    for (const account of options.settings.accounts) {
      for (const region of account.regions) {
        this.sources.push({ account: account.name, region, api: options.makeApi(account, region), vifs: [], gateways: new Map(), connections: [], lastSuccess: undefined, lastError: undefined, failures: 0, discovered: false, clearedOnce: false });
      }
    }
  }

  /** Starts the periodic rounds; the first discovery (and poll) runs at once, without holding up the caller. */
  start(): void {
    const first = this.discoverNow().then(() => (this.options.settings.pollRoutes ? this.pollNow() : undefined));
    first.catch(() => {});
    this.discoveryTimer = setInterval(() => void this.discoverNow(), this.options.settings.discoveryMs);
    this.discoveryTimer.unref();
    if (this.options.settings.pollRoutes) {
      this.pollTimer = setInterval(() => void this.pollNow(), this.options.settings.routesMs);
      this.pollTimer.unref();
    }
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.discoveryTimer);
    clearInterval(this.pollTimer);
    for (const s of this.sources) s.api.close();
  }

  /** Every VIF discovered, live or not, as AWS last described it. */
  discovered(): DiscoveredVif[] {
    return this.sources.flatMap((s) => s.vifs);
  }

  /** Every connection (and LAG member) discovered, with the region it is in. */
  connections(): (DiscoveredConnection & { readonly region: string })[] {
    return this.sources.flatMap((s) => s.connections.map((c) => ({ ...c, region: s.region })));
  }

  /** When a VIF's routes were last polled (the divergence detector waits for a poll after a difference starts). */
  pollOf(vifId: string): VifPollStatus | undefined {
    return this.polls.get(vifId);
  }

  status(): WatchStatus {
    return {
      sources: this.sources.map((s) => ({ account: s.account, region: s.region, vifs: s.vifs.length, lastSuccess: s.lastSuccess ?? null, lastError: s.lastError ?? null, failures: s.failures })),
      vifs: this.discovered().map((v) => ({ ...v, poll: this.polls.get(v.id) })),
    };
  }

  /** One discovery round over every account and region (joins a round already running). */
  discoverNow(): Promise<void> {
    this.discovering ??= this.discoverRound().finally(() => (this.discovering = undefined));
    return this.discovering;
  }

  /** One poll of every watched, live, discovered VIF (joins a round already running). */
  pollNow(): Promise<void> {
    this.polling ??= this.pollRound().finally(() => (this.polling = undefined));
    return this.polling;
  }

  private async discoverRound(): Promise<void> {
    await Promise.all(this.sources.map((s) => this.discover(s)));
    if (this.stopped) return;
    const vifs = this.sources.flatMap((s) => s.vifs.filter(isLiveVif).map((v) => vifFromDiscovered(v, s.gateways, this.options.limits)));
    const published = JSON.stringify(vifs);
    if (published !== this.lastPublished) {
      this.lastPublished = published;
      this.options.onDiscovered(vifs);
    }
    for (const s of this.sources) for (const v of s.vifs) this.options.onVif?.(v);
    // Routes of a VIF that is gone (deleted, or no longer listed) are withdrawn: AWS no longer carries them.
    const live = new Set(vifs.map((v) => v.id));
    for (const id of this.options.feed.vifIds()) {
      if (live.has(id) || this.sources.some((s) => !s.discovered)) continue;
      const dropped = this.options.feed.drop(id);
      this.polls.delete(id);
      this.log.info({ vif: id, routes: dropped }, 'aws: VIF gone from Direct Connect; its API routes withdrawn');
    }
  }

  private async discover(s: Source): Promise<void> {
    try {
      const vifs = await s.api.describeVirtualInterfaces();
      // Gateways give the Amazon side ASN and the prefixes AWS may announce on private and transit VIFs.
      const gateways = vifs.some((v) => v.directConnectGatewayId !== undefined) ? await s.api.describeDirectConnectGateways() : [];
      const connections = await s.api.describeConnections();
      s.vifs = vifs;
      s.connections = connections;
      s.gateways = new Map(gateways.map((g) => [g.id, g]));
      s.discovered = true;
      this.succeeded(s);
      this.log.info({ account: s.account, region: s.region, vifs: vifs.length, gateways: gateways.length, connections: connections.length }, 'aws: Direct Connect discovered');
    } catch (err) {
      this.failed(s, 'discovery', err);
    }
  }

  /** Each account/region polls its VIFs in turn under its own budget; the sources go side by side, so a slow one holds back no other. */
  private async pollRound(): Promise<void> {
    await Promise.all(this.sources.map((s) => this.pollSource(s)));
  }

  private async pollSource(s: Source): Promise<void> {
    for (const d of s.vifs) {
      if (this.stopped) return;
      const vif = this.options.vifs(d.id);
      if (vif === undefined || !isLiveVif(d)) continue;
      const entry = this.polls.get(d.id) ?? { lastPoll: undefined, lastError: undefined, routes: 0, polls: 0 };
      this.polls.set(d.id, entry);
      try {
        const routes = await s.api.listVirtualInterfaceRoutes(d.id);
        if (this.stopped) return;
        // Re-read: a reload or discovery may have replaced the VIF while the call was out.
        const current = this.options.vifs(d.id) ?? vif;
        const outcome = this.options.feed.apply(current, routes, Math.floor(this.now() / 1000));
        entry.lastPoll = this.now();
        entry.lastError = undefined;
        entry.routes = routes.length;
        entry.polls++;
        this.succeeded(s);
        if (outcome.announced + outcome.replaced + outcome.withdrawn > 0) {
          this.log.info({ vif: d.id, routes: routes.length, ...outcome }, 'aws: VIF routes polled');
        }
        this.options.onPolled?.(d.id, outcome);
      } catch (err) {
        entry.lastError = (err as Error).message;
        this.failed(s, `ListVirtualInterfaceRoutes ${d.id}`, err);
      }
    }
  }

  private succeeded(s: Source): void {
    s.lastSuccess = this.now();
    s.lastError = undefined;
    // Cleared on every success, not only after failures counted here: an alert restored from before a restart must end too.
    if (s.failures >= FAILURES_BEFORE_ALERT || !s.clearedOnce) this.options.sink?.clear(this.apiError(s).fingerprint, this.now());
    s.clearedOnce = true;
    s.failures = 0;
  }

  private failed(s: Source, what: string, err: unknown): void {
    s.failures++;
    s.lastError = `${what}: ${(err as Error).message}`;
    this.log.warn({ account: s.account, region: s.region, failures: s.failures, err: (err as Error).message }, `aws: ${what} failed; keeping what was last known`);
    if (s.failures < FAILURES_BEFORE_ALERT) return;
    // Kept, but no longer current: the routes read from here are marked stale until a poll lists them again.
    if (s.failures === FAILURES_BEFORE_ALERT) for (const v of s.vifs) this.options.feed.markStale(v.id);
    const setting = this.options.apiErrorSetting;
    if (setting?.enabled ?? true) this.options.sink?.raise(this.apiError(s), this.now());
  }

  private apiError(s: Source) {
    return condition('aws-api-error', this.options.apiErrorSetting?.severity ?? 'warning', { account: s.account, region: s.region }, undefined, {
      summary: `Direct Connect API calls fail for account ${s.account} in ${s.region}`,
      description: `rovd cannot read Direct Connect in ${s.region} with the credentials of account ${s.account} (${s.failures} failures in a row; last: ${s.lastError ?? 'unknown'}). The VIFs and routes it shows for them are as last read; new VIFs, routes and BGP status changes are not seen.`,
      evidence: { details: { failures: s.failures, lastError: s.lastError ?? null } },
      context: { region: s.region },
    });
  }
}
