import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  hasZodFastifySchemaValidationErrors,
  isResponseSerializationError,
} from 'fastify-type-provider-zod';
import {
  AppError,
  DEFAULT_RETRY_AFTER_SECONDS,
  InvalidIdentifierError,
  RateLimitedError,
  ServiceUnavailableError,
  UnauthorizedError,
  ValidationError,
} from '../errors.js';
import { safeError } from '../logger.js';
import { type Problem, PROBLEM_CONTENT_TYPE, problemType } from './problem.js';

/**
 * The single mapping from errors to HTTP. Services throw typed errors; everything unknown is a 500
 * that says nothing about internals. Validation problems name the JSON path of each bad field but
 * never echo the offending value.
 */

const titles: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  408: 'Request Timeout',
  409: 'Conflict',
  410: 'Gone',
  413: 'Content Too Large',
  414: 'URI Too Long',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** Fastify's own 4xx errors, by code, with the stable code we expose. */
const fastifyCodes: Record<string, { status: number; code: string; detail: string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: {
    status: 413,
    code: 'BODY_TOO_LARGE',
    detail: 'request body is larger than allowed',
  },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    status: 415,
    code: 'UNSUPPORTED_MEDIA_TYPE',
    detail: 'send application/json',
  },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: {
    status: 400,
    code: 'INVALID_CONTENT_LENGTH',
    detail: 'content-length does not match the body',
  },
  FST_ERR_CTP_EMPTY_JSON_BODY: {
    status: 400,
    code: 'INVALID_JSON',
    detail: 'the JSON body is empty',
  },
  FST_ERR_CTP_INVALID_JSON_BODY: {
    status: 400,
    code: 'INVALID_JSON',
    detail: 'the body is not valid JSON',
  },
};

export function sendProblem(
  reply: FastifyReply,
  request: FastifyRequest,
  status: number,
  code: string,
  detail?: string,
  errors?: Problem['errors'],
): FastifyReply {
  const problem: Problem = {
    type: problemType(code),
    title: titles[status] ?? 'Error',
    status,
    code,
    requestId: request.id,
    ...(detail ? { detail } : {}),
    ...(errors ? { errors } : {}),
  };
  // Every 503 tells the client when to try again, whichever path produced it.
  if (status === 503 && !reply.hasHeader('retry-after'))
    reply.header('retry-after', String(DEFAULT_RETRY_AFTER_SECONDS));
  return reply.code(status).type(PROBLEM_CONTENT_TYPE).send(problem);
}

const jsonPath = (path: readonly PropertyKey[]) =>
  '$' + path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('');

export function registerErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (hasZodFastifySchemaValidationErrors(error)) {
      const where = error.validationContext ?? 'body';
      const errors = error.validation.map((v) => ({
        path: jsonPath([
          where,
          ...(v.instancePath
            ? v.instancePath
                .split('/')
                .filter(Boolean)
                .map((s) => (/^\d+$/.test(s) ? Number(s) : s))
            : []),
        ]),
        message: v.message ?? 'invalid',
      }));
      return sendProblem(
        reply,
        request,
        400,
        'VALIDATION_FAILED',
        `invalid request ${where}`,
        errors,
      );
    }
    if (error instanceof ValidationError || error instanceof InvalidIdentifierError)
      return sendProblem(reply, request, 400, error.code, error.message, [...error.errors]);
    if (error instanceof AppError) {
      if (error.statusCode >= 500)
        request.log.warn({ err: safeError(error.cause ?? error) }, 'dependency failure');
      if (error instanceof ServiceUnavailableError)
        reply.header('retry-after', String(error.retryAfterSeconds));
      if (error instanceof RateLimitedError)
        reply.header('retry-after', String(error.retryAfterSeconds));
      if (error instanceof UnauthorizedError) reply.header('www-authenticate', 'Bearer');
      return sendProblem(reply, request, error.statusCode, error.code, error.message);
    }
    const known = fastifyCodes[error.code];
    if (known) return sendProblem(reply, request, known.status, known.code, known.detail);
    if (isResponseSerializationError(error)) {
      request.log.error(
        { err: { name: error.name, method: error.method, url: error.url } },
        'response failed its schema',
      );
      return sendProblem(reply, request, 500, 'INTERNAL');
    }
    if (typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500) {
      return sendProblem(
        reply,
        request,
        error.statusCode,
        error.code ?? 'BAD_REQUEST',
        'the request could not be processed',
      );
    }
    // Unknown errors: log the type and stack, never the message's data, and say nothing to the client.
    request.log.error({ err: safeError(error) }, 'unhandled error');
    return sendProblem(reply, request, 500, 'INTERNAL');
  });

  app.setNotFoundHandler((request, reply) =>
    sendProblem(reply, request, 404, 'ROUTE_NOT_FOUND', 'no such route'),
  );
}
