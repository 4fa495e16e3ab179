/**
 * Data for `npm run fuzz` to reach past "not found": a few persons, links, a merge, a keep-apart
 * constraint, an access request and a job, made through the API before Schemathesis starts, and
 * the Schemathesis settings that offer their ids to the operations that take them.
 *
 * Generated values cannot hit an id idgraph made, so without these most operations on a person,
 * link, audit record or request only ever answer 404. Each id parameter draws from its dictionary
 * with probability {@link SEEDED}, and is generated as before otherwise: both the found and the
 * not-found paths stay tested. The seed data is made up (example.org addresses, 555 numbers).
 */

/** How often a parameter with seeded ids takes one of them rather than a generated value. */
const SEEDED = 0.7;

async function call(baseUrl, apiKey, method, path, body) {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${apiKey}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const answer = await response.json().catch(() => undefined);
  if (!response.ok) throw new Error(`seeding: ${method} ${path} answered ${response.status}`);
  return answer;
}

const at = '2026-01-01T00:00:00Z';
const seedEvent = (id, identifiers, attributes) => ({
  id,
  source: 'fuzz-seed',
  occurredAt: at,
  identifiers,
  ...(attributes ? { attributes } : {}),
});

/** Makes the seed data through the API; answers the ids and values it made, by kind. */
export async function seedFuzzData(baseUrl, apiKey) {
  const identifiers = [
    [
      { type: 'email', value: 'ann.seed@example.org' },
      { type: 'user_id', value: 'u-seed-1' },
    ],
    [
      { type: 'email', value: 'bob.seed@example.org' },
      { type: 'phone', value: '+1 415 555 0101' },
      { type: 'cookie_id', value: 'c-seed-2' },
    ],
    [{ type: 'cookie_id', value: 'c-seed-3' }],
    [{ type: 'device_id', value: 'd-seed-4' }],
  ];
  const ingested = await call(baseUrl, apiKey, 'POST', '/v1/events?wait=true', {
    events: identifiers.map((ids, n) =>
      seedEvent(`seed-${n}`, ids, n === 0 ? { first_name: 'Ann', last_name: 'Seed' } : undefined),
    ),
  });
  const persons = ingested.events.map((e) => e.personIds?.[0]).filter(Boolean);
  if (persons.length < 4) throw new Error('seeding: the seed events made too few persons');
  const [ann, bob, third, fourth] = persons;

  const links = [];
  for (const person of [ann, bob]) {
    const answer = await call(baseUrl, apiKey, 'GET', `/v1/persons/${person}/links`);
    links.push(...answer.links.map((l) => l.id));
  }
  const merge = await call(baseUrl, apiKey, 'POST', '/v1/persons/merge', {
    personIds: [third, fourth],
    reason: 'fuzz seed',
  });
  const split = await call(baseUrl, apiKey, 'POST', `/v1/persons/${bob}/split`, {
    identifiers: [{ type: 'cookie_id', value: 'c-seed-2' }],
    keepApart: true,
    reason: 'fuzz seed',
  });
  const constraints = (await call(baseUrl, apiKey, 'GET', '/v1/constraints')).items.map(
    (c) => c.id,
  );
  const request = await call(baseUrl, apiKey, 'POST', '/v1/privacy/requests', {
    type: 'access',
    subject: { personId: ann },
    reason: 'fuzz seed',
  });
  return {
    persons: [...new Set([...persons, ...split.persons.map((p) => p.personId)])],
    links,
    audits: [merge.auditId, split.auditId],
    constraints,
    requests: [request.id],
    jobs: [ingested.jobId],
    types: [...new Set(identifiers.flat().map((i) => i.type))],
    values: identifiers.flat().map((i) => i.value),
  };
}

/** Which operations' parameters draw from which seeded kind. */
const BINDINGS = [
  [
    'persons',
    [
      'GET /v1/persons/{id}',
      'GET /v1/persons/{id}/links',
      'GET /v1/persons/{id}/consent',
      'GET /v1/persons/{id}/history',
      'POST /v1/persons/{id}/split',
    ],
    'path.id',
  ],
  ['persons', ['GET /v1/audit'], 'query.personId'],
  ['persons', ['POST /v1/persons/merge'], 'body.personIds[*]'],
  ['links', ['GET /v1/links/{id}/explain'], 'path.id'],
  ['audits', ['POST /v1/audit/{auditId}/revert'], 'path.auditId'],
  ['constraints', ['DELETE /v1/constraints/{id}'], 'path.id'],
  [
    'requests',
    ['GET /v1/privacy/requests/{id}', 'GET /v1/privacy/requests/{id}/export'],
    'path.id',
  ],
  ['jobs', ['GET /v1/jobs/{jobId}'], 'path.jobId'],
  ['types', ['GET /v1/identifiers/{type}/{value}'], 'path.type'],
  ['values', ['GET /v1/identifiers/{type}/{value}'], 'path.value'],
  ['types', ['GET /v1/resolve'], 'query.type'],
  ['values', ['GET /v1/resolve'], 'query.value'],
];

const tomlString = (value) => JSON.stringify(String(value));

/** Schemathesis settings (TOML) binding each seeded kind to the parameters that take it. */
export function seededSettings(seed) {
  const lines = ['', '# Seeded by scripts/fuzz-seed.mjs for this run.'];
  for (const [kind, values] of Object.entries(seed)) {
    if (values.length === 0) continue;
    lines.push(`[dictionaries.${kind}]`, `values = [${values.map(tomlString).join(', ')}]`, '');
  }
  for (const [kind, operations, parameter] of BINDINGS) {
    if (!seed[kind]?.length) continue;
    lines.push(
      '[[operations]]',
      `include-name = [${operations.map(tomlString).join(', ')}]`,
      `parameters = { ${tomlString(parameter)} = { dictionary = "${kind}", probability = ${SEEDED} } }`,
      '',
    );
  }
  return lines.join('\n');
}
