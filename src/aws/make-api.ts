/**
 * The real Direct Connect client for one account in one region, from the
 * `aws.directConnect` settings: the account's credentials (default chain,
 * profile, or a role assumed over either), a request budget of its own
 * (Direct Connect throttles per account and region), and attempts counted
 * into the tally for metrics.
 */
import type { DirectConnectAccount, DirectConnectSettings } from '../config/aws-config.js';
import type { Logger } from '../log/logger.js';
import type { ApiTally } from './api-tally.js';
import { credentialProvider } from './credentials.js';
import { DirectConnectClient } from './direct-connect-client.js';
import type { DirectConnectApi } from './direct-connect-types.js';
import { RequestBudget } from './request-budget.js';

/** What the client takes from the settings (`rovd vifs discover` passes the defaults when there is no config). */
export type ClientSettings = Pick<DirectConnectSettings, 'endpoint' | 'requestsPerSecond' | 'timeoutMs' | 'maxAttempts'>;

export function directConnectClientFor(settings: ClientSettings, account: DirectConnectAccount, region: string, logger: Logger, tally?: ApiTally): DirectConnectApi {
  return new DirectConnectClient({
    region,
    credentials: credentialProvider({
      region,
      ...(account.profile === undefined ? {} : { profile: account.profile }),
      ...(account.roleArn === undefined ? {} : { roleArn: account.roleArn }),
      ...(account.externalId === undefined ? {} : { externalId: account.externalId }),
    }),
    ...(settings.endpoint === undefined ? {} : { endpoint: settings.endpoint }),
    // A burst of a few calls (the first discovery's pages) at most; then the steady rate.
    budget: new RequestBudget({ requestsPerSecond: settings.requestsPerSecond, burst: Math.max(1, Math.ceil(settings.requestsPerSecond)) }),
    timeoutMs: settings.timeoutMs,
    maxAttempts: settings.maxAttempts,
    logger,
    ...(tally === undefined ? {} : { onCall: (operation, outcome, ms) => tally.record(account.name, region, operation, outcome, ms) }),
  });
}
