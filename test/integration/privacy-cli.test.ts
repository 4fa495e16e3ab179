import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { userInfo } from 'node:os';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { identifierHasherFromConfig } from '../../src/privacy/identifier-hash.js';
import { privacyRequestViewSchema } from '../../src/privacy/privacy-contract.js';
import { testGraph } from '../support/privacy.js';
import { clearGraph, startService, testEnv, type TestService } from './harness.js';

/**
 * `idgraph privacy` as a user runs it: a child process on the service's environment, creating
 * requests on the queue an in-process worker runs, with the API's validation.
 */

const cliPath = fileURLToPath(new URL('../../src/cli.ts', import.meta.url));

let env: Record<string, string>;
let worker: TestService;
let graph: ReturnType<typeof testGraph>;

beforeAll(async () => {
  env = testEnv();
  worker = await startService(
    { INGEST_QUEUE: env.INGEST_QUEUE!, PRIVACY_QUEUE: env.PRIVACY_QUEUE! },
    'worker',
  );
  await clearGraph(worker.graph);
  graph = testGraph(worker.config);
});
afterAll(async () => {
  await worker?.close();
  await graph?.close();
});

function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', cliPath, ...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('idgraph privacy', () => {
  it('creates a request, waits for its report, and shows it again by id', async () => {
    const tag = randomUUID().slice(0, 8);
    const hash = identifierHasherFromConfig(worker.config);
    await graph.query('cypher/write/add-suppressions', {
      hashes: [`email:ann.${tag}@example.org`].map(hash),
      requestId: 'x',
    });
    const args = [
      'privacy',
      'unsuppress',
      '--identifier',
      `email=Ann.${tag}@Example.org`,
      '--identifier',
      `user_id=u=${tag}`,
      '--reason',
      'ticket PRIV-9',
      '--request-id',
      `cli-${tag}`,
    ];
    const run = await cli([...args, '--wait', '--json']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const view = privacyRequestViewSchema.parse(JSON.parse(run.stdout));
    expect(view).toMatchObject({
      type: 'unsuppress',
      status: 'completed',
      actor: `cli:${userInfo().username}`,
      requestId: `cli-${tag}`,
      report: { subject: { identifiers: 2, notFound: 2 }, suppressionsLifted: 1 },
    });

    const repeat = await cli(args);
    expect(repeat).toMatchObject({ code: 0, stdout: `${view.id} completed\n` });
    const status = await cli(['privacy', 'status', view.id]);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/^request +prq_/);
    expect(status.stdout).toMatch(/status +completed/);
    expect(status.stdout).toMatch(/suppressions lifted +1/);
    expect(status.stdout).not.toContain(tag.toLowerCase() + '@');
  });

  it('refuses what the API refuses, with exit code 2; an unknown id is not found (1)', async () => {
    const erase = await cli([
      'privacy',
      'erase',
      '--identifier',
      'email=a@b.org',
      '--reason',
      'customer A@B.org asked',
    ]);
    expect(erase.code).toBe(2);
    expect(erase.stderr).toContain('reason');
    expect(erase.stderr).not.toContain('a@b.org');
    const revoke = await cli(['privacy', 'revoke', '--person', 'per_x', '--reason', 'r']);
    expect(revoke).toMatchObject({ code: 2, stderr: 'idgraph: --purpose: required for revoke\n' });
    const both = await cli(['privacy', 'unsuppress', '--reason', 'r']);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('name the subject');
    const missing = await cli(['privacy', 'status', 'prq_unknown']);
    expect(missing).toMatchObject({ code: 1, stdout: 'not found\n' });
  });
});
