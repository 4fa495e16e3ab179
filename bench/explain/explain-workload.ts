import type { BenchGraph } from '../services/bench-cypher.js';

/**
 * The person the explain benchmark asks about: a braid of seven layers, `a` alone in layer 0, `b`
 * alone in layer 6 and `width` identifiers in each layer between, every identifier linked to every
 * one of the next layer (so a and b are 6 links apart along width^5 shortest paths); a chain of 6
 * links from `a` to `c` (one shortest path); and `extra` identifiers hanging off the braid's inner
 * layers, round robin. Loaded in one transaction in the shape the resolver writes
 * (bench/write/lookup-persons, bench/write/lookup-links: active deterministic links, confidence 1).
 */

export const EXPLAIN_PERSON_ID = 'per_bench_explain';

/** A pair the benchmark explains, 6 links apart. */
export interface ExplainPair {
  label: string;
  fromKey: string;
  toKey: string;
}

export const BRAID_PAIR: ExplainPair = {
  label: 'braid (width^5 shortest paths)',
  fromKey: 'email:layer0-0@explain.bench',
  toKey: 'email:layer6-0@explain.bench',
};
export const CHAIN_PAIR: ExplainPair = {
  label: 'chain (1 shortest path)',
  fromKey: 'email:layer0-0@explain.bench',
  toKey: 'email:chain-6@explain.bench',
};

interface IdentifierRow {
  key: string;
  type: string;
  value: string;
  lastSeen: number;
}

export interface ExplainWorkload {
  identifiers: number;
  links: number;
  /** Shortest paths between a and b (all of 6 links). */
  shortestPaths: number;
}

const identifier = (value: string, at: number): IdentifierRow => ({
  key: `email:${value}`,
  type: 'email',
  value,
  lastSeen: at,
});

export async function loadExplainPerson(
  graph: BenchGraph,
  settings: { width: number; extra: number },
): Promise<ExplainWorkload> {
  const at = Date.parse('2026-01-01T00:00:00Z');
  const layers: IdentifierRow[][] = [];
  for (let layer = 0; layer <= 6; layer++) {
    const size = layer === 0 || layer === 6 ? 1 : settings.width;
    layers.push(
      Array.from({ length: size }, (_, i) => identifier(`layer${layer}-${i}@explain.bench`, at)),
    );
  }
  const inner = layers.slice(1, 6).flat();
  const chain = Array.from({ length: 6 }, (_, i) => identifier(`chain-${i + 1}@explain.bench`, at));
  const extras = Array.from({ length: settings.extra }, (_, i) =>
    identifier(`extra-${i}@explain.bench`, at),
  );
  const pairs: [string, string][] = [];
  for (let layer = 0; layer < 6; layer++)
    for (const from of layers[layer]!)
      for (const to of layers[layer + 1]!) pairs.push([from.key, to.key]);
  [layers[0]![0]!, ...chain].forEach((from, i) => i < 6 && pairs.push([from.key, chain[i]!.key]));
  extras.forEach((e, i) => pairs.push([inner[i % inner.length]!.key, e.key]));
  const links = pairs.map(([x, y], n) => {
    const [fromKey, toKey] = x < y ? [x, y] : [y, x];
    return {
      fromKey,
      toKey,
      id: `lnk_bench_explain_${n}`,
      firstSeen: at,
      lastSeen: at,
      sources: ['web'],
      purposes: ['identity_linking'],
      events: [`web/explain-${n}`],
    };
  });
  const identifiers = [...layers.flat(), ...chain, ...extras];
  await graph.writeTransaction('bench-explain-load', async (tx) => {
    await tx.run('bench/write/lookup-persons', {
      persons: [{ id: EXPLAIN_PERSON_ID, createdAt: at, updatedAt: at, identifiers }],
    });
    await tx.run('bench/write/lookup-links', { links });
  });
  return {
    identifiers: identifiers.length,
    links: links.length,
    shortestPaths: settings.width ** 5,
  };
}
