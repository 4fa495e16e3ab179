import { Neo4jError, isRetryableError } from 'neo4j-driver';
import { ServiceUnavailableError } from '../errors.js';

/**
 * The one place Neo4j errors are translated, by code and retryability, and by message text only
 * where the driver gives no code (its pool's acquisition timeout).
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

/**
 * The driver's pool found no free connection in time: Neo4j is slow or every connection is busy, the
 * same answer for the caller as Neo4j being away. The driver raises it without a code ('N/A').
 */
function isAcquisitionTimeout(error: Neo4jError): boolean {
  return error.code === 'N/A' && error.message.startsWith('Connection acquisition timed out');
}

export function isGraphUnavailable(error: unknown): boolean {
  return (
    error instanceof Neo4jError && (unavailableCodes.has(error.code) || isAcquisitionTimeout(error))
  );
}

/** Maps driver errors to application errors; anything unknown passes through untouched. */
export function translateGraphError(error: unknown): unknown {
  if (isGraphUnavailable(error)) return new ServiceUnavailableError('neo4j', error);
  return error;
}

export function graphErrorCode(error: unknown): string | undefined {
  return error instanceof Neo4jError ? error.code : undefined;
}
