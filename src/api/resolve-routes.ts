import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { PersonService } from '../persons/person-service.js';
import { errorResponses } from './problem.js';
import { resolveRequestSchema, resolveResponseSchema } from './schemas.js';

/** "Which person is this identifier?", in batches of up to 1000, answered in request order. */
export const resolveRoutes: FastifyPluginAsyncZod<{ persons: Pick<PersonService, 'resolveMany'> }> = async (app, { persons }) => {
  app.post(
    '/v1/resolve',
    {
      schema: {
        tags: ['resolve'],
        summary: 'Resolve identifiers to person ids',
        description:
          'Values are normalised exactly as ingestion does. An invalid, blocked or unknown value answers `personId: null` with a `reason`; it never fails the batch.',
        body: resolveRequestSchema,
        response: { 200: resolveResponseSchema, ...errorResponses },
      },
    },
    async (request) => ({ results: await persons.resolveMany(request.body.identifiers) }),
  );
};
