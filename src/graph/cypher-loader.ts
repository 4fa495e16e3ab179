import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expandCypher } from './cypher-template.js';

/**
 * Every Cypher statement lives in a `.cypher` file and is loaded by name: the service's in
 * `cypher/queries/{read,write}/<name>.cypher`, named `read/<name>` or `write/<name>`. The list below is
 * the typed set of names, so a typo fails at compile time; a unit test checks it against the files.
 *
 * The folder says whether the statement writes. A read statement writes and locks nothing (the unit
 * test checks for writing clauses): it runs as a read, or inside a write transaction that needs what
 * it reads under that transaction's locks. A write statement (a lock is one: it writes a property to
 * take it) runs only in a write transaction.
 */
export const cypherNames = [
  'read/active-model',
  'read/anchor-links',
  'read/applied-migrations',
  'read/audit-by-person',
  'read/audit-recent',
  'read/candidate-anchors',
  'read/candidate-keys',
  'read/candidate-records',
  'read/change-feed-entries',
  'read/change-feed-sizes',
  'read/changes-undelivered',
  'read/consent-states',
  'read/constraints-page',
  'read/database-info',
  'read/erase-page-events',
  'read/export-identifiers-page',
  'read/export-links-page',
  'read/export-totals',
  'read/explain-between',
  'read/explain-path',
  'read/explain-records',
  'read/explain-sides',
  'read/graph-invariants',
  'read/graph-is-test-instance',
  'read/graph-totals',
  'read/identifier-partition',
  'read/identifier-view',
  'read/link-counts',
  'read/link-events',
  'read/link-explain',
  'read/manual-moves',
  'read/manual-person-graph',
  'read/manual-persons',
  'read/model-nodes',
  'read/model-version',
  'read/person-at',
  'read/partition-page',
  'read/person-attributes',
  'read/person-by-id',
  'read/person-components',
  'read/person-consent',
  'read/person-history-page',
  'read/person-link-graph',
  'read/person-links',
  'read/person-survivor',
  'read/persons-identifiers',
  'read/ping',
  'read/privacy-export',
  'read/privacy-export-events',
  'read/privacy-export-identifiers',
  'read/privacy-export-links',
  'read/privacy-export-persons',
  'read/privacy-export-records',
  'read/privacy-known-keys',
  'read/privacy-person-keys',
  'read/privacy-request-by-id',
  'read/privacy-requests-page',
  'read/recheck-blocks',
  'read/records-page',
  'read/records-sample',
  'read/replay-decisions',
  'read/replay-events-page',
  'read/replay-totals',
  'read/rescore-blocks',
  'read/rescore-records-page',
  'read/rescore-totals',
  'read/resolve-identifiers',
  'read/revert-seeds',
  'read/reviews-by-status',
  'read/split-crossings',
  'read/stale-links-page',
  'read/suppressions-page',
  'write/activate-model',
  'write/add-constraints',
  'write/append-changes',
  'write/apply-plan',
  'write/changes-enqueued',
  'write/claim-batch',
  'write/claim-records',
  'write/clear-test-graph',
  'write/copy-suppressions',
  'write/decide-review',
  'write/erase-audit-notes',
  'write/erase-page',
  'write/erase-persons',
  'write/erase-suppress',
  'write/lift-suppressions',
  'write/lock-audit-record',
  'write/lock-identifiers',
  'write/lock-link',
  'write/lock-matching',
  'write/lock-persons',
  'write/lock-persons-by-id',
  'write/lock-review',
  'write/manual-audit',
  'write/mark-reverted',
  'write/mark-test-instance',
  'write/mark-unlinked',
  'write/privacy-audit',
  'write/privacy-export-save',
  'write/privacy-export-sweep',
  'write/privacy-request-create',
  'write/privacy-request-fail',
  'write/privacy-request-progress',
  'write/privacy-request-start',
  'write/reanchor-links',
  'write/record-consent',
  'write/record-migration',
  'write/record-model',
  'write/refile-records',
  'write/relay-changes',
  'write/remove-constraint',
  'write/replay-constraint',
  'write/replay-finished',
  'write/replay-review-decision',
  'write/replay-run',
  'write/replay-withdraw-link',
  'write/rescore-links',
  'write/revert-merge',
  'write/revoke-link-purposes',
  'write/split-person',
  'write/sweep-changes',
  'write/withdraw-links',
  'write/withdraw-manual-links',
] as const;

export type CypherName = (typeof cypherNames)[number];

/** `cypher/` ships next to `src/` and `dist/` alike, so one path works from source and from the build. */
export const cypherRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'cypher');

/** A statement name: its file's path below the statements' folder, the last folder `read` or `write`. */
export type StatementPath = `${string}${'read' | 'write'}/${string}`;

/** A set of named statements: what a graph client runs. */
export interface CypherStatements<N extends string> {
  readonly names: readonly N[];
  /** The statement Neo4j receives: the file's text with its markers expanded (cypher-template.ts). */
  text(name: N): string;
  /** True when the statement's file sits in a `write/` folder. */
  writes(name: N): boolean;
}

/** Statements read from `<dir>/<name>.cypher`, each file read and expanded once, on first use. */
export function cypherStatements<N extends StatementPath>(
  dir: string,
  names: readonly N[],
): CypherStatements<N> {
  const texts = new Map<N, string>();
  return {
    names,
    text(name) {
      let text = texts.get(name);
      if (text === undefined) {
        text = expandCypher(readFileSync(join(dir, `${name}.cypher`), 'utf8'));
        texts.set(name, text);
      }
      return text;
    },
    writes: (name) => /(^|\/)write\/[^/]+$/.test(name),
  };
}

/** The service's statements, `cypher/queries/`. */
export function serviceStatements(): CypherStatements<CypherName> {
  return cypherStatements(join(cypherRoot, 'queries'), cypherNames);
}

/** Two sets of statements as one, for a caller that runs its own statements next to the service's. */
export function joinStatements<A extends string, B extends string>(
  a: CypherStatements<A>,
  b: CypherStatements<B>,
): CypherStatements<A | B> {
  const inA = new Set<string>(a.names);
  const shared = b.names.filter((name) => inA.has(name));
  if (shared.length > 0) throw new Error(`statement names given twice: ${shared.join(', ')}`);
  const isA = (name: A | B): name is A => inA.has(name);
  return {
    names: [...a.names, ...b.names],
    text: (name) => (isA(name) ? a.text(name) : b.text(name)),
    writes: (name) => (isA(name) ? a.writes(name) : b.writes(name)),
  };
}
