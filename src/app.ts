import fastifyRateLimit from '@fastify/rate-limit';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  LogController,
} from 'fastify';
import {
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import type { AppDeps } from './api/app-deps.js';
import { auditRoutes } from './api/audit-routes.js';
import { registerAuth } from './api/auth.js';
import { changeRoutes } from './api/change-routes.js';
import { deadLetterRoutes } from './api/dead-letter-routes.js';
import { registerErrorHandler, sendProblem } from './api/error-handler.js';
import { contractTransform, problemComponent, registerHttpContract } from './api/http-contract.js';
import { registerRequestText } from './api/request-text.js';
import { malformedUrlParts } from './api/well-formed-url.js';
import { eventRoutes } from './api/event-routes.js';
import { explainRoutes } from './api/explain-routes.js';
import { healthRoutes } from './api/health-routes.js';
import { historyRoutes } from './api/history-routes.js';
import { personRoutes } from './api/person-routes.js';
import { privacyRoutes } from './api/privacy-routes.js';
import { resolveRoutes } from './api/resolve-routes.js';
import { reviewRoutes } from './api/review-routes.js';
import { uiRoutes } from './api/ui-routes.js';
import { manualRoutes } from './api/manual-routes.js';
import { RateLimitedError } from './errors.js';

export const API_VERSION = '0.1.0';

/**
 * Fastify's per-request pair ('incoming request', 'request completed') at debug instead of info;
 * failed requests still log at error. At info the pair is a large share of the API's CPU per lookup
 * and of the log's volume, and it tells nothing that
 * idgraph_http_request_duration_seconds (route, method, status) does not; LOG_LEVEL=debug brings
 * it back, with request ids, when one request needs following.
 */
export class DebugAccessLog extends LogController {
  override incomingRequest(request: FastifyRequest): void {
    if (this.isLogDisabled(request)) return;
    request.log.debug({ req: request }, 'incoming request');
  }

  override requestCompleted(
    error: Error | null | undefined,
    request: FastifyRequest,
    reply: FastifyReply,
  ): void {
    if (error) return super.requestCompleted(error, request, reply);
    if (this.isLogDisabled(request)) return;
    reply.log.debug({ res: reply, responseTime: reply.elapsedTime }, 'request completed');
  }
}

/**
 * Builds the HTTP API. Never listens: `main.ts` does, and tests call it through a real socket.
 * Request logs carry the route pattern, never the raw URL: paths and query strings can hold
 * identifier values. Open routes: /healthz, /readyz, /metrics, /openapi.json, /docs, and the
 * console's static files at /ui; every other route names the API-key scope it needs.
 */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    // pino's Logger and fastify's FastifyBaseLogger differ only in optional members.
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion
    loggerInstance: deps.logger as FastifyBaseLogger,
    logController: new DebugAccessLog(),
    bodyLimit: deps.bodyLimit ?? 8 * 1024 * 1024,
    requestIdHeader: 'x-request-id',
    genReqId: () => crypto.randomUUID(),
    // Identifier values travel in paths (/v1/identifiers/{type}/{value}), URL-encoded: up to 3 bytes a character.
    routerOptions: { maxParamLength: 3 * 1024 + 64 },
    // Router-level failures (bad percent-encoding, over-long params) get the same problem+json shape,
    // and never the default message, which quotes the URL.
    frameworkErrors: (error, request, reply) => {
      const malformed = malformedUrlParts(request.raw.url ?? '');
      if (malformed.length > 0) {
        void sendProblem(
          reply,
          request,
          400,
          'INVALID_UNICODE',
          'the URL holds percent-escapes that are not UTF-8 text',
          malformed.map((path) => ({ path, message: 'not valid UTF-8' })),
        );
        return;
      }
      const status = error.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 414 : 400;
      void sendProblem(
        reply,
        request,
        status,
        status === 414 ? 'URI_TOO_LONG' : 'BAD_URL',
        'the request URL cannot be processed',
      );
    },
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  registerErrorHandler(app);
  registerRequestText(app);
  registerHttpContract(app);
  registerAuth(app, deps.apiKeys);

  app.addHook('onResponse', async (request, reply) => {
    deps.metrics.httpDuration.observe(
      {
        method: request.method,
        route: request.routeOptions.url ?? 'unmatched',
        status: String(reply.statusCode),
      },
      reply.elapsedTime / 1000,
    );
  });

  if (deps.rateLimit.max > 0) {
    await app.register(fastifyRateLimit, {
      global: true,
      // After authentication, so the limit is per API key (per process: API processes are stateless).
      hook: 'preHandler',
      max: deps.rateLimit.max,
      timeWindow: deps.rateLimit.windowMs,
      allowList: (request) => request.routeOptions.config.scope === undefined,
      keyGenerator: (request) => request.apiKey?.name ?? request.ip,
      errorResponseBuilder: (_request, context) =>
        new RateLimitedError(Math.max(1, Math.ceil(context.ttl / 1000))),
    });
  }

  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'idgraph',
        version: API_VERSION,
        description:
          'Identity graph resolution: ingest identity events, resolve identifiers to stable person ids, audit merges. Errors are RFC 9457 problem details (application/problem+json).',
      },
      components: {
        schemas: { Problem: problemComponent() },
        securitySchemes: {
          apiKey: {
            type: 'http',
            scheme: 'bearer',
            description: 'An API key from IDGRAPH_API_KEYS',
          },
        },
      },
      security: [{ apiKey: [] }],
      tags: [
        { name: 'ingest', description: 'Identity events in, job outcomes and dead letters out' },
        { name: 'resolve', description: 'Identifier to person lookups' },
        { name: 'persons', description: 'Resolved persons, their links and identifiers' },
        { name: 'audit', description: 'Merge and refusal records' },
        { name: 'privacy', description: 'Privacy requests: revoke, erase, access, unsuppress' },
        { name: 'health', description: 'Liveness, readiness and metrics (no auth)' },
      ],
    },
    transform: contractTransform,
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/docs' });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) =>
    reply.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics()),
  );

  await app.register(healthRoutes, { readiness: deps.readiness });
  await app.register(eventRoutes, {
    ingest: deps.ingest,
    persons: deps.persons,
    waitTimeoutMs: deps.eventsWaitTimeoutMs,
  });
  await app.register(resolveRoutes, { persons: deps.persons });
  await app.register(personRoutes, { persons: deps.persons });
  await app.register(auditRoutes, { audit: deps.audit });
  await app.register(historyRoutes, { history: deps.history });
  await app.register(reviewRoutes, { reviews: deps.reviews, links: deps.links });
  await app.register(manualRoutes, { manual: deps.manual, constraints: deps.constraints });
  await app.register(deadLetterRoutes, { ingest: deps.ingest });
  await app.register(changeRoutes, { changes: deps.changes });
  await app.register(privacyRoutes, { privacy: deps.privacy });
  await app.register(uiRoutes, { uiDir: deps.uiDir });
  await app.register(explainRoutes, { explain: deps.explain });
  return app;
}
