import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ChangeFeed } from '../changes/change-feed.js';
import { errorResponses, problemSchema } from './problem.js';
import { changePageSchema } from './schemas.js';

/** The change feed, for downstream services that cache person ids. */
export const changeRoutes: FastifyPluginAsyncZod<{ changes: Pick<ChangeFeed, 'page'> }> = async (
  app,
  { changes },
) => {
  app.get(
    '/v1/changes',
    {
      config: { scope: 'persons:read' },
      schema: {
        tags: ['persons'],
        summary: 'Changes to persons, in order, from a cursor',
        description:
          'person.created, person.merged, person.split, identifier.moved, person.erased, consent.changed and person.restored entries in the order they were committed, each with the cursor that resumes after it. Without `after`, from the oldest entry kept (CHANGE_FEED_RETENTION_HOURS). A cursor older than that answers 410 `CURSOR_EXPIRED`. Entries appear a moment after their change commits (CHANGE_FEED_RELAY_INTERVAL_MS).',
        querystring: z.object({
          after: z
            .string()
            .max(128)
            .optional()
            .describe("A cursor from an earlier answer (an item's or the page's)"),
          limit: z.coerce.number().int().min(1).max(1000).default(100),
        }),
        response: { 200: changePageSchema, 410: problemSchema, ...errorResponses },
      },
    },
    async (request) => changes.page(request.query),
  );
};
