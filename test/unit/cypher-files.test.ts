import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { benchCypherNames, benchStatements } from '../../bench/cypher-support.js';
import { cypherNames, cypherRoot, serviceStatements } from '../../src/graph/cypher-loader.js';
import { loadMigrations, splitStatements } from '../../src/graph/migrations.js';

/** `<prefix><dir>/<name>` for every .cypher file in `<root>/read` and `<root>/write`. */
function filesIn(root: string, prefix = ''): string[] {
  return ['read', 'write'].flatMap((dir) =>
    readdirSync(join(root, dir)).map((f) => `${prefix}${dir}/${f.replace(/\.cypher$/, '')}`),
  );
}

const service = serviceStatements();
const all = benchStatements();
const code = (text: string) => text.replace(/\/\/.*$/gm, '');
const writingClause = /\b(CREATE|MERGE|SET|DELETE|REMOVE|DETACH|FOREACH)\b/;

describe('cypher files', () => {
  it('has exactly one file for every statement name, and loads each', () => {
    expect([...cypherNames].sort()).toEqual(filesIn(join(cypherRoot, 'queries')).sort());
    for (const name of cypherNames) expect(service.text(name).trim().length).toBeGreaterThan(0);
  });

  it('keeps the benchmarks’ statements apart, under their own names', () => {
    expect([...benchCypherNames].sort()).toEqual(
      filesIn(join(cypherRoot, 'bench'), 'bench/').sort(),
    );
    for (const name of benchCypherNames) expect(all.text(name).trim().length).toBeGreaterThan(0);
    expect(cypherNames.filter((name) => name.includes('bench'))).toEqual([]);
  });

  it('takes parameters only: no string concatenation of values into statements', () => {
    for (const name of all.names) expect(all.text(name)).not.toMatch(/\$\{|\+\s*'/);
  });

  it('names by folder whether a statement writes: reads have no writing clause, writes have one', () => {
    for (const name of all.names) {
      expect(all.writes(name), name).toBe(name.split('/').at(-2) === 'write');
      if (all.writes(name)) expect(code(all.text(name)), name).toMatch(writingClause);
      else expect(code(all.text(name)), name).not.toMatch(writingClause);
    }
  });

  it('numbers migrations 1..n and splits them into statements', () => {
    const migrations = loadMigrations();
    expect(migrations.map((m) => m.version)).toEqual(migrations.map((_, i) => i + 1));
    for (const m of migrations) {
      expect(m.statements.length).toBeGreaterThan(0);
      // Several processes may migrate at once: schema rules must tolerate existing.
      for (const s of m.statements)
        if (/^CREATE (CONSTRAINT|INDEX)/.test(s)) expect(s).toMatch(/IF NOT EXISTS/);
    }
    expect(splitStatements('// c\nCREATE A;\nCREATE B;\n')).toEqual(['CREATE A', 'CREATE B']);
  });
});
