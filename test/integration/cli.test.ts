import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { freePort } from '../../scripts/local-services.mjs';
import type { IngestSummary } from '../../src/cli/ingest-summary.js';
import { createIngestQueue } from '../../src/ingest/ingest-queue.js';
import { createRedis } from '../../src/ingest/redis-connection.js';
import { createPersonService } from '../../src/persons/person-service.js';
import { identifierRegistry } from '../../src/resolver/resolver-config.js';
import { clearGraph, event, startService, testEnv, type TestService } from './harness.js';

/**
 * The `idgraph` command as a user runs it: a child process on the service's environment, against
 * the real Neo4j and Redis, with an in-process worker consuming the queue the CLI fills.
 */

const cliPath = fileURLToPath(new URL('../../src/cli.ts', import.meta.url));

let env: Record<string, string>;
let worker: TestService;
let dir: string;

beforeAll(async () => {
  env = testEnv();
  worker = await startService({ INGEST_QUEUE: env.INGEST_QUEUE! }, 'worker');
  dir = await mkdtemp(join(tmpdir(), 'idgraph-cli-'));
});
afterAll(async () => {
  await worker?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});
beforeEach(async () => {
  await clearGraph(worker.graph);
});

interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

function cli(
  args: string[],
  overrides: Record<string, string> = {},
  timeoutMs = 90_000,
): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', cliPath, ...args], {
      env: { ...process.env, ...env, ...overrides },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`idgraph ${args.join(' ')} still running after ${timeoutMs} ms\n${stderr}`));
    }, timeoutMs);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

const summaryOf = (run: CliRun) => JSON.parse(run.stdout) as IngestSummary;

/** In-process lookups, for checks that are not about the CLI itself (each CLI run is a process start). */
async function personIdOf(type: string, value: string): Promise<string | null> {
  const persons = createPersonService({
    graph: worker.graph,
    registry: identifierRegistry(worker.config),
  });
  const [result] = await persons.resolveMany([{ type, value }]);
  return result?.personId ?? null;
}

async function resolveId(type: string, value: string): Promise<string> {
  const run = await cli(['resolve', type, value]);
  expect(run, run.stderr).toMatchObject({ code: 0 });
  return run.stdout.trim();
}

/** Identity events for `persons` people, three events each, all linking into one person apiece. */
function personEvents(prefix: string, persons: number) {
  const events = [];
  for (let p = 0; p < persons; p++) {
    const email = `${prefix}${p}@example.org`;
    events.push(
      event(
        [
          { type: 'email', value: email },
          { type: 'cookie_id', value: `${prefix}-ck-${p}` },
        ],
        { id: `${prefix}-${p}-a` },
      ),
      event(
        [
          { type: 'cookie_id', value: `${prefix}-ck-${p}` },
          { type: 'user_id', value: `${prefix}-u-${p}` },
        ],
        { id: `${prefix}-${p}-b` },
      ),
      event(
        [
          { type: 'email', value: email.toUpperCase() },
          { type: 'device_id', value: `${prefix}-dev-${p}` },
        ],
        { id: `${prefix}-${p}-c` },
      ),
    );
  }
  return events;
}

describe('idgraph ingest, resolve and person', () => {
  it('ingests an NDJSON file, reports every bad line, and the persons resolve', async () => {
    const lines = personEvents('nd', 100).map((e) => JSON.stringify(e));
    // Whole-event rejections by the resolver (blocked value only), one dropped value, one repeat.
    lines.push(
      JSON.stringify(event([{ type: 'email', value: 'test@test.com' }], { id: 'blocked-1' })),
    );
    lines.push(JSON.stringify(event([{ type: 'user_id', value: 'null' }], { id: 'blocked-2' })));
    lines.push(
      JSON.stringify(
        event(
          [
            { type: 'email', value: 'dora@example.org' },
            { type: 'phone', value: 'not a phone' },
          ],
          { id: 'dropped-1' },
        ),
      ),
    );
    lines.push(lines[0]!);
    // Invalid lines, spread through the file; their values must never be printed.
    const invalid = [
      '{"id": "broken", "identifiers": [{"type": "email", "value": "secret1@example.org"}',
      '["secret2@example.org"]',
      JSON.stringify({
        id: 'x1',
        source: 'web',
        occurredAt: 'yesterday',
        identifiers: [{ type: 'email', value: 'secret3@example.org' }],
      }),
      JSON.stringify({
        id: 'x2',
        source: 'web',
        occurredAt: '2026-01-01T00:00:00Z',
        identifiers: [],
      }),
      JSON.stringify({
        id: 'x3',
        source: 'bad source',
        occurredAt: '2026-01-01T00:00:00Z',
        identifiers: [{ type: 'email', value: 'secret4@example.org' }],
      }),
      JSON.stringify({
        source: 'web',
        occurredAt: '2026-01-01T00:00:00Z',
        identifiers: [{ type: 'email', value: 'secret5@example.org' }],
      }),
      JSON.stringify({
        id: 'x4',
        source: 'web',
        occurredAt: '2026-01-01T00:00:00Z',
        identifiers: [{ type: 'email', value: 'secret6@example.org' }],
        extra: 1,
      }),
      'not json at all: secret7@example.org',
    ];
    const invalidLines: number[] = [];
    invalid.forEach((text, i) => {
      const at = 10 + i * 37;
      lines.splice(at, 0, text);
      invalidLines.push(at + 1);
    });
    const file = join(dir, 'events.ndjson');
    await writeFile(file, `${lines.join('\n')}\n`);

    const run = await cli([
      'ingest',
      file,
      '--batch-size',
      '50',
      '--json',
      '--progress-interval',
      '0.2',
    ]);
    expect(run.code, run.stderr).toBe(1); // some events were rejected
    expect(summaryOf(run)).toMatchObject({
      outcome: 'completed',
      format: 'ndjson',
      read: 312,
      invalid: 8,
      enqueued: 304,
      batches: 7,
      applied: 301,
      duplicates: 1,
      rejected: 10,
      rejectedByResolver: 2,
      droppedValues: 1,
      failedBatches: 0,
      pendingBatches: 0,
      reusedBatches: 0,
    });
    expect(summaryOf(run).jobIds).toHaveLength(7);
    for (const line of invalidLines) expect(run.stderr).toMatch(new RegExp(`^line ${line}: `, 'm'));
    expect(run.stderr).toContain(`line ${invalidLines[0]}: invalid JSON`);
    expect(run.stderr).toContain(`line ${invalidLines[2]}: occurredAt: Invalid ISO datetime`);
    expect(run.stderr).toMatch(
      /resolver: event web\/blocked-1: identifiers\[0\] \(email\): blocked/,
    );
    expect(run.stderr).toMatch(/^progress: 100\.0% of .* read \| 312 events/m);
    expect(run.stderr).not.toMatch(/secret\d@example\.org|@example\.org|test@test\.com/);

    const personId = await resolveId('email', 'ND0@Example.org');
    expect(personId).toMatch(/^per_/);
    expect(await resolveId('user_id', 'nd-u-0')).toBe(personId);
    expect(await personIdOf('device_id', 'ND-DEV-0')).toBe(personId);
    expect(await personIdOf('email', 'nd1@example.org')).not.toBe(personId);

    const unknown = await cli(['resolve', 'email', 'nobody@example.org']);
    expect(unknown).toMatchObject({ code: 1, stdout: 'not found\n' });
    const blocked = await cli(['resolve', 'email', 'test@test.com', '--json']);
    expect(blocked.code).toBe(1);
    expect(JSON.parse(blocked.stdout)).toEqual({
      type: 'email',
      value: 'test@test.com',
      personId: null,
      reason: 'blocked',
    });

    const person = await cli(['person', personId]);
    expect(person.code, person.stderr).toBe(0);
    expect(person.stdout).toContain(`person   ${personId}`);
    expect(person.stdout).toContain('status   active');
    expect(person.stdout).toMatch(/^TYPE\s+VALUE\s+FIRST SEEN\s+LAST SEEN$/m);
    for (const [type, value] of [
      ['cookie_id', 'nd-ck-0'],
      ['device_id', 'nd-dev-0'],
      ['email', 'nd0@example.org'],
      ['user_id', 'nd-u-0'],
    ]) {
      expect(person.stdout).toMatch(new RegExp(`^${type}\\s+${value}\\s+\\d{4}-`, 'm'));
    }
    expect(person.stdout).toContain('merged ids  (none)');
    expect(await cli(['person', 'per_doesnotexist'])).toMatchObject({
      code: 1,
      stdout: 'not found\n',
    });

    // A second run in other batches changes nothing: every event is a duplicate or rejected again.
    const again = await cli(['ingest', file, '--batch-size', '40', '--json', '--no-progress']);
    expect(summaryOf(again)).toMatchObject({
      read: 312,
      enqueued: 304,
      applied: 0,
      duplicates: 302,
      rejectedByResolver: 2,
    });
  });

  it('ingests a CSV file with repeated identifier columns, attributes and consent columns', async () => {
    const header =
      'id,source,occurredAt,email,email,phone,user_id,firstName,dateOfBirth,consent_identity_linking,consent_marketing';
    const rows = [header];
    for (let p = 0; p < 200; p++) {
      // Rows without a source get --source; every person has two emails and a user id.
      const source = p % 10 === 0 ? '' : 'crm';
      rows.push(
        `c-${p},${source},2026-02-01T10:00:00Z,cs${p}@example.org,cs${p}.work@example.org,,cu-${p},Name${p},1990-01-01,,yes`,
      );
    }
    // Consent to link refused: both identifiers are recorded, neither is linked to the other.
    rows.push('c-noconsent,crm,2026-02-01T10:00:00Z,nolink@example.org,,,nolink-u,,,false,');
    const bad = [
      'c-bad-date,crm,2026-13-45,secret1@example.org,,,,,,,',
      'c-bad-consent,crm,2026-02-01T10:00:00Z,secret2@example.org,,,,,,perhaps,',
      'c-short,crm,2026-02-01T10:00:00Z,secret3@example.org',
      'c-no-identifier,crm,2026-02-01T10:00:00Z,,,,,Name,,,',
    ];
    // A date of birth that is not a calendar date is no reason to refuse a row: kept, warned.
    rows.push('c-bad-dob,crm,2026-02-01T10:00:00Z,dirty@example.org,,,,Name,1990-02-30,,');
    const badLines: number[] = [];
    bad.forEach((row, i) => {
      const at = 20 + i * 41;
      rows.splice(at, 0, row);
      badLines.push(at + 1);
    });
    const file = join(dir, 'events.csv');
    await writeFile(file, `${rows.join('\r\n')}\r\n`);

    const run = await cli(['ingest', file, '--source', 'crm-import', '--batch-size', '64']);
    expect(run.code, run.stderr).toBe(1);
    expect(run.stdout).toMatch(/^read\s+206 events \(4 invalid lines\)$/m);
    expect(run.stdout).toMatch(/^enqueued\s+202 events in 4 batches$/m);
    expect(run.stdout).toMatch(/^applied\s+202$/m);
    expect(run.stdout).toMatch(/^duplicates\s+0$/m);
    expect(run.stdout).toMatch(/^rejected\s+4 \(4 invalid lines, 0 by the resolver\)$/m);
    expect(run.stdout).toMatch(
      /^warnings\s+1 dateOfBirth: kept as given, not clean \(compared as text\)$/m,
    );
    expect(run.stdout).toMatch(/^elapsed\s+[\d.]+ (ms|s) \([\d,]+ events\/s\)$/m);
    expect(run.stderr).toContain(`line ${badLines[0]}: occurredAt: Invalid ISO datetime`);
    expect(run.stderr).toContain(
      `line ${badLines[1]}: consent_identity_linking: expected true or false`,
    );
    expect(run.stderr).toContain(`line ${badLines[2]}: expected 11 fields, found 4`);
    expect(run.stderr).toContain(`line ${badLines[3]}: identifiers: Too small`);
    expect(run.stderr).not.toContain('@example.org');
    expect(run.stdout).not.toContain('1990-02-30');
    expect(await personIdOf('email', 'dirty@example.org')).toMatch(/^per_/);

    const personId = await resolveId('email', 'cs0@example.org');
    expect(await personIdOf('user_id', 'cu-0')).toBe(personId);
    expect(await personIdOf('user_id', 'cu-10')).toMatch(/^per_/); // a row whose source came from --source
    const unlinkedEmail = await personIdOf('email', 'nolink@example.org');
    const unlinkedUser = await personIdOf('user_id', 'nolink-u');
    expect(unlinkedEmail).toMatch(/^per_/);
    expect(unlinkedUser).toMatch(/^per_/);
    expect(unlinkedEmail).not.toBe(unlinkedUser);

    const person = await cli(['person', personId, '--json']);
    expect(person.code).toBe(0);
    const view = JSON.parse(person.stdout) as {
      id: string;
      identifiers: { type: string; value: string }[];
    };
    expect(view.id).toBe(personId);
    expect(view.identifiers.map((i) => `${i.type}:${i.value}`).sort()).toEqual([
      'email:cs0.work@example.org',
      'email:cs0@example.org',
      'user_id:cu-0',
    ]);
  });

  it('shows the survivor for a merged id and says so', async () => {
    const ingest = async (events: ReturnType<typeof event>[]) => {
      const { jobId } = await worker.runtime.ingest.enqueue(events);
      for (let i = 0; i < 600; i++) {
        const job = await worker.runtime.ingest.getJob(jobId);
        if (job?.state === 'completed') return;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error(`job ${jobId} did not complete`);
    };
    await ingest([
      event([
        { type: 'email', value: 'older@example.org' },
        { type: 'cookie_id', value: 'm-ck-1' },
      ]),
    ]);
    await ingest([
      event([
        { type: 'email', value: 'younger@example.org' },
        { type: 'cookie_id', value: 'm-ck-2' },
      ]),
    ]);
    const older = (await personIdOf('email', 'older@example.org'))!;
    const younger = (await personIdOf('email', 'younger@example.org'))!;
    expect(younger).not.toBe(older);
    await ingest([
      event([
        { type: 'cookie_id', value: 'm-ck-1' },
        { type: 'cookie_id', value: 'm-ck-2' },
      ]),
    ]);

    const run = await cli(['person', younger]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain(`person   ${older}`);
    expect(run.stdout).toContain(
      `note     ${younger} was merged into ${older}; showing the surviving person`,
    );
    expect(run.stdout).toContain(`merged ids  ${younger}`);
    const json = await cli(['person', younger, '--json']);
    expect(JSON.parse(json.stdout)).toMatchObject({ id: older, requestedId: younger });
    expect(json.stderr).toContain(`note: ${younger} was merged into ${older}`);
  });

  it('enqueues without waiting (--no-wait) and reports the job ids the worker then completes', async () => {
    const file = join(dir, 'nowait.ndjson');
    await writeFile(
      file,
      `${personEvents('nw', 20)
        .map((e) => JSON.stringify(e))
        .join('\n')}\n`,
    );
    const run = await cli(['ingest', file, '--no-wait', '--json', '--batch-size', '25']);
    expect(run.code, run.stderr).toBe(0);
    const summary = summaryOf(run);
    expect(summary).toMatchObject({
      outcome: 'enqueued',
      waited: false,
      read: 60,
      enqueued: 60,
      batches: 3,
      applied: 0,
    });
    for (const jobId of summary.jobIds) {
      let state: string | undefined;
      for (let i = 0; i < 600 && state !== 'completed'; i++) {
        state = (await worker.runtime.ingest.getJob(jobId))?.state;
        if (state !== 'completed') await new Promise((r) => setTimeout(r, 50));
      }
      expect(state).toBe('completed');
    }
    expect(await personIdOf('user_id', 'nw-u-19')).toMatch(/^per_/);
  });
});

describe('idgraph exit codes', () => {
  it('gives up with exit code 4 when no worker consumes the queue', async () => {
    const lonely = testEnv();
    const file = join(dir, 'lonely.ndjson');
    await writeFile(
      file,
      `${personEvents('lw', 5)
        .map((e) => JSON.stringify(e))
        .join('\n')}\n`,
    );
    try {
      const run = await cli(['ingest', file, '--json', '--timeout', '1'], {
        INGEST_QUEUE: lonely.INGEST_QUEUE!,
      });
      expect(run.code, run.stderr).toBe(4);
      expect(summaryOf(run)).toMatchObject({
        outcome: 'timed_out',
        enqueued: 15,
        pendingBatches: 1,
        pendingEvents: 15,
      });
    } finally {
      // Nothing will ever consume that queue: remove it.
      const redis = createRedis(lonely.REDIS_URL!, 'api');
      const queue = createIngestQueue({
        connection: redis,
        queueName: lonely.INGEST_QUEUE!,
        prefix: worker.config.QUEUE_PREFIX,
        attempts: 1,
        keepCompleted: { count: 0, seconds: 0 },
      });
      await queue.queue.obliterate({ force: true });
      await queue.close();
      await redis.quit();
    }
  });

  it('exits 3 when Neo4j or Redis does not answer, and 2 on a bad environment', async () => {
    const closed = await freePort();
    const neo4j = await cli(['resolve', 'email', 'a@example.org', '--connect-timeout', '1'], {
      NEO4J_URI: `bolt://127.0.0.1:${closed}`,
    });
    expect(neo4j.code).toBe(3);
    expect(neo4j.stderr).toContain(
      `idgraph: neo4j at bolt://127.0.0.1:${closed} did not answer within 1 s`,
    );

    const file = join(dir, 'one.ndjson');
    await writeFile(
      file,
      `${JSON.stringify(event([{ type: 'email', value: 'a@example.org' }]))}\n`,
    );
    const redis = await cli(['ingest', file, '--connect-timeout', '1'], {
      REDIS_URL: `redis://127.0.0.1:${closed}`,
    });
    expect(redis.code).toBe(3);
    expect(redis.stderr).toContain(
      `idgraph: redis at redis://127.0.0.1:${closed} did not answer within 1 s`,
    );

    const config = await cli(['person', 'per_x'], {
      NEO4J_URI: 'http://localhost',
      JOB_ATTEMPTS: 'many',
    });
    expect(config.code).toBe(2);
    expect(config.stderr).toMatch(/invalid configuration:\n(.*\n)*\s+NEO4J_URI: must be a bolt/);
    expect(config.stderr).toContain('JOB_ATTEMPTS:');
  });
});
