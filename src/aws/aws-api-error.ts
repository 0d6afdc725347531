/**
 * How a failed Direct Connect call reaches the rest of rovd: one error type,
 * whether the call went through the AWS SDK or through rovd's own JSON 1.1
 * request (json-protocol.ts).
 *
 * `code` is AWS's error code, the short name of the response's `__type`
 * (AWS JSON 1.1 sends `com.amazonaws.directconnect#ThrottlingException` or
 * just `ThrottlingException`; Direct Connect API Reference, "Common
 * Errors"), or one of rovd's own for what never got an AWS answer:
 * `NetworkError`, `Timeout`, `TlsError`, `MalformedResponse`.
 *
 * Which errors are worth another attempt follows the AWS SDKs' retry
 * guidance (AWS SDKs and Tools Reference Guide, "Retry behavior"):
 * throttling, HTTP 429 and 5xx, and transport failures. A TLS failure
 * (untrusted certificate, protocol version refused) is not transient and
 * is not retried; neither is anything AWS calls a client error.
 */

/** AWS's throttling codes (AWS SDKs and Tools Reference Guide, "Retry behavior", throttling errors). */
const THROTTLING_CODES: ReadonlySet<string> = new Set([
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'SlowDown',
]);

/** rovd's codes for calls that got no usable answer from AWS. */
export const LOCAL_ERROR_CODES = {
  network: 'NetworkError',
  timeout: 'Timeout',
  tls: 'TlsError',
  malformed: 'MalformedResponse',
  /** A listing whose nextToken came back again, or that ran past the page cap. */
  pagination: 'PaginationError',
  closed: 'ClientClosed',
} as const;

export interface AwsApiErrorFields {
  readonly operation: string;
  readonly code: string;
  /** Undefined when no HTTP response arrived. */
  readonly httpStatus: number | undefined;
  /** `x-amzn-RequestId`: what AWS Support asks for. */
  readonly requestId: string | undefined;
  /** AWS's (or the transport's) description. */
  readonly detail: string;
  /** From a Retry-After header: the least time to wait before the next attempt. */
  readonly retryAfterMs?: number;
}

export class AwsApiError extends Error {
  readonly operation: string;
  readonly code: string;
  readonly httpStatus: number | undefined;
  readonly requestId: string | undefined;
  readonly retryable: boolean;
  /** True for throttling (counted apart in the metrics hook). */
  readonly throttled: boolean;
  readonly retryAfterMs: number | undefined;

  constructor(fields: AwsApiErrorFields) {
    const status = fields.httpStatus === undefined ? 'no response' : `HTTP ${fields.httpStatus}`;
    const request = fields.requestId === undefined ? 'no request id' : `request id ${fields.requestId}`;
    super(`Direct Connect ${fields.operation} failed: ${fields.code}: ${fields.detail} (${status}, ${request})`);
    this.name = 'AwsApiError';
    this.operation = fields.operation;
    this.code = fields.code;
    this.httpStatus = fields.httpStatus;
    this.requestId = fields.requestId;
    this.throttled = isThrottling(fields.code, fields.httpStatus);
    this.retryable = isRetryable(fields.code, fields.httpStatus);
    this.retryAfterMs = fields.retryAfterMs;
  }
}

export function isThrottling(code: string, httpStatus: number | undefined): boolean {
  return THROTTLING_CODES.has(code) || httpStatus === 429;
}

export function isRetryable(code: string, httpStatus: number | undefined): boolean {
  if (isThrottling(code, httpStatus)) return true;
  if (code === LOCAL_ERROR_CODES.network || code === LOCAL_ERROR_CODES.timeout) return true;
  return httpStatus !== undefined && httpStatus >= 500 && httpStatus <= 599;
}

/**
 * The short error code from an AWS JSON error: `__type` may carry a
 * namespace (`com.amazonaws.directconnect#ThrottlingException`) and the
 * `x-amzn-ErrorType` header a suffix after `:` (AWS JSON 1.1 protocol,
 * "Operation error serialization"); both are cut off.
 */
export function shortErrorCode(raw: string): string {
  const afterHash = raw.slice(raw.lastIndexOf('#') + 1);
  const colon = afterHash.indexOf(':');
  return (colon >= 0 ? afterHash.slice(0, colon) : afterHash).trim();
}

/**
 * A transport failure (no HTTP response) as an AwsApiError. Node names TLS
 * failures by OpenSSL's codes (`ERR_SSL_…`, `ERR_TLS_…`) or certificate
 * check codes (`CERT_…`, `UNABLE_TO_VERIFY_LEAF_SIGNATURE`, `…SELF_SIGNED…`).
 */
export function transportError(operation: string, err: unknown): AwsApiError {
  const code = typeof (err as { code?: unknown })?.code === 'string' ? (err as { code: string }).code : undefined;
  const detail = err instanceof Error ? err.message : String(err);
  return new AwsApiError({
    operation,
    code: code !== undefined && isTlsFailure(code) ? LOCAL_ERROR_CODES.tls : LOCAL_ERROR_CODES.network,
    httpStatus: undefined,
    requestId: undefined,
    detail: code === undefined ? detail : `${code}: ${detail}`,
  });
}

function isTlsFailure(code: string): boolean {
  return (
    code.startsWith('ERR_SSL_') ||
    code.startsWith('ERR_TLS_') ||
    code.startsWith('CERT_') ||
    code.includes('SELF_SIGNED') ||
    code.startsWith('UNABLE_TO_') ||
    code === 'EPROTO'
  );
}

export function timeoutError(operation: string, timeoutMs: number): AwsApiError {
  return new AwsApiError({
    operation,
    code: LOCAL_ERROR_CODES.timeout,
    httpStatus: undefined,
    requestId: undefined,
    detail: `no complete response within ${timeoutMs} ms`,
  });
}

export function malformedResponse(operation: string, requestId: string | undefined, detail: string, httpStatus = 200): AwsApiError {
  return new AwsApiError({ operation, code: LOCAL_ERROR_CODES.malformed, httpStatus, requestId, detail });
}
