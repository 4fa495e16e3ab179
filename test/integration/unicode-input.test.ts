import { describe, expect, it } from 'vitest';
import { problemSchema } from '../../src/api/problem.js';
import { enqueueResponseSchema } from '../../src/api/schemas.js';
import { ADMIN_KEY, event, http, ingest, resolve, serviceForTests, waitForJob } from './harness.js';

/**
 * Text that is not Unicode is not a value: an unpaired surrogate (valid JSON as `\ud800`) or
 * invalid UTF-8 bytes in a body, or percent-escapes that are not UTF-8 in a URL, answer 400
 * `INVALID_UNICODE` naming the field, never echoing it, and nothing is queued or stored.
 */

const service = serviceForTests();

/** A raw JSON body with `\udXXX` escapes kept as written (JSON.stringify would keep them too). */
function rawBatch(events: { id: string; email: string; cookieEscaped: string }[]): string {
  return JSON.stringify({
    events: events.map((e) => ({
      id: e.id,
      source: 'web',
      occurredAt: '2026-01-01T00:00:00Z',
      identifiers: [
        { type: 'email', value: e.email },
        { type: 'cookie_id', value: 'COOKIE' },
      ],
    })),
  }).replace(/"COOKIE"/g, () => `"${events.shift()!.cookieEscaped}"`);
}

function expectInvalidUnicode(
  answer: { status: number; body: unknown; headers: Headers },
  paths: string[],
) {
  expect(answer.status).toBe(400);
  expect(answer.headers.get('content-type')).toContain('application/problem+json');
  const problem = problemSchema.parse(answer.body);
  expect(problem.code).toBe('INVALID_UNICODE');
  expect(problem.errors?.map((e) => e.path)).toEqual(paths);
  expect(JSON.stringify(answer.body)).not.toContain('sur-');
}

/** A batch with a valid event, applied: whatever was queued before it has been taken by now. */
async function applyMarker() {
  const marker = event([{ type: 'email', value: `marker-${Date.now()}@example.org` }]);
  const job = await ingest(service(), [marker]);
  expect(job.counts.applied).toBe(1);
}

describe('unpaired surrogates and invalid UTF-8', () => {
  it('refuses two events whose cookies differ only in a lone surrogate: nobody merged, nothing stored', async () => {
    const { baseUrl } = service();
    for (const [email, cookie] of [
      ['ann@example.org', 'sur-\\ud800'],
      ['bob@example.org', 'sur-\\udfff'],
    ] as const) {
      const body = rawBatch([{ id: `sur-${email}`, email, cookieEscaped: cookie }]);
      expect(body).toContain(cookie);
      const answer = await http(baseUrl, 'POST', '/v1/events?wait=true', body);
      expectInvalidUnicode(answer, ['$.body.events[0].identifiers[1].value']);
    }
    await applyMarker();
    const results = await resolve(service(), [
      { type: 'email', value: 'ann@example.org' },
      { type: 'email', value: 'bob@example.org' },
    ]);
    expect(results.map((r) => r.personId)).toEqual([null, null]);
    expect(results.map((r) => r.reason)).toEqual(['not_found', 'not_found']);
  });

  it('keeps well-formed text outside the BMP (a surrogate pair) as sent', async () => {
    const { baseUrl } = service();
    const body = rawBatch([
      { id: 'pair-1', email: 'cy@example.org', cookieEscaped: 'sur-\\ud83d\\ude00' },
    ]);
    const answer = await http(baseUrl, 'POST', '/v1/events', body, enqueueResponseSchema);
    expect(answer.status).toBe(202);
    const job = await waitForJob(service(), answer.body.jobId);
    expect(job.counts.applied).toBe(1);
    const [cookie, email, other] = await resolve(service(), [
      { type: 'cookie_id', value: 'sur-\u{1F600}' },
      { type: 'email', value: 'cy@example.org' },
      { type: 'cookie_id', value: 'sur-\uFFFD' },
    ]);
    expect(cookie!.personId).not.toBeNull();
    expect(cookie!.personId).toBe(email!.personId);
    expect(other!.personId).toBeNull();
    const single = await http(
      baseUrl,
      'GET',
      `/v1/resolve?type=cookie_id&value=${encodeURIComponent('sur-\u{1F600}')}`,
    );
    expect(single.status).toBe(200);
  });

  it('refuses a body that is not UTF-8 instead of reading U+FFFD into it', async () => {
    const { baseUrl } = service();
    const text = rawBatch([{ id: 'bytes-1', email: 'dee@example.org', cookieEscaped: 'sur-XX' }]);
    const at = Buffer.from(text).indexOf('XX');
    const bytes = Buffer.from(text);
    bytes[at] = 0xff;
    bytes[at + 1] = 0xfe;
    const response = await fetch(`${baseUrl}/v1/events?wait=true`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_KEY}` },
      body: bytes,
    });
    expectInvalidUnicode(
      { status: response.status, body: await response.json(), headers: response.headers },
      ['$.body'],
    );
    await applyMarker();
    const [dee] = await resolve(service(), [{ type: 'email', value: 'dee@example.org' }]);
    expect(dee!.personId).toBeNull();
  });

  it('refuses lone surrogates in lookups: POST /v1/resolve, /v1/explain and in keys', async () => {
    const { baseUrl } = service();
    const resolveBody =
      '{"identifiers":[{"type":"email","value":"a@b.io"},{"type":"cookie_id","value":"sur-\\udfff"}]}';
    expectInvalidUnicode(await http(baseUrl, 'POST', '/v1/resolve', resolveBody), [
      '$.body.identifiers[1].value',
    ]);
    const explainBody =
      '{"a":{"type":"cookie_id","value":"sur-\\ud800x"},"b":{"type":"email","value":"a@b.io"}}';
    expectInvalidUnicode(await http(baseUrl, 'POST', '/v1/explain', explainBody), [
      '$.body.a.value',
    ]);
    const keyBody = rawBatch([{ id: 'k', email: 'e@example.org', cookieEscaped: 'x' }]).replace(
      '"source"',
      '"attributes":{"sur-\\udc00":"x"},"source"',
    );
    expectInvalidUnicode(await http(baseUrl, 'POST', '/v1/events', keyBody), [
      '$.body.events[0].attributes',
    ]);
  });

  it('refuses percent-escapes that are not UTF-8 in query and path parameters', async () => {
    const { baseUrl } = service();
    // %ED%A0%80 is U+D800 encoded as if it were a character: not UTF-8. %FF is no UTF-8 at all.
    for (const value of ['sur-%ED%A0%80', 'sur-%FF']) {
      expectInvalidUnicode(
        await http(baseUrl, 'GET', `/v1/resolve?type=cookie_id&value=${value}`),
        ['$.querystring.value'],
      );
      expectInvalidUnicode(await http(baseUrl, 'GET', `/v1/identifiers/cookie_id/${value}`), [
        '$.path',
      ]);
    }
    // Unauthenticated: still 400, the URL is refused before anything else is looked at.
    expectInvalidUnicode(
      await http(
        baseUrl,
        'GET',
        '/v1/resolve?type=cookie_id&value=%C3',
        undefined,
        undefined,
        null,
      ),
      ['$.querystring.value'],
    );
  });
});
