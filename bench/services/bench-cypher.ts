import {
  type CypherName,
  cypherRoot,
  cypherStatements,
  joinStatements,
  serviceStatements,
} from '../../src/graph/cypher-loader.js';
import type { Graph } from '../../src/graph/graph-client.js';

/**
 * The benchmarks' own Cypher, `cypher/bench/{read,write}/<name>.cypher`, named `bench/read/<name>`
 * and `bench/write/<name>`: bulk loads and ceilings that the service never runs, kept out of its
 * statement names. A benchmark's graph client runs them next to the service's statements, in
 * transactions tagged with their names like any other.
 */
export const benchCypherNames = [
  'bench/read/explain-raw-path',
  'bench/read/jvm-heap',
  'bench/read/lookup-warm-up',
  'bench/read/privacy-feed-settled',
  'bench/read/privacy-person-keys',
  'bench/read/raw-export-identifiers',
  'bench/read/raw-export-links',
  'bench/read/raw-feed-page',
  'bench/write/export-graph',
  'bench/write/lookup-links',
  'bench/write/lookup-persons',
  'bench/write/raw-erase',
  'bench/write/raw-merge',
  'bench/write/raw-revoke',
  'bench/write/ui-person',
] as const;

export type BenchCypherName = (typeof benchCypherNames)[number];

/** A graph client that runs the service's statements and the benchmarks'. */
export type BenchGraph = Graph<CypherName | BenchCypherName>;

/** For `createGraph({ ..., statements: benchStatements() })`. */
export function benchStatements() {
  return joinStatements(serviceStatements(), cypherStatements(cypherRoot, benchCypherNames));
}
