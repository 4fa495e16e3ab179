import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../logger.js';
import { cypherRoot } from './cypher-loader.js';
import type { Graph } from './graph-client.js';
import { graphErrorCode, isTransientGraphError } from './graph-errors.js';

/**
 * Schema migrations: `cypher/schema/000N_name.cypher`, append-only, applied in order at start-up and
 * recorded as `(:SchemaMigration {version})` nodes.
 *
 * Every statement is written `IF NOT EXISTS`, so applying a migration twice is harmless. That is what
 * makes two processes starting at once safe: both may run a statement, neither fails, and the record
 * is a MERGE on a uniquely constrained version. A changed, already-applied file is refused (checksum).
 */

export interface Migration {
  version: number;
  name: string;
  checksum: string;
  statements: string[];
}

const fileName = /^(\d{4})_([a-z0-9_]+)\.cypher$/;

/** The bootstrap constraint the migration records themselves rely on. */
const bootstrap =
  'CREATE CONSTRAINT schema_migration_version IF NOT EXISTS FOR (m:SchemaMigration) REQUIRE m.version IS UNIQUE';

/** Splits a schema file into statements: `;` at the end of a line ends one; `//` lines are comments. */
export function splitStatements(text: string): string[] {
  const withoutComments = text
    .split('\n')
    .filter((line) => !line.trim().startsWith('//'))
    .join('\n');
  return withoutComments
    .split(/;\s*(?:\n|$)/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

export function loadMigrations(dir = join(cypherRoot, 'schema')): Migration[] {
  const migrations = readdirSync(dir)
    .filter((f) => f.endsWith('.cypher'))
    .sort()
    .map((file) => {
      const match = fileName.exec(file);
      if (!match) throw new Error(`schema file ${file} must be named 000N_name.cypher`);
      const text = readFileSync(join(dir, file), 'utf8');
      return {
        version: Number(match[1]),
        name: match[2]!,
        checksum: createHash('sha256').update(text).digest('hex'),
        statements: splitStatements(text),
      };
    });
  migrations.forEach((m, index) => {
    if (m.version !== index + 1)
      throw new Error(
        `schema migrations must be numbered 1..n without gaps; found ${m.version} at position ${index + 1}`,
      );
  });
  return migrations;
}

/** Codes Neo4j answers when another process created the same schema rule a moment earlier. */
const concurrentSchemaCodes = new Set([
  'Neo.ClientError.Schema.EquivalentSchemaRuleAlreadyExists',
  'Neo.ClientError.Schema.ConstraintAlreadyExists',
  'Neo.ClientError.Schema.IndexAlreadyExists',
]);

async function runIdempotent(graph: Graph, statement: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await graph.runSchema(statement);
      return;
    } catch (error) {
      if (concurrentSchemaCodes.has(graphErrorCode(error) ?? '')) return;
      if (isTransientGraphError(error) && attempt < 10) {
        await new Promise((r) => setTimeout(r, 100 * attempt));
        continue;
      }
      throw error;
    }
  }
}

export async function applyMigrations(
  graph: Graph,
  logger: Logger,
  migrations = loadMigrations(),
): Promise<{ applied: number[] }> {
  await runIdempotent(graph, bootstrap);
  const recorded = new Map(
    (await graph.query<{ version: number; checksum: string }>('read/applied-migrations')).map(
      (r) => [r.version, r.checksum],
    ),
  );
  const applied: number[] = [];
  for (const migration of migrations) {
    const checksum = recorded.get(migration.version);
    if (checksum !== undefined) {
      if (checksum !== migration.checksum) {
        throw new Error(
          `schema migration ${migration.version} (${migration.name}) changed after it was applied; add a new migration instead`,
        );
      }
      continue;
    }
    for (const statement of migration.statements) await runIdempotent(graph, statement);
    await graph.query('write/record-migration', {
      version: migration.version,
      name: migration.name,
      checksum: migration.checksum,
    });
    applied.push(migration.version);
    logger.info({ migration: migration.version, name: migration.name }, 'schema migration applied');
  }
  // Constraints are usable at once, but new indexes populate in the background.
  await graph.runSchema('CALL db.awaitIndexes(300)');
  return { applied };
}

/** True when every migration on disk is recorded in the graph (used by /readyz). */
export async function migrationsApplied(
  graph: Graph,
  migrations = loadMigrations(),
): Promise<boolean> {
  const recorded = await graph.query<{ version: number }>('read/applied-migrations');
  const versions = new Set(recorded.map((r) => r.version));
  return migrations.every((m) => versions.has(m.version));
}
