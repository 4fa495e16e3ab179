import type { FastifyInstance } from 'fastify';
import { jsonSchemaTransform } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { sendProblem } from './error-handler.js';
import { PROBLEM_CONTENT_TYPE, problemSchema } from './problem.js';

/**
 * Keeps what the server does and what its OpenAPI document says the same, by deriving both from
 * one place instead of repeating it in every route:
 * - a documented route takes no query parameter its schema does not name (400, not ignored);
 * - a method a path does not have answers 405 with `Allow` (not 404, and not a body-parsing error);
 * - the document declares what every route can answer besides its own schemas: 400 for any query
 *   or body, 414 for an over-long path parameter, 415 for a body that is not JSON, errors as
 *   `application/problem+json`, and no security on open routes (no `config.scope`).
 */

const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** A route's URL pattern as a regular expression over request paths. */
function pathPattern(url: string): RegExp {
  const source = url
    .split('/')
    .map((segment) => {
      if (segment === '*') return '.*';
      if (segment.startsWith(':')) return '[^/]+';
      return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('/');
  return new RegExp(`^${source}/?$`);
}

/** Static segments: where several patterns match a path, the router takes the most specific. */
const specificity = (url: string) =>
  url.split('/').filter((s) => s !== '*' && !s.startsWith(':')).length;

export function registerHttpContract(app: FastifyInstance): void {
  const paths = new Map<string, { pattern: RegExp; rank: number; methods: Set<string> }>();

  app.addHook('onRoute', (route) => {
    const entry = paths.get(route.url) ?? {
      pattern: pathPattern(route.url),
      rank: specificity(route.url),
      methods: new Set(),
    };
    for (const method of [route.method].flat()) {
      entry.methods.add(method);
      if (method === 'GET') entry.methods.add('HEAD');
    }
    paths.set(route.url, entry);

    const schema: { hide?: boolean; querystring?: unknown } | undefined = route.schema;
    if (!schema || schema.hide) return;
    if (schema.querystring === undefined) schema.querystring = z.object({}).strict();
    else if (schema.querystring instanceof z.ZodObject)
      schema.querystring = schema.querystring.strict();
  });

  app.addHook('onRequest', async (request, reply) => {
    if (!request.is404) return;
    const path = (request.raw.url ?? '').split('?')[0]!;
    // The methods of the most specific matching pattern: `/v1/persons/merge` is POST, even though
    // a GET there would reach `/v1/persons/:id` (as an id that exists in no graph).
    let allowed = new Set<string>();
    let best = -1;
    for (const { pattern, rank, methods } of paths.values()) {
      if (!pattern.test(path) || rank < best) continue;
      if (rank > best) allowed = new Set();
      best = rank;
      for (const method of methods) allowed.add(method);
    }
    if (allowed.size === 0 || allowed.has(request.method)) return;
    reply.header('allow', [...allowed].sort().join(', '));
    return sendProblem(
      reply,
      request,
      405,
      'METHOD_NOT_ALLOWED',
      `this path does not take ${request.method}`,
    );
  });
}

type TransformInput = Parameters<typeof jsonSchemaTransform>[0];
type ResponseMap = Record<string, unknown>;

/**
 * @fastify/swagger's per-route transform: the zod transform, plus the responses every route can
 * give (see above), errors as problem+json, and `security: []` on open routes.
 */
export function contractTransform(input: TransformInput): ReturnType<typeof jsonSchemaTransform> {
  const schema = input.schema as { hide?: boolean; response?: ResponseMap } | undefined;
  if (!schema || schema.hide) return jsonSchemaTransform(input);
  const methods = [input.route.method].flat();
  const response: ResponseMap = { ...schema.response };
  response[400] ??= problemSchema;
  if (input.url.includes(':')) response[414] ??= problemSchema;
  if (methods.some((m) => BODY_METHODS.has(m))) response[415] ??= problemSchema;
  const problems = Object.keys(response).filter((code) => response[code] === problemSchema);

  const result = jsonSchemaTransform({ ...input, schema: { ...input.schema, response } });
  const out = result.schema as Record<string, unknown> & { response?: ResponseMap };
  if (out.response) {
    const converted: ResponseMap = { ...out.response };
    for (const code of problems) {
      const json = converted[code] as { description?: string };
      converted[code] = {
        description: json.description ?? 'RFC 9457 problem details',
        content: { [PROBLEM_CONTENT_TYPE]: { schema: { $ref: '#/components/schemas/Problem' } } },
      };
    }
    out.response = converted;
  }
  if (input.route.config?.scope === undefined) out.security = [];
  return { ...result, schema: out };
}

/** The problem schema once, for `components.schemas.Problem` (every error response refers to it). */
export function problemComponent(): Record<string, unknown> {
  const { $schema: _, ...schema } = z.toJSONSchema(problemSchema, { io: 'output' });
  return schema;
}
