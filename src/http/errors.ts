/**
 * The API's error shape, one for every failure:
 *
 *   { "error": "BadRequest", "message": "querystring/limit must be <= 1000" }
 *
 * `error` is a stable code a script can switch on (AWS's style: BadRequest,
 * NotFound, AccessDenied, TooManyRequests, PayloadTooLarge, Conflict,
 * InternalError); `message` is for people. Schema violations name the
 * part of the request and the field.
 */
import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import type { Logger } from '../log/logger.js';

export type ApiErrorCode = 'BadRequest' | 'NotFound' | 'AccessDenied' | 'Unauthorized' | 'TooManyRequests' | 'PayloadTooLarge' | 'Conflict' | 'UnsupportedMediaType' | 'ServiceUnavailable' | 'InternalError';

export interface ApiErrorBody {
  readonly error: ApiErrorCode;
  readonly message: string;
}

/** Thrown by handlers; the error handler turns it into the shape above. */
export class ApiError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: ApiErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export const badRequest = (message: string): ApiError => new ApiError(400, 'BadRequest', message);
export const notFound = (message: string): ApiError => new ApiError(404, 'NotFound', message);

const CODE_BY_STATUS: Readonly<Record<number, ApiErrorCode>> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'AccessDenied',
  404: 'NotFound',
  409: 'Conflict',
  413: 'PayloadTooLarge',
  415: 'UnsupportedMediaType',
  429: 'TooManyRequests',
  503: 'ServiceUnavailable',
};

export function sendError(reply: FastifyReply, status: number, code: ApiErrorCode, message: string): FastifyReply {
  return reply.code(status).type('application/json; charset=utf-8').send({ error: code, message } satisfies ApiErrorBody);
}

/** Installs the error and not-found handlers. */
export function installErrorHandling(app: FastifyInstance, log: Logger): void {
  app.setErrorHandler((err: FastifyError | ApiError, request, reply) => {
    if (err instanceof ApiError) return sendError(reply, err.statusCode, err.code, err.message);
    if ('validation' in err && err.validation !== undefined) {
      // Fastify's message already names the part and the field: "querystring/limit must be <= 1000".
      return sendError(reply, 400, 'BadRequest', err.message);
    }
    const status = typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    if (status === 500) {
      log.error({ err, method: request.method, url: request.url }, 'http: request failed');
      return sendError(reply, 500, 'InternalError', 'internal error; the log has the details');
    }
    return sendError(reply, status, CODE_BY_STATUS[status] ?? 'BadRequest', err.message);
  });
  app.setNotFoundHandler((request, reply) => sendError(reply, 404, 'NotFound', `no route ${request.method} ${request.url.split('?')[0]}`));
}

/** The JSON schema of the error body, for the OpenAPI document. */
export const ERROR_SCHEMA = {
  type: 'object',
  required: ['error', 'message'],
  properties: { error: { type: 'string' }, message: { type: 'string' } },
} as const;
