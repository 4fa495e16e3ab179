import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { DEFAULT_RETRY_AFTER_SECONDS } from '../errors.js';

export type ReadinessCheck = () => Promise<{ ready: boolean; checks: Record<string, string> }>;

/**
 * One dependency's check: `ok` when it is ready, else what is wrong (`down: unreachable`,
 * `down: timeout`, `pending`, ...). Checks must not throw; one that does reads `down: error`.
 */
export type DependencyCheck = () => Promise<string>;

/** How long /readyz waits for any one check: it answers within about this, whatever hangs. */
export const READINESS_TIMEOUT_MS = 800;

/**
 * The readiness of the named dependencies, checked at once, each bounded by `timeoutMs` (a check
 * that takes longer reads `down: timeout`), so /readyz answers in time even while a dependency
 * hangs, and names which one is not ready.
 */
export function readinessOf(
  checks: Record<string, DependencyCheck>,
  timeoutMs = READINESS_TIMEOUT_MS,
): ReadinessCheck {
  const bounded = async (check: DependencyCheck): Promise<string> => {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<string>((resolve) => {
      timer = setTimeout(() => resolve('down: timeout'), timeoutMs);
    });
    try {
      return await Promise.race([check().catch(() => 'down: error'), timedOut]);
    } finally {
      clearTimeout(timer);
    }
  };
  return async () => {
    const names = Object.keys(checks);
    const states = await Promise.all(names.map((name) => bounded(checks[name]!)));
    const result = Object.fromEntries(names.map((name, i) => [name, states[i]!]));
    return { ready: states.every((state) => state === 'ok'), checks: result };
  };
}

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
      if (!ready) reply.header('retry-after', String(DEFAULT_RETRY_AFTER_SECONDS));
      return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not_ready', checks });
    },
  );
};
