import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { problemSchema } from '../../src/api/problem.js';
import { ADMIN_KEY, startService, type TestService } from './harness.js';

/**
 * Property-based robustness: arbitrary JSON, strings, huge numbers, unicode and deep nesting thrown
 * at every route. Whatever comes in, the answer is never a 5xx, and every error is problem+json.
 */

let service: TestService;

beforeAll(async () => {
  service = await startService({ RATE_LIMIT_MAX: '0' });
});
afterAll(async () => {
  await service?.close();
});

const RUNS = 60;

async function send(method: string, path: string, body?: string) {
  const response = await fetch(`${service.baseUrl}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${ADMIN_KEY}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body,
  });
  const text = await response.text();
  return { status: response.status, type: response.headers.get('content-type') ?? '', text };
}

function expectSane(answer: { status: number; type: string; text: string }) {
  expect(answer.status, answer.text.slice(0, 300)).toBeLessThan(500);
  if (answer.status >= 400) {
    expect(answer.type).toContain('application/problem+json');
    problemSchema.parse(JSON.parse(answer.text));
  }
}

const weirdString = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 300 }),
  fc.string({ unit: 'grapheme', maxLength: 100 }),
  fc.constantFrom(
    '',
    ' ',
    '\u0000',
    '../../etc/passwd',
    '%00',
    '~',
    'per_x~',
    '😀'.repeat(50),
    'a'.repeat(5000),
  ),
);
const hugeNumber = fc.oneof(
  fc.double(),
  fc.bigInt().map((b) => Number(b)),
  fc.constantFrom(1e308, -1e308, Number.MAX_SAFE_INTEGER * 10),
);
const deep = fc
  .integer({ min: 50, max: 2000 })
  .map((depth) => '['.repeat(depth) + ']'.repeat(depth));
const json = fc.oneof(
  fc.json({ maxDepth: 6 }).map(String),
  deep,
  weirdString.map((s) => JSON.stringify(s)),
);
const nearEvent = fc.record({
  id: weirdString,
  source: fc.oneof(weirdString, fc.constant('web')),
  occurredAt: fc.oneof(weirdString, fc.constant('2026-01-01T00:00:00Z')),
  identifiers: fc.array(
    fc.record({
      type: fc.oneof(weirdString, fc.constantFrom('email', 'phone', 'maid', 'external_id')),
      value: weirdString,
    }),
    {
      maxLength: 5,
    },
  ),
  attributes: fc.option(
    fc.dictionary(weirdString, fc.oneof(weirdString, hugeNumber, fc.boolean())),
    { nil: undefined },
  ),
});
const segment = weirdString.map((s) => encodeURIComponent(s));

describe('every route survives arbitrary input', () => {
  it('POST /v1/events and POST /v1/resolve with arbitrary and near-valid JSON', async () => {
    await fc.assert(
      fc.asyncProperty(json, async (body) => {
        expectSane(await send('POST', '/v1/events', body));
        expectSane(await send('POST', '/v1/resolve', body));
      }),
      { numRuns: RUNS },
    );
    await fc.assert(
      fc.asyncProperty(fc.array(nearEvent, { minLength: 1, maxLength: 3 }), async (events) => {
        expectSane(await send('POST', '/v1/events', JSON.stringify({ events })));
        const identifiers = events.flatMap((e) => e.identifiers);
        if (identifiers.length > 0)
          expectSane(
            await send(
              'POST',
              '/v1/resolve',
              JSON.stringify({ identifiers, purpose: 'advertising' }),
            ),
          );
      }),
      { numRuns: RUNS },
    );
  });

  it('GET routes with arbitrary path segments and query strings', async () => {
    await fc.assert(
      fc.asyncProperty(segment, segment, weirdString, hugeNumber, async (a, b, q, n) => {
        const query = `type=${encodeURIComponent(q)}&value=${a}&purpose=${b}&minConfidence=${encodeURIComponent(String(n))}`;
        for (const path of [
          `/v1/resolve?${query}`,
          `/v1/persons/${a}?purpose=${b}&minConfidence=${encodeURIComponent(String(n))}`,
          `/v1/persons/${a}/links`,
          `/v1/persons/${a}/consent`,
          `/v1/identifiers/${a}/${b}`,
          `/v1/jobs/${a}`,
          `/v1/audit?personId=${a}&kind=${b}&limit=${encodeURIComponent(String(n))}`,
          `/v1/dead-letters?offset=${encodeURIComponent(String(n))}&limit=${b}`,
          `/v1/reviews?status=${b}&limit=${encodeURIComponent(String(n))}`,
          `/v1/links/${a}/explain`,
          `/v1/links/lnk_${a}/explain`,
        ]) {
          expectSane(await send('GET', path));
        }
        expectSane(await send('POST', `/v1/dead-letters/${a}/retry`));
        expectSane(
          await send('POST', `/v1/reviews/${a}/decision`, JSON.stringify({ decision: q })),
        );
        expectSane(
          await send(
            'POST',
            `/v1/reviews/rev_${a}/decision`,
            JSON.stringify({ decision: 'match' }),
          ),
        );
      }),
      { numRuns: RUNS },
    );
  });
});
