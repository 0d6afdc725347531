/**
 * The `aws.directConnect` section: which accounts and regions rovd reads
 * Direct Connect from, with what credentials, how often, and how gently.
 *
 *   aws:
 *     directConnect:
 *       regions: [us-east-1]          # rovd's own credentials (the default chain)
 *       accounts:                     # other accounts, through a role
 *         - { name: network, roleArn: arn:aws:iam::111122223333:role/rovd-read, externalId: x, regions: [eu-west-1] }
 *
 * Absent (or `enabled: false`): rovd never calls AWS.
 */
import type { Fail, Json } from './detection-config.js';

export interface DirectConnectAccount {
  /** A label for logs and metrics (`default` for rovd's own credentials). */
  readonly name: string;
  readonly regions: readonly string[];
  /** A profile of the shared config/credentials files; undefined: the default chain. */
  readonly profile: string | undefined;
  /** A role assumed over the base credentials (another account's). */
  readonly roleArn: string | undefined;
  readonly externalId: string | undefined;
}

export interface DirectConnectSettings {
  readonly accounts: readonly DirectConnectAccount[];
  /** Overrides the regional endpoint (a VPC interface endpoint, a test server). */
  readonly endpoint: string | undefined;
  readonly discoveryMs: number;
  readonly routesMs: number;
  /** Poll ListVirtualInterfaceRoutes (else discovery only). */
  readonly pollRoutes: boolean;
  /** The request budget per account and region. */
  readonly requestsPerSecond: number;
  readonly timeoutMs: number;
  readonly maxAttempts: number;
  /** Only these VIFs (empty: every VIF discovered). */
  readonly watch: readonly string[];
  /** Never these. */
  readonly ignore: readonly string[];
}

export const DIRECT_CONNECT_DEFAULTS = Object.freeze({
  discoverySeconds: 300,
  routesSeconds: 60,
  // Direct Connect's documented API rate limits are a few requests per second per account and region; stay well under them.
  requestsPerSecond: 2,
  timeoutSeconds: 10,
  maxAttempts: 5,
});

/** The settings, or undefined when rovd is not to call AWS. */
export function buildDirectConnect(raw: Json, fail: Fail): DirectConnectSettings | undefined {
  const dc = ((raw.aws as Json | undefined)?.directConnect ?? undefined) as Json | undefined;
  if (dc === undefined || dc.enabled === false) return undefined;
  const where = ['aws', 'directConnect'];
  const account = (a: Json, name: string): DirectConnectAccount =>
    Object.freeze({
      name,
      regions: Object.freeze([...((a.regions ?? []) as string[])]),
      profile: a.profile as string | undefined,
      roleArn: a.roleArn as string | undefined,
      externalId: a.externalId as string | undefined,
    });
  const accounts: DirectConnectAccount[] = [];
  if (dc.regions !== undefined) accounts.push(account(dc, 'default'));
  else if (dc.profile !== undefined || dc.roleArn !== undefined || dc.externalId !== undefined) fail([...where, 'regions'], 'expected the regions to read with these credentials');
  ((dc.accounts ?? []) as Json[]).forEach((a, i) => {
    const name = a.name as string;
    if (accounts.some((b) => b.name === name)) fail([...where, 'accounts', i, 'name'], `the account name ${JSON.stringify(name)} is used twice`);
    accounts.push(account(a, name));
  });
  accounts.forEach((a, i) => {
    if (a.externalId !== undefined && a.roleArn === undefined) fail(i === 0 && dc.regions !== undefined ? [...where, 'externalId'] : [...where, 'accounts', dc.regions !== undefined ? i - 1 : i, 'externalId'], 'externalId needs a roleArn');
  });
  if (accounts.length === 0) fail(where, 'expected regions (for rovd\'s own credentials) or accounts');
  const watch = (dc.watch ?? []) as string[];
  const ignore = (dc.ignore ?? []) as string[];
  const both = watch.find((id) => ignore.includes(id));
  if (both !== undefined) fail([...where, 'ignore'], `${both} is also in watch`);
  const d = DIRECT_CONNECT_DEFAULTS;
  return Object.freeze({
    accounts: Object.freeze(accounts),
    endpoint: (dc.endpoint as string | undefined)?.replace(/\/$/, ''),
    discoveryMs: ((dc.discoverySeconds as number | undefined) ?? d.discoverySeconds) * 1000,
    routesMs: ((dc.routesSeconds as number | undefined) ?? d.routesSeconds) * 1000,
    pollRoutes: (dc.pollRoutes as boolean | undefined) ?? true,
    requestsPerSecond: (dc.requestsPerSecond as number | undefined) ?? d.requestsPerSecond,
    timeoutMs: ((dc.timeoutSeconds as number | undefined) ?? d.timeoutSeconds) * 1000,
    maxAttempts: (dc.maxAttempts as number | undefined) ?? d.maxAttempts,
    watch: Object.freeze([...watch]),
    ignore: Object.freeze([...ignore]),
  });
}
