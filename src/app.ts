import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { AppDeps } from './api/app-deps.js';
import { auditRoutes } from './api/audit-routes.js';
import { deadLetterRoutes } from './api/dead-letter-routes.js';
import { registerErrorHandler } from './api/error-handler.js';
import { eventRoutes } from './api/event-routes.js';
import { healthRoutes } from './api/health-routes.js';
import { personRoutes } from './api/person-routes.js';
import { resolveRoutes } from './api/resolve-routes.js';

export const API_VERSION = '0.1.0';

/**
 * Builds the HTTP API. Never listens: `main.ts` does, and tests call it through `inject` or a real
 * socket. Request logs carry the route pattern, never the raw URL: paths and query strings can hold
 * identifier values.
 */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    bodyLimit: deps.bodyLimit ?? 8 * 1024 * 1024,
    requestIdHeader: 'x-request-id',
    genReqId: () => crypto.randomUUID(),
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  registerErrorHandler(app);

  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'idgraph',
        version: API_VERSION,
        description: 'Identity graph resolution: ingest identity events, resolve identifiers to stable person ids, audit merges.',
      },
      tags: [
        { name: 'ingest', description: 'Identity events in, job outcomes and dead letters out' },
        { name: 'resolve', description: 'Identifier to person lookups' },
        { name: 'persons', description: 'Resolved persons' },
        { name: 'audit', description: 'Merge and refusal records' },
        { name: 'health', description: 'Liveness and readiness' },
      ],
    },
    transform: jsonSchemaTransform,
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/docs' });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  await app.register(healthRoutes, { readiness: deps.readiness });
  await app.register(eventRoutes, { ingest: deps.ingest });
  await app.register(resolveRoutes, { persons: deps.persons });
  await app.register(personRoutes, { persons: deps.persons });
  await app.register(auditRoutes, { audit: deps.audit });
  await app.register(deadLetterRoutes, { ingest: deps.ingest });
  return app;
}
