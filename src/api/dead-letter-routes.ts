import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { IngestGateway } from './app-deps.js';
import { errorResponses } from './problem.js';
import { deadLetterListSchema, jobIdParam } from './schemas.js';

/** Batches that could not be applied, with their reason, and a way to replay them. */
export const deadLetterRoutes: FastifyPluginAsyncZod<{ ingest: IngestGateway }> = async (
  app,
  { ingest },
) => {
  app.get(
    '/v1/dead-letters',
    {
      config: { scope: 'events:write' },
      schema: {
        tags: ['ingest'],
        summary: 'Dead-lettered batches, with their reason',
        querystring: z.object({
          // A pattern rather than a coerced number: coercion reads an empty value as 0.
          offset: z
            .string()
            .regex(/^\d{1,9}$/, 'a whole number from 0')
            .transform(Number)
            .default(0),
          limit: z.coerce.number().int().min(1).max(500).default(50),
        }),
        response: { 200: deadLetterListSchema, ...errorResponses },
      },
    },
    async (request) => ingest.listDeadLetters(request.query.offset, request.query.limit),
  );

  app.post(
    '/v1/dead-letters/:id/retry',
    {
      config: { scope: 'events:write' },
      schema: {
        tags: ['ingest'],
        summary: 'Replay a dead-lettered batch',
        params: z.object({ id: jobIdParam }),
        response: { 202: z.object({ jobId: z.string() }), ...errorResponses },
      },
    },
    async (request, reply) => reply.code(202).send(await ingest.retryDeadLetter(request.params.id)),
  );
};
