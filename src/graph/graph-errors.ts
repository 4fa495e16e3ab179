import { Neo4jError, isRetryableError } from 'neo4j-driver';
import { ServiceUnavailableError } from '../errors.js';

/**
 * The one place Neo4j errors are translated, by code and retryability, never by message text.
 */

const unavailableCodes = new Set([
  'ServiceUnavailable',
  'SessionExpired',
  'Neo.ClientError.Security.AuthenticationRateLimit',
]);

/** True for errors a managed transaction would retry: deadlocks, lock timeouts, leader switches. */
export function isTransientGraphError(error: unknown): boolean {
  return error instanceof Neo4jError && isRetryableError(error);
}

export function isGraphUnavailable(error: unknown): boolean {
  return error instanceof Neo4jError && unavailableCodes.has(error.code);
}

/** Maps driver errors to application errors; anything unknown passes through untouched. */
export function translateGraphError(error: unknown): unknown {
  if (isGraphUnavailable(error)) return new ServiceUnavailableError('neo4j', error);
  return error;
}

export function graphErrorCode(error: unknown): string | undefined {
  return error instanceof Neo4jError ? error.code : undefined;
}
