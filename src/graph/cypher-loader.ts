import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Every Cypher statement lives in `cypher/queries/{read,write}/<name>.cypher` and is loaded by name.
 * The folder decides whether the statement runs in a read or a write transaction. The list below is
 * the typed set of names, so a typo fails at compile time; a unit test checks it against the files.
 */
export const cypherNames = [
  'read/applied-migrations',
  'read/audit-by-person',
  'read/audit-recent',
  'read/bench-lookup-warm-up',
  'read/graph-invariants',
  'read/graph-is-test-instance',
  'read/graph-totals',
  'read/identifier-partition',
  'read/identifier-view',
  'read/link-explain',
  'read/person-attributes',
  'read/person-by-id',
  'read/person-links',
  'read/ping',
  'read/records-page',
  'read/resolve-identifiers',
  'read/reviews-by-status',
  'read/stale-links-page',
  'write/apply-plan',
  'write/bench-lookup-links',
  'write/bench-lookup-persons',
  'write/bench-raw-merge',
  'write/claim-batch',
  'write/claim-records',
  'write/clear-test-graph',
  'write/decide-review',
  'write/lock-identifiers',
  'write/lock-link',
  'write/lock-matching',
  'write/lock-persons',
  'write/lock-review',
  'write/mark-test-instance',
  'write/person-components',
  'write/read-anchors',
  'write/read-candidates',
  'write/read-record-keys',
  'write/recheck-blocks',
  'write/record-migration',
  'write/record-model',
  'write/refile-records',
  'write/rescore-link',
  'write/split-person',
] as const;

export type CypherName = (typeof cypherNames)[number];

/** `cypher/` ships next to `src/` and `dist/` alike, so one path works from source and from the build. */
export const cypherRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'cypher');

const cache = new Map<string, string>();

export function loadCypher(name: CypherName): string {
  let text = cache.get(name);
  if (text === undefined) {
    text = readFileSync(join(cypherRoot, 'queries', `${name}.cypher`), 'utf8');
    cache.set(name, text);
  }
  return text;
}

export function isWriteQuery(name: CypherName): boolean {
  return name.startsWith('write/');
}
