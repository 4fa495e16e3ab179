import { request as httpRequest } from 'node:http';
import { describe, expect, it } from 'vitest';
import { resolveResponseSchema } from '../../src/api/schemas.js';
import { ADMIN_KEY, expectProblem, http, serviceForTests } from './harness.js';

/**
 * The server answers what its OpenAPI document says, and the document says what the server
 * answers: error media type, open routes, 405/414/415, the consistency header, unknown query
 * parameters, and unknown identifier types in single and batch lookups. (`npm run fuzz` checks the
 * same with Schemathesis; these pin each finding down.)
 */

const service = serviceForTests();

interface Operation {
  security?: unknown[];
  responses: Record<string, { content?: Record<string, unknown> }>;
  parameters?: { in: string; name: string; schema: { pattern?: string } }[];
}
type Document = { paths: Record<string, Record<string, Operation>> };

async function openapi(): Promise<Document> {
  return (await fetch(`${service().baseUrl}/openapi.json`)).json() as Promise<Document>;
}

function operations(document: Document) {
  return Object.entries(document.paths).flatMap(([path, ops]) =>
    Object.entries(ops).map(([method, op]) => ({ path, method: method.toUpperCase(), op })),
  );
}

/** Any method, TRACE included (fetch refuses it), over a real socket. */
function raw(
  method: string,
  path: string,
): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  const url = new URL(path, service().baseUrl);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      { method, headers: { authorization: `Bearer ${ADMIN_KEY}` } },
      (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe('the OpenAPI document describes what the server answers', () => {
  it('documents every error as application/problem+json, and the open routes without security', async () => {
    const document = await openapi();
    for (const { path, method, op } of operations(document)) {
      for (const [code, response] of Object.entries(op.responses)) {
        if (Number(code) < 400 || (path === '/readyz' && code === '503')) continue;
        expect(Object.keys(response.content ?? {}), `${method} ${path} ${code}`).toEqual([
          'application/problem+json',
        ]);
      }
      const open = path === '/healthz' || path === '/readyz';
      expect(op.security, `${method} ${path}`).toEqual(open ? [] : undefined);
    }
    for (const path of ['/healthz', '/readyz']) {
      const answer = await http(service().baseUrl, 'GET', path, undefined, undefined, null);
      expect(answer.status).toBe(200);
    }
  });

  it('declares 400 everywhere, 414 with path parameters, 415 with bodies, 409 where refused', async () => {
    const document = await openapi();
    for (const { path, method, op } of operations(document)) {
      const codes = Object.keys(op.responses);
      expect(codes, `${method} ${path}`).toContain('400');
      if (path.includes('{')) expect(codes, `${method} ${path}`).toContain('414');
      if (method !== 'GET') expect(codes, `${method} ${path}`).toContain('415');
    }
    const decision = document.paths['/v1/reviews/{id}/decision']!.post!;
    expect(Object.keys(decision.responses)).toContain('409');
    const consistency = document.paths['/v1/resolve']!.get!.parameters!.find(
      (p) => p.name === 'x-idgraph-consistency',
    );
    expect(consistency?.schema.pattern).toBe('^[A-Za-z0-9_-]+$');
  });
});

describe('the server answers what the document declares', () => {
  it('answers 405 with Allow for a method the path does not take', async () => {
    const { baseUrl } = service();
    const del = await http(baseUrl, 'DELETE', '/v1/resolve');
    expectProblem(del, 405, 'METHOD_NOT_ALLOWED');
    expect(del.headers.get('allow')).toBe('GET, HEAD, POST');
    for (const [method, path, allow] of [
      ['TRACE', '/healthz', 'GET, HEAD'],
      ['QUERY', '/v1/jobs/j1', 'GET, HEAD'],
      ['PUT', '/v1/persons/per_1/split', 'POST'],
    ] as const) {
      const answer = await raw(method, path);
      expect(answer.status, `${method} ${path}`).toBe(405);
      expect(answer.headers['content-type']).toContain('application/problem+json');
      expect(answer.headers.allow).toBe(allow);
    }
    // A path no route has stays a 404.
    expectProblem(await http(baseUrl, 'DELETE', '/v1/nothing-here'), 404, 'ROUTE_NOT_FOUND');
  });

  it('answers 414 for an over-long path parameter and 415 for a body that is not JSON', async () => {
    const { baseUrl } = service();
    const long = await http(baseUrl, 'GET', `/v1/identifiers/email/${'a'.repeat(4000)}`);
    expectProblem(long, 414, 'URI_TOO_LONG');
    for (const contentType of [
      'text/plain',
      'application/json; charset=latin1',
      'application/x-www-form-urlencoded',
    ]) {
      const response = await fetch(`${baseUrl}/v1/resolve`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': contentType },
        body: '{"identifiers":[{"type":"email","value":"a@b.io"}]}',
      });
      expectProblem(
        { status: response.status, body: await response.json(), headers: response.headers },
        415,
        'UNSUPPORTED_MEDIA_TYPE',
      );
    }
  });

  it('refuses query parameters a route does not name, on every route, instead of ignoring them', async () => {
    const { baseUrl } = service();
    for (const path of [
      '/v1/resolve?type=email&value=a%40b.io&purpose_typo=x',
      '/v1/persons/per_1/links?limit=5',
      '/v1/audit?kinds=merge',
      '/healthz?verbose=1',
    ]) {
      const problem = expectProblem(await http(baseUrl, 'GET', path), 400, 'VALIDATION_FAILED');
      expect(problem.errors?.[0]?.path, path).toBe('$.querystring');
    }
    const fine = await http(baseUrl, 'GET', '/v1/audit?kind=merge&limit=5');
    expect(fine.status).toBe(200);
  });

  it('refuses a consistency header that is not a token before reading it', async () => {
    const { baseUrl } = service();
    for (const token of ['ZBK;7UF$<', 'bm90IGpzb24']) {
      const response = await fetch(`${baseUrl}/v1/resolve?type=email&value=a%40b.io`, {
        headers: { authorization: `Bearer ${ADMIN_KEY}`, 'x-idgraph-consistency': token },
      });
      const problem = expectProblem(
        { status: response.status, body: await response.json(), headers: response.headers },
        400,
        'VALIDATION_FAILED',
      );
      expect(problem.errors?.[0]?.path).toBe('$.headers.x-idgraph-consistency');
    }
  });

  it('answers an unknown identifier type alike in GET and POST resolve: not found, reason unknown_type', async () => {
    const { baseUrl } = service();
    const single = expectProblem(
      await http(baseUrl, 'GET', '/v1/resolve?type=no_such_type&value=x1'),
      404,
      'IDENTIFIER_NOT_FOUND',
    );
    const batch = await http(
      baseUrl,
      'POST',
      '/v1/resolve',
      { identifiers: [{ type: 'no_such_type', value: 'x1' }] },
      resolveResponseSchema,
    );
    expect(batch.status).toBe(200);
    expect(batch.body.results[0]).toMatchObject({ personId: null, reason: 'unknown_type' });
    expect(single.reason).toBe(batch.body.results[0]!.reason);
    const view = expectProblem(
      await http(baseUrl, 'GET', '/v1/identifiers/no_such_type/x1'),
      404,
      'IDENTIFIER_NOT_FOUND',
    );
    expect(view.reason).toBe('unknown_type');
    const unknown = expectProblem(
      await http(baseUrl, 'GET', '/v1/resolve?type=email&value=nobody%40example.org'),
      404,
      'IDENTIFIER_NOT_FOUND',
    );
    expect(unknown.reason).toBe('not_found');
  });

  it('takes valid JSON holding a __proto__ key, dropping the key without polluting anything', async () => {
    const answer = await fetch(`${service().baseUrl}/v1/resolve`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
      body: '{"identifiers":[{"type":"email","value":"nobody@example.org","__proto__":{"polluted":true}}]}',
    });
    expect(answer.status).toBe(200);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('refuses an empty value for a number in the query rather than reading it as 0', async () => {
    const { baseUrl } = service();
    for (const path of [
      '/v1/dead-letters?offset=',
      '/v1/resolve?type=email&value=a%40b.c&minConfidence=',
    ])
      expectProblem(await http(baseUrl, 'GET', path), 400, 'VALIDATION_FAILED');
    expect((await http(baseUrl, 'GET', '/v1/dead-letters?offset=0&limit=5')).status).toBe(200);
  });
});
