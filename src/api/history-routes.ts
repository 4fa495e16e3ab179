import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ForbiddenError, ValidationError } from '../errors.js';
import type { HistoryService } from '../history/history-service.js';
import { historyPageSchema, personAtSchema } from './history-schemas.js';
import { errorResponses } from './problem.js';

/** A person's history and the person as it was at a time, for data teams. */
export const historyRoutes: FastifyPluginAsyncZod<{
  history: Pick<HistoryService, 'page' | 'at'>;
}> = async (app, { history }) => {
  app.get(
    '/v1/persons/:id/history',
    {
      config: { scope: 'audit:read' },
      schema: {
        tags: ['audit'],
        summary: 'How a person came to be, oldest first; or, with `at`, the person as it was then',
        description:
          'Items: `created`, `identifier_joined` (per link), and every audit record concerning the person or a person merged into it (merges, refusals, splits, withdrawals, review decisions, manual operations, privacy actions), in pages following `next`. A merged id answers with its survivor and a `Location` header. With `at` (needs `persons:read` too: it answers identifier values): the identifiers and active links the person had then (docs/api.md).',
        params: z.object({
          id: z
            .string()
            .regex(/^[A-Za-z0-9_-]{1,64}$/)
            .describe('A person id'),
        }),
        querystring: z.object({
          cursor: z.string().max(512).optional().describe('`next` of the page before'),
          limit: z.coerce.number().int().min(1).max(1000).default(100),
          at: z.iso
            .datetime({ offset: true })
            .optional()
            .describe('ISO 8601 time: answer the person as it was then'),
        }),
        response: { 200: z.union([historyPageSchema, personAtSchema]), ...errorResponses },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      const { at, cursor, limit } = request.query;
      if (at !== undefined) {
        if (cursor !== undefined)
          throw new ValidationError('`at` and `cursor` cannot be combined', [
            { path: '$.querystring.cursor', message: 'not allowed with at' },
          ]);
        // The state then names identifier values: personal data, as GET /v1/persons/{id} does.
        if (!request.apiKey?.scopes.includes('persons:read'))
          throw new ForbiddenError('persons:read');
        return history.at(id, new Date(at));
      }
      const page = await history.page(id, { cursor, limit });
      if (page.personId !== page.requestedId)
        reply.header('location', `/v1/persons/${page.personId}/history`);
      return page;
    },
  );
};
