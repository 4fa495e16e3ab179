import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { ValidationError } from '../errors.js';

/**
 * Consistency tokens: read-your-writes across stateless API processes and read replicas.
 *
 * `POST /v1/events?wait=true` answers with an `x-idgraph-consistency` header: the Neo4j bookmarks of
 * the transaction that applied the batch, encoded. A client that passes the header back on a read
 * gets an answer that includes that write, whichever API process or read replica serves it.
 */

export const CONSISTENCY_HEADER = 'x-idgraph-consistency';

const bookmarksSchema = z.array(z.string().max(1000)).max(50);

export function encodeConsistency(bookmarks: readonly string[]): string {
  return Buffer.from(JSON.stringify(bookmarks)).toString('base64url');
}

export function setConsistency(
  reply: FastifyReply,
  bookmarks: readonly string[] | undefined,
): void {
  if (bookmarks && bookmarks.length > 0)
    reply.header(CONSISTENCY_HEADER, encodeConsistency(bookmarks));
}

/** The bookmarks a request carries, if any; a malformed token is a 400, never silently ignored. */
export function consistencyOf(request: FastifyRequest): { bookmarks?: string[] } {
  const token = request.headers[CONSISTENCY_HEADER];
  if (token === undefined) return {};
  try {
    const parsed = bookmarksSchema.parse(
      JSON.parse(Buffer.from(String(token), 'base64url').toString('utf8')),
    );
    return parsed.length > 0 ? { bookmarks: parsed } : {};
  } catch {
    throw new ValidationError('invalid consistency token', [
      { path: `$.headers.${CONSISTENCY_HEADER}`, message: 'not a token idgraph issued' },
    ]);
  }
}
