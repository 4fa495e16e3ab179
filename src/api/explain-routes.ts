import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { ExplainService } from '../explain/explain-service.js';
import { explainRequestSchema, explanationSchema } from './explain-schemas.js';
import { errorResponses } from './problem.js';

/** For data teams: why two identifiers are one person, or every reason they are not. */
export const explainRoutes: FastifyPluginAsyncZod<{
  explain: Pick<ExplainService, 'explain'>;
}> = async (app, { explain }) => {
  app.post(
    '/v1/explain',
    {
      config: { scope: 'audit:read' },
      schema: {
        tags: ['audit'],
        summary: 'Why two identifiers are one person, or why not',
        description:
          'Values are normalised as ingestion does; an invalid value answers 400 `INVALID_IDENTIFIER` (never echoing it). Same person: the path of active links between them, fewest links and among those the most confident. Different persons: every reason that applies, each with a stable `code` (docs/api.md). Identifier values appear in the answer only when the key also holds `persons:read`.',
        body: explainRequestSchema,
        response: { 200: explanationSchema, ...errorResponses },
      },
    },
    async (request) =>
      explain.explain({
        ...request.body,
        showValues: request.apiKey?.scopes.includes('persons:read') ?? false,
      }),
  );
};
