import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';

export type ReadinessCheck = () => Promise<{ ready: boolean; checks: Record<string, string> }>;

const readySchema = z.object({
  status: z.enum(['ready', 'not_ready']),
  checks: z.record(z.string(), z.string()),
});

/** Liveness and readiness, both without auth: orchestrators and load balancers call them. */
export const healthRoutes: FastifyPluginAsyncZod<{ readiness: ReadinessCheck }> = async (
  app,
  { readiness },
) => {
  app.get(
    '/healthz',
    {
      schema: {
        tags: ['health'],
        summary: 'The process is alive',
        response: { 200: z.object({ status: z.literal('ok') }) },
      },
    },
    async () => ({ status: 'ok' as const }),
  );
  app.get(
    '/readyz',
    {
      schema: {
        tags: ['health'],
        summary: 'Neo4j and Redis answer and schema migrations are applied',
        response: { 200: readySchema, 503: readySchema },
      },
    },
    async (_request, reply) => {
      const { ready, checks } = await readiness();
      return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not_ready', checks });
    },
  );
};
