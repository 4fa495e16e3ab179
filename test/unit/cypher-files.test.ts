import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cypherNames, cypherRoot, loadCypher } from '../../src/graph/cypher-loader.js';
import { loadMigrations, splitStatements } from '../../src/graph/migrations.js';

describe('cypher files', () => {
  it('has exactly one file for every statement name, and loads each', () => {
    const files = ['read', 'write'].flatMap((dir) =>
      readdirSync(join(cypherRoot, 'queries', dir)).map(
        (f) => `${dir}/${f.replace(/\.cypher$/, '')}`,
      ),
    );
    expect([...cypherNames].sort()).toEqual(files.sort());
    for (const name of cypherNames) expect(loadCypher(name).trim().length).toBeGreaterThan(0);
  });

  it('takes parameters only: no string concatenation of values into statements', () => {
    for (const name of cypherNames) expect(loadCypher(name)).not.toMatch(/\$\{|\+\s*'/);
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
