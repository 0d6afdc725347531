/**
 * One AWS JSON 1.1 request to Direct Connect, signed with SigV4, for the
 * operation the npm SDK release does not have (ListVirtualInterfaceRoutes).
 *
 * The protocol (Smithy, "AWS JSON 1.1 protocol"; Direct Connect API
 * Reference, "Making API requests"):
 *
 *   POST / HTTP/1.1
 *   Host: directconnect.<region>.amazonaws.com        (.amazonaws.com.cn in China)
 *   Content-Type: application/x-amz-json-1.1
 *   X-Amz-Target: OvertureService.<Operation>
 *   X-Amz-Date, Authorization (SigV4, service "directconnect"), X-Amz-Security-Token
 *
 *   {request members as JSON}
 *
 * A 2xx answer is the output as a JSON object. Anything else is an error
 * whose code is in the `x-amzn-ErrorType` header or the body's `__type`
 * (either may carry a namespace before `#` or a suffix after `:`), with
 * `message` in the body and `x-amzn-RequestId` in the headers.
 *
 * One attempt only: retries, and the token each takes, are the caller's
 * (request-budget.ts). Every attempt ends within `timeoutMs`, connection,
 * TLS handshake, request and the whole response included.
 */
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import { Agent as HttpAgent, type IncomingHttpHeaders, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { rootCertificates } from 'node:tls';
import { parseRetryAfter } from '../alerts/sinks/retry-after.js';
import { AwsApiError, malformedResponse, shortErrorCode, timeoutError, transportError } from './aws-api-error.js';

export const DIRECT_CONNECT_SIGNING_SERVICE = 'directconnect';
/** The Smithy service name Direct Connect's X-Amz-Target carries. */
export const DIRECT_CONNECT_TARGET_PREFIX = 'OvertureService';
export const JSON_1_1_CONTENT_TYPE = 'application/x-amz-json-1.1';

/** Larger than any page Direct Connect sends (100 routes); a longer answer is refused, not buffered. */
const MAX_RESPONSE_BYTES = 8 * 1024 * 1024;

/** AWS General Reference, "Direct Connect endpoints": China regions are under amazonaws.com.cn. */
export function directConnectEndpoint(region: string): string {
  const domain = region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com';
  return `https://directconnect.${region}.${domain}`;
}

/** The agents rovd talks to AWS with: keep-alive, TLS 1.2 at least, AWS's CAs plus an optional extra one. */
export function makeAgents(ca: string | Buffer | undefined): { readonly http: HttpAgent; readonly https: HttpsAgent } {
  return {
    http: new HttpAgent({ keepAlive: true }),
    https: new HttpsAgent({
      keepAlive: true,
      minVersion: 'TLSv1.2',
      // `ca` replaces Node's bundled roots; keep them so an extra CA adds rather than narrows.
      ...(ca === undefined ? {} : { ca: [...rootCertificates, typeof ca === 'string' ? ca : ca.toString('utf8')] }),
    }),
  };
}

export interface JsonProtocolOptions {
  readonly region: string;
  /** Should cache (credentials.ts does): it is asked once per request. */
  readonly credentials: AwsCredentialIdentityProvider;
  /** Overrides the regional endpoint (`http://` is allowed, for tests on loopback). */
  readonly endpoint?: string;
  readonly timeoutMs: number;
  readonly agents: { readonly http: HttpAgent; readonly https: HttpsAgent };
}

export interface JsonResponse {
  /** The output, a JSON object (checked member by member by the caller). */
  readonly body: Record<string, unknown>;
  readonly requestId: string | undefined;
}

interface RawResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

export class AwsJsonClient {
  private readonly url: URL;
  private readonly signer: SignatureV4;

  constructor(private readonly options: JsonProtocolOptions) {
    this.url = new URL(options.endpoint ?? directConnectEndpoint(options.region));
    if (this.url.protocol !== 'https:' && this.url.protocol !== 'http:') {
      throw new TypeError(`endpoint ${options.endpoint} must be an http:// or https:// URL`);
    }
    this.signer = new SignatureV4({
      service: DIRECT_CONNECT_SIGNING_SERVICE,
      region: options.region,
      credentials: options.credentials,
      sha256: Sha256,
    });
  }

  /** Sends `operation` with `input` once; the output, or an AwsApiError. */
  async call(operation: string, input: object, signal?: AbortSignal): Promise<JsonResponse> {
    const body = JSON.stringify(input);
    const signed = await this.signer.sign({
      method: 'POST',
      protocol: this.url.protocol,
      hostname: this.url.hostname,
      port: this.url.port === '' ? undefined : Number(this.url.port),
      path: this.url.pathname,
      query: {},
      headers: {
        host: this.url.host,
        'content-type': JSON_1_1_CONTENT_TYPE,
        'content-length': String(Buffer.byteLength(body)),
        'x-amz-target': `${DIRECT_CONNECT_TARGET_PREFIX}.${operation}`,
      },
      body,
    });
    const response = await this.send(operation, signed.headers, body, signal);
    const requestId = headerValue(response.headers, 'x-amzn-requestid');
    if (response.status < 200 || response.status > 299) throw errorOf(operation, response, requestId);
    const text = response.body.toString('utf8');
    let parsed: unknown = {};
    if (text.trim() !== '') {
      try {
        parsed = JSON.parse(text);
      } catch {
        throw malformedResponse(operation, requestId, 'the response body is not JSON', response.status);
      }
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw malformedResponse(operation, requestId, 'the response body is not a JSON object', response.status);
    }
    return { body: parsed as Record<string, unknown>, requestId };
  }

  private send(operation: string, headers: Record<string, string>, body: string, signal: AbortSignal | undefined): Promise<RawResponse> {
    const { timeoutMs, agents } = this.options;
    const https = this.url.protocol === 'https:';
    return new Promise<RawResponse>((resolve, reject) => {
      let settled = false;
      const settle = (outcome: RawResponse | AwsApiError): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        if (outcome instanceof AwsApiError) reject(outcome);
        else resolve(outcome);
      };
      const request = (https ? httpsRequest : httpRequest)(
        {
          // URL keeps the brackets of an IPv6 literal; a socket address has none.
          host: this.url.hostname.replace(/^\[(.*)\]$/, '$1'),
          port: this.url.port === '' ? undefined : Number(this.url.port),
          path: this.url.pathname,
          method: 'POST',
          headers,
          agent: https ? agents.https : agents.http,
        },
        (response) => {
          const chunks: Buffer[] = [];
          let size = 0;
          response.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > MAX_RESPONSE_BYTES) {
              settle(malformedResponse(operation, headerValue(response.headers, 'x-amzn-requestid'), `response longer than ${MAX_RESPONSE_BYTES} bytes`, response.statusCode));
              request.destroy();
              return;
            }
            chunks.push(chunk);
          });
          response.on('end', () => settle({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) }));
          response.on('error', (err) => settle(transportError(operation, err)));
        },
      );
      const timer = setTimeout(() => {
        settle(timeoutError(operation, timeoutMs));
        request.destroy();
      }, timeoutMs);
      const onAbort = (): void => {
        settle(transportError(operation, new Error('the client was closed')));
        request.destroy();
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      if (signal?.aborted) onAbort();
      request.on('error', (err) => settle(transportError(operation, err)));
      request.end(body);
    });
  }
}

function errorOf(operation: string, response: RawResponse, requestId: string | undefined): AwsApiError {
  let parsed: Record<string, unknown> = {};
  try {
    const value: unknown = JSON.parse(response.body.toString('utf8'));
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) parsed = value as Record<string, unknown>;
  } catch {
    // A proxy's HTML error page: the status still says what happened.
  }
  const typeHeader = headerValue(response.headers, 'x-amzn-errortype');
  const rawType = typeHeader ?? stringMember(parsed, '__type') ?? stringMember(parsed, 'code');
  const code = rawType === undefined || shortErrorCode(rawType) === '' ? 'UnknownError' : shortErrorCode(rawType);
  const message = stringMember(parsed, 'message') ?? stringMember(parsed, 'Message') ?? `HTTP ${response.status} without an AWS error body`;
  const retryAfterMs = parseRetryAfter(headerValue(response.headers, 'retry-after'), Date.now());
  return new AwsApiError({ operation, code, httpStatus: response.status, requestId, detail: message, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) });
}

function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function stringMember(object: Record<string, unknown>, key: string): string | undefined {
  const value = object[key];
  return typeof value === 'string' ? value : undefined;
}
