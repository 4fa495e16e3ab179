import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/cli-program.js';

/** The command line up to the point where it would connect: no network needed. */

async function run(args: string[], env: Record<string, string> = {}) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    env,
  });
  return { code, stdout, stderr };
}

describe('idgraph command line', () => {
  it('prints the package version', async () => {
    const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
    expect(await run(['--version'])).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
  });

  it('lists the commands and the exit codes in --help', async () => {
    const { code, stdout } = await run(['--help']);
    expect(code).toBe(0);
    for (const text of [
      'resolve',
      'person',
      'ingest',
      'Exit codes:',
      '3    Neo4j or Redis unavailable',
    ])
      expect(stdout).toContain(text);
  });

  it('exits 2 listing every bad environment variable', async () => {
    const { code, stdout, stderr } = await run(['resolve', 'email', 'a@example.org'], {
      NEO4J_URI: 'http://nope',
      PORT: 'eighty',
    });
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain('idgraph: invalid configuration:');
    expect(stderr).toContain('NEO4J_URI: must be a bolt:// or neo4j:// URI');
    expect(stderr).toContain('PORT:');
  });

  it.each([
    [['frobnicate'], /unknown command 'frobnicate'/],
    [['resolve', 'email'], /missing required argument 'value'/],
    [['ingest', 'events.ndjson', '--batch-size', '5000'], /an integer from 1 to 1000/],
    [['ingest', 'events.ndjson', '--format', 'xml'], /Allowed choices are ndjson, csv/],
    [['ingest', 'events.ndjson', '--timeout', '-1'], /a positive number of seconds/],
  ])('exits 2 on bad usage: %j', async (args, message) => {
    const { code, stderr } = await run(args);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
  });

  it('exits 2 for an unknown identifier type, naming the known ones, before connecting', async () => {
    // NEO4J_URI points at a port nothing listens on: the check must come first.
    const { code, stderr } = await run(['resolve', 'emial', 'a@example.org'], {
      NEO4J_URI: 'bolt://127.0.0.1:9',
    });
    expect(code).toBe(2);
    expect(stderr).toMatch(/unknown identifier type "emial"; known types: email, phone, user_id/);
  });

  it.each([
    [['person', 'per x'], 'a person id is'],
    [['ingest', 'events.txt'], 'pass --format ndjson or --format csv'],
    [['ingest', 'no/such/file.ndjson'], 'no such file'],
    [['ingest', 'x.csv', '--source', 'bad source'], '--source'],
  ])('exits 2 before connecting: %j', async (args, message) => {
    const { code, stderr } = await run(args);
    expect(code).toBe(2);
    expect(stderr).toContain(message);
  });
});
