/**
 * Direct Connect as its API last told it (docs/aws.md): each discovered
 * VIF's state and each BGP peer's status, when each VIF's routes were last
 * polled, and the API calls made (by account, region, operation and
 * outcome). The routes themselves are in rovd_routes with
 * `source="aws-api"`. Without `aws.directConnect` the families exist with
 * no samples (dashboards and rules can name them either way).
 */
import type { Registry } from 'prom-client';
import type { Daemon } from '../daemon/daemon.js';
import { type CollectErrorHandler, type Sample, scrapedCounter, scrapedGauge } from './scraped.js';

export function registerAwsMetrics(registry: Registry, daemon: Daemon, onError: CollectErrorHandler): void {
  const discovered = () => daemon.directConnect?.discovered() ?? [];

  scrapedGauge(registry, {
    name: 'rovd_aws_vif_state',
    help: 'Each VIF Direct Connect lists, at its virtualInterfaceState (1 for the current state: available, down, pending, deleted…), by VIF, type and region.',
    labelNames: ['vif', 'type', 'region', 'state'],
    read: () => discovered().map((v) => ({ labels: { vif: v.id, type: v.type, region: v.region, state: v.state }, value: 1 })),
  }, onError);

  scrapedGauge(registry, {
    name: 'rovd_aws_connection_state',
    help: 'Each Direct Connect connection of the account, at its connectionState (1 for the current state: available, down, ordering…), by connection, region, location and bandwidth.',
    labelNames: ['connection', 'region', 'location', 'bandwidth', 'state'],
    read: () => (daemon.directConnect?.connections() ?? []).map((c) => ({ labels: { connection: c.id, region: c.region, location: c.location ?? '', bandwidth: c.bandwidth ?? '', state: c.state }, value: 1 })),
  }, onError);

  scrapedGauge(registry, {
    name: 'rovd_aws_bgp_peer_up',
    help: 'A VIF\'s BGP session as Direct Connect reports it (bgpStatus): 1 up, 0 down; absent while AWS says unknown. By VIF, peer (Amazon\'s address) and address family.',
    labelNames: ['vif', 'peer', 'afi'],
    *read(): Iterable<Sample<'vif' | 'peer' | 'afi'>> {
      for (const v of discovered()) {
        for (const p of v.peers) {
          if (p.status === 'unknown') continue;
          yield { labels: { vif: v.id, peer: p.amazonAddress ?? p.addressFamily, afi: p.addressFamily }, value: p.status === 'up' ? 1 : 0 };
        }
      }
    },
  }, onError);

  scrapedGauge(registry, {
    name: 'rovd_aws_vif_last_poll_timestamp_seconds',
    help: 'When a VIF\'s routes were last read from ListVirtualInterfaceRoutes (Unix seconds), by VIF.',
    labelNames: ['vif'],
    *read(): Iterable<Sample<'vif'>> {
      for (const v of discovered()) {
        const at = daemon.directConnect?.pollOf(v.id)?.lastPoll;
        if (at !== undefined) yield { labels: { vif: v.id }, value: at / 1000 };
      }
    },
  }, onError);

  scrapedGauge(registry, {
    name: 'rovd_aws_discovery_last_success_timestamp_seconds',
    help: 'When Direct Connect last answered for an account and region (Unix seconds).',
    labelNames: ['account', 'region'],
    *read(): Iterable<Sample<'account' | 'region'>> {
      for (const s of daemon.directConnect?.status().sources ?? []) if (s.lastSuccess !== null) yield { labels: { account: s.account, region: s.region }, value: s.lastSuccess / 1000 };
    },
  }, onError);

  scrapedCounter(registry, {
    name: 'rovd_aws_api_requests_total',
    help: 'Direct Connect API attempts by account, region, operation and outcome (ok, error, throttled: gave up throttled, retry: another attempt follows).',
    labelNames: ['account', 'region', 'operation', 'outcome'],
    read: () => daemon.awsCalls.all().map((e) => ({ labels: { account: e.account, region: e.region, operation: e.operation, outcome: e.outcome }, value: e.count })),
  }, onError);

  scrapedCounter(registry, {
    name: 'rovd_aws_api_request_seconds_total',
    help: 'Time spent in Direct Connect API attempts, by account, region, operation and outcome (divide by rovd_aws_api_requests_total for the mean).',
    labelNames: ['account', 'region', 'operation', 'outcome'],
    read: () => daemon.awsCalls.all().map((e) => ({ labels: { account: e.account, region: e.region, operation: e.operation, outcome: e.outcome }, value: e.seconds })),
  }, onError);
}
