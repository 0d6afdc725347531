/**
 * One attempt of a Direct Connect operation through the AWS SDK for
 * JavaScript v3, with rovd's timeout, and the SDK's errors as AwsApiError.
 *
 * The SDK client is built with maxAttempts 1: rovd's own retry loop
 * (request-budget.ts) wraps every attempt, so each attempt takes one token
 * and a throttled call is counted once, not once by the SDK and again by
 * rovd. Its HTTP handler uses rovd's agents (TLS 1.2 at least, keep-alive,
 * the optional extra CA).
 *
 * SDK errors (AWS SDK for JavaScript v3 Developer Guide, "Error
 * handling"): a service error has `name` = AWS's error code and
 * `$metadata.httpStatusCode` / `$metadata.requestId`; a transport error
 * has no HTTP status, and a timeout is named `TimeoutError`; an answer the
 * SDK could not parse has `$metadata` but a JavaScript error name
 * (`SyntaxError`).
 */
import { DirectConnectClient as SdkDirectConnectClient } from '@aws-sdk/client-direct-connect';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import type { Agent as HttpAgent } from 'node:http';
import type { Agent as HttpsAgent } from 'node:https';
import { parseRetryAfter } from '../alerts/sinks/retry-after.js';
import { AwsApiError, LOCAL_ERROR_CODES, malformedResponse, shortErrorCode, timeoutError, transportError } from './aws-api-error.js';

export interface SdkClientOptions {
  readonly region: string;
  readonly credentials: AwsCredentialIdentityProvider;
  readonly endpoint?: string;
  readonly agents: { readonly http: HttpAgent; readonly https: HttpsAgent };
}

export function makeSdkClient(options: SdkClientOptions): SdkDirectConnectClient {
  return new SdkDirectConnectClient({
    region: options.region,
    credentials: options.credentials,
    ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
    maxAttempts: 1,
    requestHandler: new NodeHttpHandler({ httpAgent: options.agents.http, httpsAgent: options.agents.https }),
  });
}

/** The part of an SDK error rovd reads. */
interface SdkErrorShape {
  readonly name?: unknown;
  readonly message?: unknown;
  readonly code?: unknown;
  readonly $metadata?: { readonly httpStatusCode?: unknown; readonly requestId?: unknown };
  readonly $response?: { readonly headers?: Readonly<Record<string, string | undefined>> };
}

/**
 * Runs `send` (an SDK `client.send(command, { abortSignal })`) once; it is
 * aborted after `timeoutMs` or when `signal` aborts (the client closing).
 */
export async function sdkAttempt<T>(operation: string, timeoutMs: number, signal: AbortSignal | undefined, send: (abortSignal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  let timedOut = false;
  let timer: NodeJS.Timeout | undefined;
  // The SDK stops listening to the signal once headers arrive; the race also bounds reading the body.
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
      reject(timeoutError(operation, timeoutMs));
    }, timeoutMs);
  });
  const onClose = (): void => controller.abort();
  signal?.addEventListener('abort', onClose, { once: true });
  try {
    return await Promise.race([send(controller.signal), deadline]);
  } catch (err) {
    if (timedOut) throw timeoutError(operation, timeoutMs);
    throw fromSdkError(operation, err);
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onClose);
  }
}

export function fromSdkError(operation: string, err: unknown): AwsApiError {
  if (err instanceof AwsApiError) return err;
  const shape = (typeof err === 'object' && err !== null ? err : {}) as SdkErrorShape;
  const status = typeof shape.$metadata?.httpStatusCode === 'number' ? shape.$metadata.httpStatusCode : undefined;
  const requestId = typeof shape.$metadata?.requestId === 'string' ? shape.$metadata.requestId : undefined;
  const name = typeof shape.name === 'string' ? shape.name : 'Error';
  const message = typeof shape.message === 'string' ? shape.message : String(err);
  if (status === undefined) {
    if (name === 'TimeoutError' && shape.code !== 'ECONNRESET' && shape.code !== 'EPIPE') {
      return new AwsApiError({ operation, code: LOCAL_ERROR_CODES.timeout, httpStatus: undefined, requestId: undefined, detail: message });
    }
    return transportError(operation, err);
  }
  if (status >= 200 && status <= 299) return malformedResponse(operation, requestId, `the SDK could not read the answer: ${message}`, status);
  const retryAfterMs = parseRetryAfter(shape.$response?.headers?.['retry-after'], Date.now());
  return new AwsApiError({
    operation,
    code: shortErrorCode(name),
    httpStatus: status,
    requestId,
    detail: message,
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
  });
}
