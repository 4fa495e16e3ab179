import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { benchCypherNames, benchStatements } from '../../bench/services/bench-cypher.js';
import { cypherNames, cypherRoot, serviceStatements } from '../../src/graph/cypher-loader.js';
import { BLOCKING_RULE_SLOTS } from '../../src/graph/cypher-template.js';
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
const ruleSlots = Array.from({ length: BLOCKING_RULE_SLOTS }, (_, k) => k);

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

  it('writes what is per blocking rule once: no file spells a rule slot', () => {
    for (const name of cypherNames) {
      const file = readFileSync(join(cypherRoot, 'queries', `${name}.cypher`), 'utf8');
      expect(code(file), name).not.toMatch(/\bblocks?\d/);
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

/** The per-rule statements as Neo4j receives them: one part per rule slot, each on its own index. */
describe('per-rule statements', () => {
  /** The `block<n>` and `[<n>]` slot numbers a piece of a statement mentions. */
  const slotsIn = (text: string) =>
    [
      ...new Set([...text.matchAll(/\bblocks?(\d)\b|\[(\d)\]/g)].map((m) => Number(m[1] ?? m[2]))),
    ].sort();

  it('claim-records: one subquery per rule, block0..block7, each seeking its own index', () => {
    const text = code(service.text('write/claim-records'));
    const subqueries = [...text.matchAll(/CALL \(\) \{\n {2}UNWIND range[\s\S]*?\n\}/g)].map(
      (m) => m[0],
    );
    expect(subqueries).toHaveLength(BLOCKING_RULE_SLOTS);
    subqueries.forEach((subquery, k) => {
      expect(subquery).toContain(`toInteger($rows.probes.keys[${k}][n]) AS key`);
      expect(subquery).toContain(`$rows.probes.sources[${k}][n] AS source`);
      expect(
        subquery.match(new RegExp(`c\\.block${k} = key AND c\\.id IS NOT NULL`, 'g')),
      ).toHaveLength(2);
      expect(subquery).toMatch(new RegExp(`\\]\\) AS blocks${k}\\n\\}$`));
      expect(slotsIn(subquery)).toEqual([k]);
    });
    for (const k of ruleSlots) expect(text).toContain(`block${k}: toInteger(row[8][${k}])`);
    expect(text).toMatch(
      /block6: toInteger\(row\[8\]\[6\]\),\n\s*block7: toInteger\(row\[8\]\[7\]\)\n/,
    );
    const returned = /RETURN seen, \[([\s\S]*)\] AS blocks/.exec(text)?.[1];
    expect(returned?.split(',').map((s) => s.trim())).toEqual(ruleSlots.map((k) => `blocks${k}`));
  });

  it('recheck-blocks: one UNION branch per rule, each seeking its own index', () => {
    const text = code(service.text('read/recheck-blocks'));
    const body = /CALL \(probe\) \{\n([\s\S]*?)\n\}/.exec(text)?.[1] ?? '';
    const branches = body.split(/\n\s*UNION ALL\n/);
    expect(branches).toHaveLength(BLOCKING_RULE_SLOTS);
    branches.forEach((branch, k) => {
      expect(branch).toContain(`WITH probe WHERE probe[1] = ${k}`);
      expect(branch).toContain(
        `c.block${k} = toInteger(CASE WHEN probe[1] = ${k} THEN probe[2] END) AND c.id IS NOT NULL`,
      );
    });
  });

  it('refile-records sets every rule slot; rescore-records-page returns every one', () => {
    const refile = code(service.text('write/refile-records'));
    const set = /SET\n([\s\S]*?)\nRETURN/.exec(refile)?.[1] ?? '';
    expect(set.split(',\n').map((s) => s.trim())).toEqual(
      ruleSlots.map((k) => `r.block${k} = toInteger(row[1][${k}])`),
    );
    const page = code(service.text('read/rescore-records-page'));
    const returned = /\[([^[\]]*)\] AS blocks/.exec(page)?.[1] ?? '';
    expect(returned.split(',').map((s) => s.trim())).toEqual(ruleSlots.map((k) => `r.block${k}`));
  });
});
