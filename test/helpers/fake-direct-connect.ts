/**
 * A local Direct Connect endpoint for tests: node:http (or node:https with
 * a given certificate) on 127.0.0.1, port 0, speaking the AWS JSON 1.1
 * protocol the way Direct Connect does (Direct Connect API Reference,
 * "Making API requests"; Smithy, "AWS JSON 1.1 protocol"):
 *
 * - POST / with `X-Amz-Target: OvertureService.<Operation>`; the operations
 *   rovd uses are served, any other is `UnknownOperationException`.
 * - Every request's SigV4 signature is checked with rovd's own verifier
 *   (service `directconnect`, the fake's region) against the keys the test
 *   gives. An unknown key is refused as AWS refuses it (403
 *   `UnrecognizedClientException`), a bad signature likewise (403
 *   `InvalidSignatureException`). A key registered with a session token
 *   demands that token in a signed `x-amz-security-token` header.
 * - Lists are paged (`pageSize`, capped by the request's maxResults and
 *   AWS's 100) with opaque one-use-per-listing nextTokens.
 * - ListVirtualInterfaceRoutes applies the routeDirection, addressFamily,
 *   cidrs (exact match, at most 10) and communities (all of them) filters.
 *   The asPath filter is recorded but not applied: the API Reference does
 *   not say how it matches.
 * - Every answer carries `x-amzn-RequestId`.
 *
 * State is plain AWS-shaped JSON the test sets at any time, so a test can
 * also serve what AWS should never send. Misbehaviour on demand: throttle
 * the next n requests (400 ThrottlingException, or 503), delay them, or
 * answer them from an override function.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { SecureVersion } from 'node:tls';
import { Secret } from '../../src/http/security/secret.js';
import { parseSigV4Authorization } from '../../src/http/security/sigv4-authorization.js';
import { SigV4Verifier } from '../../src/http/security/sigv4-verify.js';

export const FAKE_REGION = 'us-east-1';
export const FAKE_KEY_ID = 'AKIDFAKEDIRECTCONNECT';
export const FAKE_SECRET = 'fake/secret/for/rovd/tests/0000000000000';
export const FIXTURES_DIR = new URL('../fixtures/aws/', import.meta.url);

const TARGET_PREFIX = 'OvertureService.';
const AWS_MAX_RESULTS = 100;

/** A JSON object as AWS sends it (or as a test wants it sent). */
export type Wire = Record<string, unknown>;

export interface FakeKey {
  readonly secret: string;
  /** When set, requests with this key must carry and sign this x-amz-security-token. */
  readonly sessionToken?: string;
}

export interface FakeTls {
  readonly cert: string;
  readonly key: string;
  readonly minVersion?: SecureVersion;
  readonly maxVersion?: SecureVersion;
  /** E.g. `DEFAULT@SECLEVEL=0`, which OpenSSL 3 needs to offer TLS 1.1 at all. */
  readonly ciphers?: string;
}

export interface FakeDirectConnectOptions {
  readonly region?: string;
  /** Access key id → key; default FAKE_KEY_ID with FAKE_SECRET. */
  readonly keys?: Readonly<Record<string, FakeKey>>;
  readonly tls?: FakeTls;
  readonly pageSize?: number;
}

export interface RecordedRequest {
  /** From X-Amz-Target, without `OvertureService.`. */
  readonly operation: string;
  readonly body: Wire;
  readonly headers: IncomingHttpHeaders;
  /** The status the fake answered with. */
  status: number;
  /** Why the signature was refused; undefined when it verified. */
  signatureRefusal: string | undefined;
}

export interface FakeReply {
  readonly status: number;
  readonly body: string;
  readonly headers?: Readonly<Record<string, string>>;
}

type Misbehaviour = { readonly kind: 'throttle' } | { readonly kind: 'unavailable'; readonly retryAfterSeconds?: number };

export class FakeDirectConnect {
  readonly requests: RecordedRequest[] = [];
  /** The most items one page holds (AWS's own cap of 100 and the request's maxResults also apply). */
  pageSize: number;
  /** Consulted first for every verified request; a reply replaces the normal answer. */
  override: ((request: RecordedRequest) => FakeReply | undefined) | undefined;

  private vifs: Wire[] = [];
  private connections: Wire[] = [];
  private gateways: Wire[] = [];
  private associations: Wire[] = [];
  private readonly routes = new Map<string, Wire[]>();
  private readonly misbehaviour: Misbehaviour[] = [];
  private delays: number[] = [];
  /** nextToken → where the listing it continues resumes. */
  private readonly pageTokens = new Map<string, { readonly listing: string; readonly offset: number }>();
  private readonly verifier: SigV4Verifier;
  private readonly keys: Readonly<Record<string, FakeKey>>;
  private readonly sockets = new Set<Socket>();
  private readonly pendingTimers = new Set<NodeJS.Timeout>();

  private constructor(
    private readonly server: Server,
    readonly url: string,
    options: FakeDirectConnectOptions,
  ) {
    this.pageSize = options.pageSize ?? AWS_MAX_RESULTS;
    this.keys = options.keys ?? { [FAKE_KEY_ID]: { secret: FAKE_SECRET } };
    this.verifier = new SigV4Verifier({
      region: options.region ?? FAKE_REGION,
      service: 'directconnect',
      // AWS refuses requests more than 5 minutes from its clock (IAM User Guide, "Signature Version 4").
      clockSkewMs: 5 * 60_000,
      keys: new Map(Object.entries(this.keys).map(([id, key]) => [id, new Secret(key.secret)])),
    });
  }

  /** Starts listening on 127.0.0.1 (a free port); `close()` (or the test's teardown) stops it. */
  static async start(options: FakeDirectConnectOptions = {}): Promise<FakeDirectConnect> {
    const tls = options.tls;
    const server: Server =
      tls === undefined
        ? createHttpServer()
        : createHttpsServer({
            cert: tls.cert,
            key: tls.key,
            ...(tls.minVersion === undefined ? {} : { minVersion: tls.minVersion }),
            ...(tls.maxVersion === undefined ? {} : { maxVersion: tls.maxVersion }),
            ...(tls.ciphers === undefined ? {} : { ciphers: tls.ciphers }),
          });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const fake = new FakeDirectConnect(server, `${tls === undefined ? 'http' : 'https'}://127.0.0.1:${port}`, options);
    server.on('connection', (socket: Socket) => {
      fake.sockets.add(socket);
      socket.on('close', () => fake.sockets.delete(socket));
    });
    server.on('request', (req: IncomingMessage, res: ServerResponse) => fake.receive(req, res));
    return fake;
  }

  get requestCount(): number {
    return this.requests.length;
  }

  /** The recorded requests of one operation. */
  requestsFor(operation: string): RecordedRequest[] {
    return this.requests.filter((r) => r.operation === operation);
  }

  setVifs(vifs: readonly Wire[]): void {
    this.vifs = [...vifs];
  }

  setConnections(connections: readonly Wire[]): void {
    this.connections = [...connections];
  }

  setGateways(gateways: readonly Wire[]): void {
    this.gateways = [...gateways];
  }

  setAssociations(associations: readonly Wire[]): void {
    this.associations = [...associations];
  }

  /** The routes ListVirtualInterfaceRoutes lists for `vifId`, in the wire shape (`cidr`, `routeDirection`, …). */
  setRoutes(vifId: string, routes: readonly unknown[]): void {
    this.routes.set(vifId, [...routes] as Wire[]);
  }

  /** Serves every file of test/fixtures/aws: the describe-*.json answers and list-virtual-interface-routes-<vif>.json. */
  loadFixtures(): void {
    this.setVifs(arrayIn(readFixture('describe-virtual-interfaces.json'), 'virtualInterfaces'));
    this.setConnections(arrayIn(readFixture('describe-connections.json'), 'connections'));
    this.setGateways(arrayIn(readFixture('describe-direct-connect-gateways.json'), 'directConnectGateways'));
    this.setAssociations(arrayIn(readFixture('describe-direct-connect-gateway-associations.json'), 'directConnectGatewayAssociations'));
    for (const file of readdirSync(FIXTURES_DIR)) {
      const match = /^list-virtual-interface-routes-(.+)\.json$/.exec(file);
      if (match) this.setRoutes(match[1]!, arrayIn(readFixture(file), 'routes'));
    }
  }

  /** The next `n` verified requests get 400 ThrottlingException "Rate exceeded". */
  throttleNext(n: number): void {
    for (let i = 0; i < n; i++) this.misbehaviour.push({ kind: 'throttle' });
  }

  /** The next `n` verified requests get 503 ServiceUnavailableException, with Retry-After if given. */
  unavailableNext(n: number, retryAfterSeconds?: number): void {
    for (let i = 0; i < n; i++) this.misbehaviour.push(retryAfterSeconds === undefined ? { kind: 'unavailable' } : { kind: 'unavailable', retryAfterSeconds });
  }

  /** The next `n` requests are answered after `ms` (or never, if the fake closes first). */
  delayNext(n: number, ms: number): void {
    for (let i = 0; i < n; i++) this.delays.push(ms);
  }

  async close(): Promise<void> {
    for (const timer of this.pendingTimers) clearTimeout(timer);
    this.pendingTimers.clear();
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  // --- one request ---------------------------------------------------------

  private receive(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const target = headerText(req.headers['x-amz-target']);
      const recorded: RecordedRequest = {
        operation: target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : target,
        body: parseBody(raw),
        headers: req.headers,
        status: 0,
        signatureRefusal: undefined,
      };
      this.requests.push(recorded);
      const reply = this.answer(req, raw, recorded);
      recorded.status = reply.status;
      const ms = this.delays.shift();
      const send = (): void => {
        res.writeHead(reply.status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-RequestId': randomUUID(), ...reply.headers });
        res.end(reply.body);
      };
      if (ms === undefined) {
        send();
      } else {
        const timer = setTimeout(() => {
          this.pendingTimers.delete(timer);
          if (!res.destroyed) send();
        }, ms);
        this.pendingTimers.add(timer);
      }
    });
  }

  private answer(req: IncomingMessage, raw: Buffer, recorded: RecordedRequest): FakeReply {
    const refusal = this.authenticate(req, raw);
    if (refusal !== undefined) {
      recorded.signatureRefusal = refusal.message;
      return refusal.reply;
    }
    const override = this.override?.(recorded);
    if (override !== undefined) return override;
    const misbehaviour = this.misbehaviour.shift();
    if (misbehaviour?.kind === 'throttle') return awsError(400, 'ThrottlingException', 'Rate exceeded');
    if (misbehaviour?.kind === 'unavailable') {
      const reply = awsError(503, 'ServiceUnavailableException', 'Service Unavailable');
      return misbehaviour.retryAfterSeconds === undefined ? reply : { ...reply, headers: { 'retry-after': String(misbehaviour.retryAfterSeconds) } };
    }
    const input = recorded.body;
    switch (recorded.operation) {
      case 'DescribeVirtualInterfaces':
        return this.page(recorded.operation, input, 'virtualInterfaces', this.vifs.filter((v) => matches(v, input, 'virtualInterfaceId') && matches(v, input, 'connectionId')));
      case 'DescribeConnections':
        return this.page(recorded.operation, input, 'connections', this.connections.filter((c) => matches(c, input, 'connectionId')));
      case 'DescribeDirectConnectGateways':
        return this.page(recorded.operation, input, 'directConnectGateways', this.gateways.filter((g) => matches(g, input, 'directConnectGatewayId')));
      case 'DescribeDirectConnectGatewayAssociations':
        return this.page(
          recorded.operation,
          input,
          'directConnectGatewayAssociations',
          this.associations.filter((a) => matches(a, input, 'directConnectGatewayId') && matches(a, input, 'associationId')),
        );
      case 'ListVirtualInterfaceRoutes':
        return this.listRoutes(input);
      default:
        return awsError(400, 'UnknownOperationException', `unknown operation ${JSON.stringify(headerText(req.headers['x-amz-target']))}`);
    }
  }

  private authenticate(req: IncomingMessage, raw: Buffer): { readonly message: string; readonly reply: FakeReply } | undefined {
    const result = this.verifier.verify({ method: req.method ?? '', url: req.url ?? '', rawHeaders: req.rawHeaders, body: raw });
    if (!result.ok) {
      if (result.reason === 'unknown access key id') {
        return { message: result.reason, reply: awsError(403, 'UnrecognizedClientException', 'The security token included in the request is invalid.') };
      }
      const message = 'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';
      return { message: result.reason, reply: awsError(403, 'InvalidSignatureException', message) };
    }
    const expectedToken = this.keys[result.keyId]?.sessionToken;
    if (expectedToken === undefined) return undefined;
    const auth = parseSigV4Authorization(headerText(req.headers.authorization));
    const signed = typeof auth !== 'string' && auth.signedHeaders.includes('x-amz-security-token');
    if (headerText(req.headers['x-amz-security-token']) !== expectedToken || !signed) {
      const reason = signed ? 'wrong session token' : 'session token missing or not signed';
      return { message: reason, reply: awsError(403, 'UnrecognizedClientException', 'The security token included in the request is invalid.') };
    }
    return undefined;
  }

  private listRoutes(input: Wire): FakeReply {
    const vifId = input.virtualInterfaceId;
    if (typeof vifId !== 'string') return awsError(400, 'DirectConnectClientException', 'virtualInterfaceId is required');
    const routes = this.routes.get(vifId);
    if (routes === undefined) return awsError(400, 'DirectConnectClientException', `Virtual interface ${vifId} does not exist`);
    const filters = (typeof input.filters === 'object' && input.filters !== null ? input.filters : {}) as Wire;
    const cidrs = Array.isArray(filters.cidrs) ? filters.cidrs : undefined;
    if (cidrs !== undefined && cidrs.length > 10) return awsError(400, 'DirectConnectClientException', 'At most 10 cidrs may be given');
    const communities = Array.isArray(filters.communities) ? filters.communities : undefined;
    const selected = routes.filter(
      (r) =>
        (filters.routeDirection === undefined || r.routeDirection === filters.routeDirection) &&
        (filters.addressFamily === undefined || r.addressFamily === filters.addressFamily) &&
        (cidrs === undefined || cidrs.includes(r.cidr)) &&
        (communities === undefined || communities.every((c) => Array.isArray(r.communities) && r.communities.includes(c))),
    );
    const reply = this.page('ListVirtualInterfaceRoutes', input, 'routes', selected);
    if (reply.status !== 200) return reply;
    return { ...reply, body: JSON.stringify({ virtualInterfaceId: vifId, ...(JSON.parse(reply.body) as Wire) }) };
  }

  /** One page of `items` under `member`, continuing from the request's nextToken. */
  private page(operation: string, input: Wire, member: string, items: readonly unknown[]): FakeReply {
    const listing = `${operation} ${JSON.stringify({ ...input, nextToken: undefined, maxResults: undefined })}`;
    let offset = 0;
    if (input.nextToken !== undefined) {
      const token = typeof input.nextToken === 'string' ? this.pageTokens.get(input.nextToken) : undefined;
      if (token === undefined || token.listing !== listing) return awsError(400, 'DirectConnectClientException', 'The nextToken is invalid');
      offset = token.offset;
    }
    const requested = typeof input.maxResults === 'number' && input.maxResults > 0 ? input.maxResults : AWS_MAX_RESULTS;
    const size = Math.min(requested, AWS_MAX_RESULTS, this.pageSize);
    const body: Wire = { [member]: items.slice(offset, offset + size) };
    if (offset + size < items.length) {
      const nextToken = randomUUID().replaceAll('-', '');
      this.pageTokens.set(nextToken, { listing, offset: offset + size });
      body.nextToken = nextToken;
    }
    return { status: 200, body: JSON.stringify(body) };
  }
}

/** An error the way AWS JSON 1.1 sends one: the code in `__type`, the text in `message`. */
export function awsError(status: number, type: string, message: string): FakeReply {
  return { status, body: JSON.stringify({ __type: type, message }) };
}

export function readFixture(file: string): Wire {
  return JSON.parse(readFileSync(new URL(file, FIXTURES_DIR), 'utf8')) as Wire;
}

function arrayIn(json: Wire, member: string): Wire[] {
  const value = json[member];
  if (!Array.isArray(value)) throw new Error(`fixture has no ${member} array`);
  return value as Wire[];
}

function matches(item: Wire, input: Wire, member: string): boolean {
  return input[member] === undefined || item[member] === input[member];
}

function parseBody(raw: Buffer): Wire {
  try {
    const value: unknown = JSON.parse(raw.toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Wire) : {};
  } catch {
    return {};
  }
}

function headerText(value: string | string[] | undefined): string {
  return Array.isArray(value) ? (value[0] ?? '') : (value ?? '');
}

/**
 * Makes the standard credential chain of this test process find the fake's
 * key in the environment and nothing else: no session token, no profile,
 * no instance metadata lookup.
 */
export function useFakeCredentials(): void {
  process.env.AWS_ACCESS_KEY_ID = FAKE_KEY_ID;
  process.env.AWS_SECRET_ACCESS_KEY = FAKE_SECRET;
  delete process.env.AWS_SESSION_TOKEN;
  delete process.env.AWS_PROFILE;
  process.env.AWS_EC2_METADATA_DISABLED = 'true';
}
