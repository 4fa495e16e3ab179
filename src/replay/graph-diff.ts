import type { Graph } from '../graph/graph-client.js';
import {
  compareKeys,
  createPartitionDiff,
  mergeJoin,
  type PartitionDiff,
  type PartitionRow,
  type TruthComparison,
} from './partition-diff.js';

/**
 * `idgraph diff <a> <b>`: reads both graphs' partitions (identifier -> active person) in key order,
 * a page at a time (read/partition-page), merge-joins them and counts (partition-diff.ts); then
 * compares active links by method and rule, and reads the identifiers of a few merged and split
 * persons as sample cases: their identifier types, and their keys (personal data) only when asked.
 */

export interface LinkCountRow {
  method: string;
  rule: string;
  a: number;
  b: number;
}

export interface SamplePerson {
  personId: string;
  /** Identifiers per type. */
  types: Record<string, number>;
  /** The identifier keys (`type:value`): only with `showValues`. */
  keys?: string[];
}

/** b's person holding several of a's (merged), or a's person spread over several of b's (split). */
export interface SampleCase {
  a: SamplePerson[];
  b: SamplePerson[];
}

export interface DiffReport extends PartitionDiff {
  links: LinkCountRow[];
  samples: { merged: SampleCase[]; split: SampleCase[] };
  truth?: { a: TruthComparison; b: TruthComparison; rejected: number };
}

export interface DiffOptions {
  pageSize: number;
  /** Sample cases of each kind. */
  samples: number;
  showValues: boolean;
  truth?: { entityOf: ReadonlyMap<string, string>; rejected: number };
}

/** Persons per side of one sample case, at most. */
const PERSONS_PER_CASE = 10;

/** A graph's identifiers in key order, a keyset page at a time. */
export async function* partitionRows(
  graph: Pick<Graph, 'query'>,
  pageSize: number,
): AsyncGenerator<PartitionRow> {
  let after = '';
  for (;;) {
    const rows = await graph.query<{ key: string; type: string; personId: string | null }>(
      'read/partition-page',
      { after, limit: pageSize },
    );
    for (const r of rows) {
      // The merge-join needs the graph's order to be compareKeys' order: fail loudly if not.
      if (after !== '' && compareKeys(after, r.key) >= 0)
        throw new Error('identifier keys came back out of the order the diff compares them in');
      after = r.key;
      // Every committed identifier belongs to a person; one that does not counts as its own.
      yield { key: r.key, type: r.type, personId: r.personId ?? `none/${r.key}` };
    }
    if (rows.length < pageSize) return;
  }
}

async function linkCounts(a: Pick<Graph, 'query'>, b: Pick<Graph, 'query'>) {
  type Row = { method: string; rule: string; links: number };
  const [inA, inB] = await Promise.all([
    a.query<Row>('read/link-counts'),
    b.query<Row>('read/link-counts'),
  ]);
  const rows = new Map<string, LinkCountRow>();
  const row = (r: Row) => {
    const key = `${r.method}\u0000${r.rule}`;
    let found = rows.get(key);
    if (!found) rows.set(key, (found = { method: r.method, rule: r.rule, a: 0, b: 0 }));
    return found;
  };
  for (const r of inA) row(r).a = r.links;
  for (const r of inB) row(r).b = r.links;
  return [...rows.values()].sort((x, y) =>
    x.method === y.method ? (x.rule < y.rule ? -1 : 1) : x.method < y.method ? -1 : 1,
  );
}

/** The identifiers of `personIds` in `graph`, as sample persons. */
async function samplePersons(
  graph: Pick<Graph, 'query'>,
  personIds: readonly string[],
  showValues: boolean,
): Promise<Map<string, SamplePerson>> {
  const persons = new Map<string, SamplePerson>(
    personIds.map((id) => [id, { personId: id, types: {}, ...(showValues ? { keys: [] } : {}) }]),
  );
  if (personIds.length === 0) return persons;
  const rows = await graph.query<{ personId: string; key: string; type: string }>(
    'read/persons-identifiers',
    { personIds },
  );
  for (const r of rows) {
    const p = persons.get(r.personId)!;
    p.types[r.type] = (p.types[r.type] ?? 0) + 1;
    p.keys?.push(r.key);
  }
  return persons;
}

/** The first `n` of the changes, most persons involved first, then by id. */
function pick(changes: Map<string, string[]>, n: number): [string, string[]][] {
  return [...changes]
    .sort(([x, xs], [y, ys]) => ys.length - xs.length || (x < y ? -1 : 1))
    .slice(0, n)
    .map(([id, others]) => [id, others.slice(0, PERSONS_PER_CASE)]);
}

export async function diffGraphs(
  a: Pick<Graph, 'query'>,
  b: Pick<Graph, 'query'>,
  options: DiffOptions,
): Promise<DiffReport> {
  const accumulator = createPartitionDiff(options.truth?.entityOf);
  await mergeJoin(partitionRows(a, options.pageSize), partitionRows(b, options.pageSize), (x, y) =>
    accumulator.visit(x, y),
  );
  const { diff, truth } = accumulator.result();
  const { merged, split } = accumulator.contingency.changes();
  const mergedCases = pick(merged, options.samples);
  const splitCases = pick(split, options.samples);
  const idsInA = [...mergedCases.flatMap(([, refs]) => refs), ...splitCases.map(([id]) => id)];
  const idsInB = [...mergedCases.map(([id]) => id), ...splitCases.flatMap(([, parts]) => parts)];
  const [personsA, personsB, links] = await Promise.all([
    samplePersons(a, [...new Set(idsInA)], options.showValues),
    samplePersons(b, [...new Set(idsInB)], options.showValues),
    linkCounts(a, b),
  ]);
  return {
    ...diff,
    links,
    samples: {
      merged: mergedCases.map(([id, refs]) => ({
        a: refs.map((r) => personsA.get(r)!),
        b: [personsB.get(id)!],
      })),
      split: splitCases.map(([id, parts]) => ({
        a: [personsA.get(id)!],
        b: parts.map((p) => personsB.get(p)!),
      })),
    },
    ...(truth && options.truth ? { truth: { ...truth, rejected: options.truth.rejected } } : {}),
  };
}
