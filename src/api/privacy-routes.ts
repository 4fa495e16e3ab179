import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { privacyExportSchema } from '../privacy/access-export-contract.js';
import {
  privacyRequestAcceptedSchema,
  privacyRequestBodySchema,
  privacyRequestIdSchema,
  privacyRequestListSchema,
  privacyRequestStatuses,
  privacyRequestViewSchema,
} from '../privacy/privacy-contract.js';
import type { PrivacyService } from '../privacy/privacy-service.js';
import { errorResponses, problemSchema } from './problem.js';

/**
 * For privacy teams: revoke consent, erase, export (access) or lift a suppression, as durable
 * requests that run in the workers. Creating one needs `privacy:write`; reading them `audit:read`.
 */
export const privacyRoutes: FastifyPluginAsyncZod<{
  privacy: Pick<PrivacyService, 'create' | 'get' | 'list' | 'export'>;
}> = async (app, { privacy }) => {
  app.post(
    '/v1/privacy/requests',
    {
      config: { scope: 'privacy:write' },
      schema: {
        tags: ['privacy'],
        summary: 'Create a privacy request; it runs as a durable job',
        description:
          'Answers 202 with the request id at once; poll GET /v1/privacy/requests/{id} for its status and report. A repeat with the same `requestId` answers the same request and its current status (409 when that requestId named a different request). A type this deployment cannot run yet answers 400 `NOT_SUPPORTED`. Identifiers are normalised as ingestion does; invalid ones are counted in the report, not refused.',
        body: privacyRequestBodySchema,
        response: { 202: privacyRequestAcceptedSchema, 409: problemSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { id, status } = await privacy.create(request.body, request.apiKey?.name ?? 'unknown');
      return reply.code(202).send({ id, status });
    },
  );

  app.get(
    '/v1/privacy/requests/:id',
    {
      config: { scope: 'audit:read' },
      schema: {
        tags: ['privacy'],
        summary: 'A privacy request: status, steps done, report (ids and counts, no values)',
        params: z.object({ id: privacyRequestIdSchema }),
        response: { 200: privacyRequestViewSchema, ...errorResponses },
      },
    },
    async (request) => privacy.get(request.params.id),
  );

  app.get(
    '/v1/privacy/requests/:id/export',
    {
      config: { scope: 'audit:read' },
      schema: {
        tags: ['privacy'],
        summary: 'The export of a completed access request: what idgraph holds about the subject',
        description:
          "One JSON document with the subject's identifiers (person, consent state and history), the links between them (provenance, purposes), records' attribute values, event payloads, reviews and the audit records of the subject's persons. What also concerns other people is left out and counted in `withheld`. It holds personal data and is kept PRIVACY_EXPORT_TTL_HOURS: 404 `EXPORT_NOT_FOUND` once it expired; 409 `REQUEST_NOT_COMPLETED` before the request completed, 409 `NOT_AN_ACCESS_REQUEST` for a request of another type.",
        params: z.object({ id: privacyRequestIdSchema }),
        response: { 200: privacyExportSchema, 409: problemSchema, ...errorResponses },
      },
    },
    async (request) => privacy.export(request.params.id),
  );

  app.get(
    '/v1/privacy/requests',
    {
      config: { scope: 'audit:read' },
      schema: {
        tags: ['privacy'],
        summary: 'Privacy requests, newest first (without their reports)',
        querystring: z.object({
          status: z.enum(privacyRequestStatuses).optional(),
          limit: z.coerce.number().int().min(1).max(1000).default(100),
          cursor: z.string().max(200).optional().describe('From the previous page'),
        }),
        response: { 200: privacyRequestListSchema, ...errorResponses },
      },
    },
    async (request) => privacy.list(request.query),
  );
};
