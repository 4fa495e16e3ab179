import { describe, expect, it } from 'vitest';
import type { Graph } from '../../src/graph/graph-client.js';
import { COALESCE_MAX_KEYS, createPersonService } from '../../src/persons/person-service.js';
import { createIdentifierRegistry } from '../../src/resolver/identifier-types.js';

/** A graph that knows some identifier keys and records every resolve query it answers. */
function fakeGraph(persons: Record<string, string>, fail = false) {
  const queries: string[][] = [];
  const graph: Pick<Graph, 'query'> = {
    async query<T extends object>(
      name: string,
      params: Record<string, unknown> = {},
    ): Promise<T[]> {
      if (name !== 'read/resolve-identifiers') throw new Error(`unexpected query ${name}`);
      const keys = params.keys as string[];
      queries.push(keys);
      await new Promise((r) => setTimeout(r, 1));
      if (fail) throw new Error('neo4j is down');
      return keys.map((key) => ({ key, personId: persons[key] ?? null })) as T[];
    },
  };
  return { graph, queries };
}

const registry = createIdentifierRegistry();
const email = (n: number) => ({ type: 'email', value: `person${n}@example.org` });
const nextTurn = () => new Promise((r) => setImmediate(r));

describe('resolveMany coalescing', () => {
  it('answers concurrent unscoped lookups with one query, each in its own request order', async () => {
    const { graph, queries } = fakeGraph({
      'email:person1@example.org': 'per_1',
      'email:person2@example.org': 'per_2',
    });
    const persons = createPersonService({ graph, registry });
    const [a, b, c] = await Promise.all([
      persons.resolveMany([email(1)]),
      persons.resolveMany([email(2), email(3), email(1)]),
      persons.resolveMany([{ type: 'email', value: 'not an email' }]),
    ]);
    expect(queries).toHaveLength(1);
    expect(new Set(queries[0])).toEqual(
      new Set([
        'email:person1@example.org',
        'email:person2@example.org',
        'email:person3@example.org',
      ]),
    );
    expect(a.map((r) => r.personId)).toEqual(['per_1']);
    expect(b.map((r) => [r.personId, r.reason])).toEqual([
      ['per_2', undefined],
      [null, 'not_found'],
      ['per_1', undefined],
    ]);
    expect(c).toEqual([
      { type: 'email', value: 'not an email', personId: null, reason: 'invalid_email' },
    ]);
  });

  it('queries again for lookups that arrive in a later turn of the event loop', async () => {
    const { graph, queries } = fakeGraph({});
    const persons = createPersonService({ graph, registry });
    const first = persons.resolveMany([email(1)]);
    await nextTurn();
    const second = persons.resolveMany([email(2)]);
    await Promise.all([first, second]);
    expect(queries).toEqual([['email:person1@example.org'], ['email:person2@example.org']]);
  });

  it(`never puts more than ${COALESCE_MAX_KEYS} keys in one query, and runs a full batch alone`, async () => {
    const { graph, queries } = fakeGraph({});
    const persons = createPersonService({ graph, registry });
    const batch = (from: number, n: number) => Array.from({ length: n }, (_, i) => email(from + i));
    await Promise.all([
      persons.resolveMany(batch(0, 600)),
      persons.resolveMany(batch(600, 600)),
      persons.resolveMany(batch(2000, COALESCE_MAX_KEYS)),
      persons.resolveMany(batch(1200, 10)),
    ]);
    expect(queries.map((q) => q.length).sort((x, y) => x - y)).toEqual([
      600,
      610,
      COALESCE_MAX_KEYS,
    ]);
  });

  it('fails every lookup of a failed query with its error', async () => {
    const { graph } = fakeGraph({}, true);
    const persons = createPersonService({ graph, registry });
    const results = await Promise.allSettled([
      persons.resolveMany([email(1)]),
      persons.resolveMany([email(2)]),
    ]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(results.map((r) => ((r as PromiseRejectedResult).reason as Error).message)).toEqual([
      'neo4j is down',
      'neo4j is down',
    ]);
  });
});
