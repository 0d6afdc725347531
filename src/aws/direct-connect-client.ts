/**
 * rovd's Direct Connect client for one account and region: the
 * DirectConnectApi of direct-connect-types.ts.
 *
 * Four operations go through the AWS SDK (DescribeVirtualInterfaces,
 * DescribeConnections, DescribeDirectConnectGateways,
 * DescribeDirectConnectGatewayAssociations); ListVirtualInterfaceRoutes,
 * which the npm SDK release lacks, goes through json-protocol.ts. Either
 * way every attempt takes a token from the account/region's RequestBudget,
 * is bounded by `timeoutMs`, and is retried by withRetries (backoff with
 * full jitter, at most `maxAttempts`).
 *
 * Every listing is paged to the end: each page's nextToken is sent back
 * until none comes (API Reference, "ListVirtualInterfaceRoutes",
 * "DescribeVirtualInterfaces": maxResults at most 100). A nextToken seen
 * before would page forever, and a listing longer than `maxPages` is not
 * one Direct Connect can produce; both end the call with an AwsApiError
 * (PaginationError).
 *
 * Answers are checked member by member (direct-connect-decode.ts). One bad
 * VIF, peer or route is skipped with a warning naming the VIF, its index
 * and the member; an answer whose list member is not a list is an
 * AwsApiError (MalformedResponse), since nothing in it can be trusted.
 */
import {
  DescribeConnectionsCommand,
  DescribeDirectConnectGatewayAssociationsCommand,
  DescribeDirectConnectGatewaysCommand,
  DescribeVirtualInterfacesCommand,
  type DirectConnectClient as SdkDirectConnectClient,
} from '@aws-sdk/client-direct-connect';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import type { Logger } from '../log/logger.js';
import type { Prefix } from '../net/prefix.js';
import { AwsApiError, LOCAL_ERROR_CODES, malformedResponse } from './aws-api-error.js';
import { DecodeError, decodeAllowedPrefixes, decodeConnection, decodeGateway, decodeRoute, decodeVif } from './direct-connect-decode.js';
import type { AwsRoute, AwsRouteFilters, DirectConnectApi, DiscoveredConnection, DiscoveredGateway, DiscoveredVif } from './direct-connect-types.js';
import { AwsJsonClient, makeAgents } from './json-protocol.js';
import { type AttemptOutcome, RETRY_DEFAULTS, type RequestBudget, type Sleep, realSleep, withRetries } from './request-budget.js';
import { makeSdkClient, sdkAttempt } from './sdk-call.js';

/** AWS's largest page for every listing rovd uses. */
export const MAX_RESULTS_PER_PAGE = 100;
/** 100,000 items: far beyond Direct Connect's quotas (at most 1,000 routes on a public VIF, 100 accepted on a private one). */
export const DEFAULT_MAX_PAGES = 1000;
/** API Reference, "RouteFilters": cidrs takes up to 10. */
export const MAX_FILTER_CIDRS = 10;

export interface DirectConnectClientOptions {
  readonly region: string;
  readonly credentials: AwsCredentialIdentityProvider;
  /** Overrides the regional endpoint (VPC endpoint, or a test's fake; `http://` allowed). */
  readonly endpoint?: string;
  /** Shared by every client of this account/region. */
  readonly budget: RequestBudget;
  /** Per attempt: connection, request and the whole response. */
  readonly timeoutMs: number;
  /** Attempts per call (per page), the first included. */
  readonly maxAttempts: number;
  readonly logger: Logger;
  /** An extra CA to trust (a test's https endpoint); AWS's usual CAs stay trusted. */
  readonly ca?: string | Buffer;
  /** Once per attempt: `retry` when another attempt follows, `throttled` when the call gives up throttled. */
  readonly onCall?: (operation: string, outcome: AttemptOutcome, ms: number) => void;
  /** Backoff bounds; default RETRY_DEFAULTS'. */
  readonly backoff?: { readonly baseDelayMs: number; readonly maxDelayMs: number };
  readonly maxPages?: number;
  /** For tests: the jitter's random source and the backoff's sleep. */
  readonly random?: () => number;
  readonly sleep?: Sleep;
}

/** One page: its items (unchecked) and the token of the next. */
interface Page {
  readonly items: readonly unknown[];
  readonly nextToken: string | undefined;
}

export class DirectConnectClient implements DirectConnectApi {
  readonly region: string;
  private readonly sdk: SdkDirectConnectClient;
  private readonly json: AwsJsonClient;
  private readonly agents: ReturnType<typeof makeAgents>;
  private readonly closing = new AbortController();
  private readonly maxPages: number;

  constructor(private readonly options: DirectConnectClientOptions) {
    if (!(Number.isInteger(options.maxAttempts) && options.maxAttempts >= 1)) throw new RangeError(`maxAttempts must be an integer of at least 1, got ${options.maxAttempts}`);
    if (!(options.timeoutMs > 0)) throw new RangeError(`timeoutMs must be positive, got ${options.timeoutMs}`);
    this.region = options.region;
    this.maxPages = options.maxPages ?? DEFAULT_MAX_PAGES;
    this.agents = makeAgents(options.ca);
    const transport = { region: options.region, credentials: options.credentials, agents: this.agents, ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }) };
    this.sdk = makeSdkClient(transport);
    this.json = new AwsJsonClient({ ...transport, timeoutMs: options.timeoutMs });
  }

  async describeVirtualInterfaces(): Promise<readonly DiscoveredVif[]> {
    const operation = 'DescribeVirtualInterfaces';
    const items = await this.listAll(operation, async (nextToken, signal) => {
      const out = await this.sdkAttempt(operation, signal, (abortSignal) => this.sdk.send(new DescribeVirtualInterfacesCommand({ maxResults: MAX_RESULTS_PER_PAGE, nextToken }), { abortSignal }));
      return pageOf(operation, out, 'virtualInterfaces', out.$metadata.requestId);
    });
    return this.decodeEach(operation, items, (raw, warn) => decodeVif(raw, this.region, warn), idOf('virtualInterfaceId'));
  }

  async describeConnections(): Promise<readonly DiscoveredConnection[]> {
    const operation = 'DescribeConnections';
    const items = await this.listAll(operation, async (nextToken, signal) => {
      const out = await this.sdkAttempt(operation, signal, (abortSignal) => this.sdk.send(new DescribeConnectionsCommand({ maxResults: MAX_RESULTS_PER_PAGE, nextToken }), { abortSignal }));
      return pageOf(operation, out, 'connections', out.$metadata.requestId);
    });
    return this.decodeEach(operation, items, decodeConnection, idOf('connectionId'));
  }

  /** The gateways, each with the union of its associations' allowed prefixes (one more listing per gateway). */
  async describeDirectConnectGateways(): Promise<readonly DiscoveredGateway[]> {
    const operation = 'DescribeDirectConnectGateways';
    const items = await this.listAll(operation, async (nextToken, signal) => {
      const out = await this.sdkAttempt(operation, signal, (abortSignal) => this.sdk.send(new DescribeDirectConnectGatewaysCommand({ maxResults: MAX_RESULTS_PER_PAGE, nextToken }), { abortSignal }));
      return pageOf(operation, out, 'directConnectGateways', out.$metadata.requestId);
    });
    const gateways = this.decodeEach(operation, items, decodeGateway, idOf('directConnectGatewayId'));
    const out: DiscoveredGateway[] = [];
    for (const gateway of gateways) {
      out.push(Object.freeze({ ...gateway, allowedPrefixes: await this.allowedPrefixes(gateway.id) }));
    }
    return out;
  }

  private async allowedPrefixes(directConnectGatewayId: string): Promise<readonly Prefix[]> {
    const operation = 'DescribeDirectConnectGatewayAssociations';
    const items = await this.listAll(operation, async (nextToken, signal) => {
      const command = new DescribeDirectConnectGatewayAssociationsCommand({ directConnectGatewayId, maxResults: MAX_RESULTS_PER_PAGE, nextToken });
      const out = await this.sdkAttempt(operation, signal, (abortSignal) => this.sdk.send(command, { abortSignal }));
      return pageOf(operation, out, 'directConnectGatewayAssociations', out.$metadata.requestId);
    });
    const byText = new Map<string, Prefix>();
    for (const prefixes of this.decodeEach(operation, items, decodeAllowedPrefixes, idOf('associationId'))) {
      for (const prefix of prefixes) byText.set(prefix.toString(), prefix);
    }
    return [...byText.values()];
  }

  async listVirtualInterfaceRoutes(virtualInterfaceId: string, filters: AwsRouteFilters = {}): Promise<readonly AwsRoute[]> {
    const operation = 'ListVirtualInterfaceRoutes';
    const wireFilters = routeFilters(filters);
    const items = await this.listAll(operation, async (nextToken, signal) => {
      const input = { virtualInterfaceId, maxResults: MAX_RESULTS_PER_PAGE, ...(wireFilters === undefined ? {} : { filters: wireFilters }), ...(nextToken === undefined ? {} : { nextToken }) };
      const { body, requestId } = await this.json.call(operation, input, signal);
      if (body.virtualInterfaceId !== undefined && body.virtualInterfaceId !== virtualInterfaceId) {
        throw malformedResponse(operation, requestId, `routes of ${JSON.stringify(body.virtualInterfaceId)} in the answer for ${virtualInterfaceId}`);
      }
      return pageOf(operation, body, 'routes', requestId);
    });
    const routes: AwsRoute[] = [];
    items.forEach((raw, index) => {
      try {
        routes.push(decodeRoute(raw));
      } catch (err) {
        if (!(err instanceof DecodeError)) throw err;
        this.options.logger.warn({ operation, virtualInterfaceId, index, member: err.member, reason: err.reason }, 'Direct Connect sent a malformed route; skipped');
      }
    });
    return routes;
  }

  /** Aborts waits and requests in flight and releases the sockets; calls after it fail with ClientClosed. */
  close(): void {
    this.closing.abort();
    this.sdk.destroy();
    this.agents.http.destroy();
    this.agents.https.destroy();
  }

  // --- paging, retries, decoding ------------------------------------------

  /** Every item of a listing, page by page, each page retried on its own. */
  private async listAll(operation: string, fetchPage: (nextToken: string | undefined, signal: AbortSignal) => Promise<Page>): Promise<unknown[]> {
    const items: unknown[] = [];
    const seen = new Set<string>();
    let nextToken: string | undefined;
    for (let pages = 1; ; pages++) {
      const token = nextToken;
      const page = await this.attempts(operation, (signal) => fetchPage(token, signal));
      items.push(...page.items);
      if (page.nextToken === undefined) return items;
      if (seen.has(page.nextToken)) throw this.paginationError(operation, `nextToken ${JSON.stringify(page.nextToken)} came back on page ${pages}: the listing would never end`);
      if (pages >= this.maxPages) throw this.paginationError(operation, `still more after ${pages} pages (the cap)`);
      seen.add(page.nextToken);
      nextToken = page.nextToken;
    }
  }

  private paginationError(operation: string, detail: string): AwsApiError {
    return new AwsApiError({ operation, code: LOCAL_ERROR_CODES.pagination, httpStatus: undefined, requestId: undefined, detail });
  }

  /** One call (one page) with its retries; every attempt takes a token and is bounded by timeoutMs. */
  private async attempts<T>(operation: string, attempt: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const { options } = this;
    const signal = this.closing.signal;
    if (signal.aborted) throw this.closedError(operation);
    try {
      return await withRetries(() => attempt(signal), {
        budget: options.budget,
        policy: { ...(options.backoff ?? RETRY_DEFAULTS), maxAttempts: options.maxAttempts },
        random: options.random ?? Math.random,
        sleep: options.sleep ?? realSleep,
        now: Date.now,
        signal,
        onAttempt: (outcome, ms, error) => {
          options.onCall?.(operation, outcome, ms);
          if (outcome === 'retry' && error !== undefined) {
            options.logger.debug?.({ operation, code: error.code, requestId: error.requestId }, 'Direct Connect call failed; retrying');
          }
        },
      });
    } catch (err) {
      if (signal.aborted) throw this.closedError(operation);
      throw err;
    }
  }

  /** One SDK attempt, bounded by timeoutMs, its errors as AwsApiError. */
  private sdkAttempt<T>(operation: string, signal: AbortSignal, send: (abortSignal: AbortSignal) => Promise<T>): Promise<T> {
    return sdkAttempt(operation, this.options.timeoutMs, signal, send);
  }

  private closedError(operation: string): AwsApiError {
    return new AwsApiError({ operation, code: LOCAL_ERROR_CODES.closed, httpStatus: undefined, requestId: undefined, detail: 'the client was closed' });
  }

  /** Decodes each item; a malformed one is logged (with its id if it has one) and skipped. */
  private decodeEach<T>(operation: string, items: readonly unknown[], decode: (raw: unknown, warn: (member: string, reason: string) => void) => T, idOfItem: (raw: unknown) => Record<string, string>): T[] {
    const out: T[] = [];
    items.forEach((raw, index) => {
      const warn = (member: string, reason: string): void => {
        this.options.logger.warn({ operation, ...idOfItem(raw), index, member, reason }, 'Direct Connect sent an unexpected value');
      };
      try {
        out.push(decode(raw, warn));
      } catch (err) {
        if (!(err instanceof DecodeError)) throw err;
        this.options.logger.warn({ operation, ...idOfItem(raw), index, member: err.member, reason: err.reason }, 'Direct Connect sent a malformed item; skipped');
      }
    });
    return out;
  }
}

/** The page's list member and nextToken; a list member that is not a list is a MalformedResponse. */
function pageOf(operation: string, out: object, member: string, requestId: string | undefined): Page {
  const record = out as Record<string, unknown>;
  const items = record[member];
  if (items !== undefined && !Array.isArray(items)) throw malformedResponse(operation, requestId, `${member} is not a list`);
  const nextToken = record.nextToken;
  if (nextToken !== undefined && nextToken !== null && typeof nextToken !== 'string') throw malformedResponse(operation, requestId, 'nextToken is not a string');
  // JSON 1.1 leaves empty members out; some AWS listings end with "" rather than no token.
  return { items: items ?? [], nextToken: typeof nextToken === 'string' && nextToken !== '' ? nextToken : undefined };
}

/** The item's id member, for log lines about it (when it has a usable one). */
function idOf(member: string): (raw: unknown) => Record<string, string> {
  return (raw) => {
    const value = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>)[member] : undefined;
    return typeof value === 'string' ? { [member]: value } : {};
  };
}

/** The wire form of the filters (API Reference, "RouteFilters"); undefined when there are none. */
function routeFilters(filters: AwsRouteFilters): Record<string, unknown> | undefined {
  if (filters.cidrs !== undefined && filters.cidrs.length > MAX_FILTER_CIDRS) {
    throw new RangeError(`ListVirtualInterfaceRoutes takes at most ${MAX_FILTER_CIDRS} cidrs, got ${filters.cidrs.length}`);
  }
  const wire: Record<string, unknown> = {};
  if (filters.direction !== undefined) wire.routeDirection = filters.direction;
  if (filters.addressFamily !== undefined) wire.addressFamily = filters.addressFamily;
  if (filters.cidrs !== undefined) wire.cidrs = [...filters.cidrs];
  if (filters.asPath !== undefined) wire.asPath = [...filters.asPath];
  if (filters.communities !== undefined) wire.communities = [...filters.communities];
  return Object.keys(wire).length === 0 ? undefined : wire;
}
