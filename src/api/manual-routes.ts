import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { ConstraintService } from '../manual/manual-constraints.js';
import type { ManualService } from '../manual/manual-service.js';
import {
  constraintDeleteSchema,
  constraintPageSchema,
  constraintRemovedSchema,
  manualOutcomeSchema,
  mergeRequestSchema,
  revertRequestSchema,
  splitRequestSchema,
} from './manual-schemas.js';
import { errorResponses, problemSchema } from './problem.js';
import { booleanQuery } from './schemas.js';

/**
 * A data team's manual operations (scope `audit:write`): merge persons, split identifiers off a
 * person, revert a merge, each with `?dryRun=true`; and the constraints that keep persons apart
 * (listed with `audit:read`, deleted with `audit:write`). The actor is the API key's name; the
 * request's `reason` is kept as the audit records' note. Identifier values appear in answers only
 * for a key that also has `persons:read`.
 */

const dryRunQuery = z.object({
  dryRun: booleanQuery.describe(
    'Compute and answer what the operation would do, in a transaction that is rolled back',
  ),
});

const refused = { 409: problemSchema, 422: problemSchema };

const operator = (request: FastifyRequest) => ({
  actor: request.apiKey?.name ?? 'unknown',
  showValues: request.apiKey?.scopes.includes('persons:read') ?? false,
});

const idParam = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/);

export const manualRoutes: FastifyPluginAsyncZod<{
  manual: ManualService;
  constraints: ConstraintService;
}> = async (app, { manual, constraints }) => {
  app.post(
    '/v1/persons/merge',
    {
      config: { scope: 'audit:write' },
      schema: {
        tags: ['audit'],
        summary: 'Merge persons by hand, under the resolver’s limits and constraints',
        description:
          'Links the oldest identifier of the oldest person to the oldest identifier of each other (method `manual`, rule `manual_merge`, confidence 1); the oldest person survives. 409 `MERGE_LIMIT_EXCEEDED` or `CONSTRAINT_KEEPS_APART` when the resolver would refuse the join (nothing changes), `SAME_PERSON` when two ids are one person; 404 for an unknown id.',
        querystring: dryRunQuery,
        body: mergeRequestSchema,
        response: { 200: manualOutcomeSchema, ...errorResponses, ...refused },
      },
    },
    async (request) =>
      manual.merge({
        ...operator(request),
        personIds: request.body.personIds,
        note: request.body.reason,
        dryRun: request.query.dryRun,
      }),
  );

  app.post(
    '/v1/persons/:id/split',
    {
      config: { scope: 'audit:write' },
      schema: {
        tags: ['audit'],
        summary: 'Move identifiers off a person to a new person (or several)',
        description:
          'Withdraws the active links between the named identifiers and the rest (`withdrawnReason: manual_split`) and partitions the person by its remaining links: the id stays with the part holding the oldest identifier not named. Named identifiers not linked among themselves become one person per connected group. `keepApart` adds a keep-apart constraint. 422 `IDENTIFIER_NOT_IN_PERSON`, `SPLIT_WOULD_EMPTY`.',
        params: z.object({ id: idParam }),
        querystring: dryRunQuery,
        body: splitRequestSchema,
        response: { 200: manualOutcomeSchema, ...errorResponses, ...refused },
      },
    },
    async (request) =>
      manual.split({
        ...operator(request),
        personId: request.params.id,
        identifiers: request.body.identifiers,
        keepApart: request.body.keepApart,
        note: request.body.reason,
        dryRun: request.query.dryRun,
      }),
  );

  app.post(
    '/v1/audit/:auditId/revert',
    {
      config: { scope: 'audit:write' },
      schema: {
        tags: ['audit'],
        summary: 'Revert one merge: the absorbed person comes back under its old id',
        description:
          'See docs/audits.md for the rule: the identifiers the absorbed person brought go back to it, later ones follow their strongest links, links across the two sides are withdrawn (`withdrawnReason: reverted`), merges made after it stay, and a keep-apart constraint keeps the two apart. 422 `NOT_A_MERGE`, 409 `ALREADY_REVERTED` or `MERGE_NOT_REVERTIBLE`, 404 `AUDIT_RECORD_NOT_FOUND`.',
        params: z.object({ auditId: idParam }),
        querystring: dryRunQuery,
        body: revertRequestSchema,
        response: { 200: manualOutcomeSchema, ...errorResponses, ...refused },
      },
    },
    async (request) =>
      manual.revert({
        ...operator(request),
        mergeAuditId: request.params.auditId,
        note: request.body.reason,
        dryRun: request.query.dryRun,
      }),
  );

  app.get(
    '/v1/constraints',
    {
      config: { scope: 'audit:read' },
      schema: {
        tags: ['audit'],
        summary: 'Constraints that keep persons apart: no-match decisions and keep-apart splits',
        querystring: z.object({
          cursor: idParam.optional().describe('`next` of the page before'),
          limit: z.coerce.number().int().min(1).max(1000).default(100),
        }),
        response: { 200: constraintPageSchema, ...errorResponses },
      },
    },
    async (request) => constraints.list(request.query),
  );

  app.delete(
    '/v1/constraints/:id',
    {
      config: { scope: 'audit:write' },
      schema: {
        tags: ['audit'],
        summary: 'Delete a constraint: the next evidence may join the two persons again',
        description: 'Audited `constraint_removed` with the actor and the reason as its note.',
        params: z.object({ id: idParam }),
        body: constraintDeleteSchema,
        response: { 200: constraintRemovedSchema, ...errorResponses },
      },
    },
    async (request) =>
      constraints.remove({
        id: request.params.id,
        actor: request.apiKey?.name ?? 'unknown',
        note: request.body.reason,
      }),
  );
};
