import { readFileSync } from 'node:fs';
import { format, resolveConfig } from 'prettier';
import { describe, expect, it } from 'vitest';
import {
  configVariables,
  endMarker,
  envExamplePath,
  readmePath,
  renderConfigTable,
  renderEnvExample,
  replaceReadmeBlock,
  startMarker,
} from '../../scripts/gen-config-docs.js';
import { configSchema, loadConfig } from '../../src/config.js';

const keys = Object.keys(configSchema.shape);
const readme = readFileSync(readmePath, 'utf8');

describe('configuration docs', () => {
  it('.env.example on disk is the one generated from the schema (run `npm run docs:config`)', () => {
    expect(readFileSync(envExamplePath, 'utf8')).toBe(renderEnvExample());
  });

  it('the README table is the one generated from the schema', () => {
    expect(readme).toContain(startMarker);
    expect(readme).toContain(endMarker);
    expect(readme).toBe(replaceReadmeBlock(readme, renderConfigTable()));
  });

  it('the README table has one row per schema key, in schema order', () => {
    const rows = renderConfigTable()
      .trim()
      .split('\n')
      .slice(2)
      .map((row) => /^\| `([A-Z0-9_]+)` +\|/.exec(row)?.[1]);
    expect(rows).toEqual(keys);
  });

  it('the table is already formatted as Prettier formats the README', async () => {
    const options = await resolveConfig(readmePath);
    const table = renderConfigTable();
    expect(await format(table, { ...options, parser: 'markdown' })).toBe(table);
  });

  it('.env.example names every key, commented out, in schema order', () => {
    const names = [...renderEnvExample().matchAll(/^# ([A-Z0-9_]+)=/gm)].map((m) => m[1]);
    expect(names).toEqual(keys);
  });

  it('shows the defaults that loadConfig applies', () => {
    const defaults = loadConfig({}) as Record<string, unknown>;
    for (const variable of configVariables()) {
      const applied = defaults[variable.name];
      if (variable.defaultValue === undefined) {
        expect(applied, variable.name).toBeUndefined();
      } else {
        // A list is written comma separated in the environment.
        expect(variable.defaultValue, variable.name).toBe(
          typeof applied === 'string'
            ? applied
            : Array.isArray(applied)
              ? applied.join(',')
              : JSON.stringify(applied),
        );
      }
    }
  });

  it('uncommenting a line of .env.example yields a valid config', () => {
    // The example values are the defaults, so a copy with every line uncommented must still parse.
    const env = Object.fromEntries(
      [...renderEnvExample().matchAll(/^# ([A-Z0-9_]+)=(.*)$/gm)].map((m) => [m[1]!, m[2]!]),
    );
    expect(() => loadConfig(env)).not.toThrow();
  });

  it('marks secrets and never shows a value for them', () => {
    const password = configVariables().find((v) => v.name === 'NEO4J_PASSWORD');
    expect(password).toMatchObject({ secret: true, defaultValue: undefined });
    expect(renderConfigTable()).toMatch(/^\| `NEO4J_PASSWORD` +\| — \(secret\) +\|/m);
    expect(renderEnvExample()).toMatch(/^# NEO4J_PASSWORD=$/m);
  });

  it('replaces only the marked README block, and leaves a README without markers alone', () => {
    const readme = `# idgraph\n\nintro\n\n${startMarker}\nold table\n${endMarker}\n\n## Next\n`;
    const updated = replaceReadmeBlock(readme, '| new |\n');
    expect(updated).toBe(
      `# idgraph\n\nintro\n\n${startMarker}\n\n| new |\n\n${endMarker}\n\n## Next\n`,
    );
    expect(replaceReadmeBlock(updated!, '| new |\n')).toBe(updated);
    expect(replaceReadmeBlock('# idgraph\n', '| new |\n')).toBeUndefined();
  });
});

describe('docker-compose.yml', () => {
  const compose = readFileSync(new URL('../../docker-compose.yml', import.meta.url), 'utf8');
  // Neo4j's own container settings, not ours.
  const neo4jImageSetting = /^NEO4J_(AUTH|server_\w+)$/;

  it('passes the service only variables its config schema reads', () => {
    const names = new Set(
      [...compose.matchAll(/^ {4,6}([A-Za-z][A-Za-z0-9_]*): /gm)]
        .map((m) => m[1]!)
        .filter((name) => /^[A-Z]/.test(name) && !neo4jImageSetting.test(name)),
    );
    expect(names.size).toBeGreaterThan(10);
    expect([...names].filter((name) => !keys.includes(name))).toEqual([]);
  });

  it('requires NEO4J_PASSWORD rather than defaulting it', () => {
    expect(compose).toMatch(/NEO4J_PASSWORD: \$\{NEO4J_PASSWORD:\?/);
    expect(compose).toMatch(/NEO4J_AUTH: neo4j\/\$\{NEO4J_PASSWORD:\?/);
  });
});
