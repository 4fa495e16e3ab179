import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { LinkExplainService } from '../links/link-explain.js';
import type { ReviewService } from '../reviews/review-service.js';
import { errorResponses, problemSchema } from './problem.js';
import {
  linkExplanationSchema,
  linkIdParam,
  reviewDecisionResultSchema,
  reviewDecisionSchema,
  reviewIdParam,
  reviewListSchema,
} from './schemas.js';

/** For data teams: the review queue of uncertain matches, and why any link exists. */
export const reviewRoutes: FastifyPluginAsyncZod<{
  reviews: Pick<ReviewService, 'list' | 'decide'>;
  links: Pick<LinkExplainService, 'explain'>;
}> = async (app, { reviews, links }) => {
  app.get(
    '/v1/reviews',
    {
      config: { scope: 'audit:read' },
      schema: {
        tags: ['reviews'],
        summary: 'Record pairs whose match probability fell in the review band, oldest first',
        description:
          'Pending items show both records (normalised attributes, anchor identifier, person) and the comparison vector.',
        querystring: z.object({
          status: z.enum(['pending', 'decided']).default('pending'),
          limit: z.coerce.number().int().min(1).max(1000).default(100),
        }),
        response: { 200: reviewListSchema, ...errorResponses },
      },
    },
    async (request) => ({ items: await reviews.list(request.query) }),
  );

  app.post(
    '/v1/reviews/:id/decision',
    {
      config: { scope: 'audit:write' },
      schema: {
        tags: ['reviews'],
        summary: 'Decide a review: match joins the two persons, no_match keeps them apart for good',
        description:
          '`match` creates a manual link (confidence 1) and merges, audited; `no_match` stores a constraint that refuses any later join of the two records, by any rule. 409 when already decided, when a merge limit or an earlier no-match refuses the join, or (no_match) when the two already are one person.',
        params: z.object({ id: reviewIdParam }),
        body: reviewDecisionSchema,
        response: { 200: reviewDecisionResultSchema, 409: problemSchema, ...errorResponses },
      },
    },
    async (request) =>
      reviews.decide({
        reviewId: request.params.id,
        decision: request.body.decision,
        reason: request.body.reason,
        actor: request.apiKey?.name ?? 'unknown',
      }),
  );

  app.get(
    '/v1/links/:id/explain',
    {
      config: { scope: 'audit:read' },
      schema: {
        tags: ['reviews'],
        summary: 'Why a link exists: method, rule, evidence, and for a match its comparison vector',
        params: z.object({ id: linkIdParam }),
        response: { 200: linkExplanationSchema, ...errorResponses },
      },
    },
    async (request) => links.explain(request.params.id),
  );
};
