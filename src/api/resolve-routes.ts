import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { IdentifierNotFoundError } from '../errors.js';
import type { PersonService } from '../persons/person-service.js';
import { consistencyOf } from './consistency.js';
import { errorResponses } from './problem.js';
import {
  consistencyHeaders,
  resolveRequestSchema,
  resolveResponseSchema,
  scopeQuerySchema,
  singleResolveSchema,
} from './schemas.js';

/** "Which person is this identifier?" — one at a time, or up to 1000 per call in request order. */
export const resolveRoutes: FastifyPluginAsyncZod<{
  persons: Pick<PersonService, 'resolveMany'>;
}> = async (app, { persons }) => {
  app.get(
    '/v1/resolve',
    {
      config: { scope: 'persons:read' },
      schema: {
        tags: ['resolve'],
        summary: 'Resolve one identifier to its person',
        description:
          'Normalises the value as ingestion does. 404 `IDENTIFIER_NOT_FOUND` when the identifier is unknown, invalid or blocked, or its type is unknown, with the `reason` POST /v1/resolve gives for it (`not_found`, `unknown_type`, `blocked`, `invalid_email`, ...).',
        querystring: z.object({
          type: z.string().min(1).max(40),
          value: z.string().min(1).max(1024),
          ...scopeQuerySchema,
        }),
        headers: consistencyHeaders,
        response: { 200: singleResolveSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { type, value, purpose, minConfidence } = request.query;
      const [result] = await persons.resolveMany(
        [{ type, value }],
        { purpose, minConfidence },
        consistencyOf(request),
      );
      if (!result || result.personId === null) throw new IdentifierNotFoundError(result?.reason);
      return {
        personId: result.personId,
        confidence: result.confidence ?? 1,
        identifier: { type, value },
      };
    },
  );

  app.post(
    '/v1/resolve',
    {
      config: { scope: 'persons:read' },
      schema: {
        tags: ['resolve'],
        summary: 'Resolve identifiers to person ids',
        description:
          'Values are normalised exactly as ingestion does. An invalid, blocked or unknown value answers `personId: null` with a `reason`; it never fails the batch. With `purpose` / `minConfidence` the ids are scoped person ids (docs/api.md).',
        body: resolveRequestSchema,
        headers: consistencyHeaders,
        response: { 200: resolveResponseSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { identifiers, purpose, minConfidence } = request.body;
      return {
        results: await persons.resolveMany(
          identifiers,
          { purpose, minConfidence },
          consistencyOf(request),
        ),
      };
    },
  );
};
