import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AuditService } from '../audit/audit-service.js';
import { errorResponses } from './problem.js';
import { auditKinds, auditListSchema } from './schemas.js';

/**
 * The audit trail for data and privacy teams: why persons were merged or split, which merges were
 * refused, what each privacy request did.
 */
export const auditRoutes: FastifyPluginAsyncZod<{ audit: AuditService }> = async (
  app,
  { audit },
) => {
  app.get(
    '/v1/audit',
    {
      config: { scope: 'audit:read' },
      schema: {
        tags: ['audit'],
        summary: 'Audit records, newest first',
        querystring: z.object({
          personId: z
            .string()
            .regex(/^[A-Za-z0-9_-]{1,64}$/)
            .optional()
            .describe('Records concerning this person'),
          kind: z.enum(auditKinds).optional(),
          limit: z.coerce.number().int().min(1).max(1000).default(100),
        }),
        response: { 200: auditListSchema, ...errorResponses },
      },
    },
    async (request) => ({ records: await audit.list(request.query) }),
  );
};
