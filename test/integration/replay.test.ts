import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureNeo4j, freePort, type Neo4jHandle } from '../../scripts/local-services.mjs';
import { runCli } from '../../src/cli/cli-program.js';
import { loadConfig } from '../../src/config.js';
import type { IdentityEvent } from '../../src/events/event-schema.js';
import { createGraph, type Graph } from '../../src/graph/graph-client.js';
import { createLogger } from '../../src/logger.js';
import { identifierHasherFromConfig } from '../../src/privacy/identifier-hash.js';
import type { DiffReport } from '../../src/replay/graph-diff.js';
import type { ReplayReport } from '../../src/replay/replay-runner.js';
import { newId } from '../../src/ids.js';
import { splitIfDisconnected } from '../../src/resolver/person-split.js';
import { createResolverFromConfig } from '../../src/resolver/resolver-factory.js';
import { withStaleRetries } from '../../src/resolver/transaction-retry.js';
import { joinManually } from '../../src/reviews/manual-join.js';
import { generateStream } from '../support/identity-generator.js';
import { replayTestGraph } from '../support/replay.js';
import { offlineProbability } from '../support/offline-score.js';
import {
  clearGraph,
  event,
  http,
  ingest,
  ingestAll,
  invariants,
  noViolations,
  partitionOf,
  resolve,
  startService,
  testEnv,
  type TestService,
} from './harness.js';

/**
 * `idgraph replay` and `idgraph diff` as an operator runs them (in-process `runCli` on the
 * service's environment): the source is the suite's Neo4j, written through the service; the
 * targets are a second Neo4j started here with the same launcher, and a fresh data directory the
 * replay starts its own Neo4j on. Expected partitions are computed from the generator's ground
 * truth, independently of the resolver.
 */

const AUTO = 0.999;
const REVIEW = 0.05;

let service: TestService;
let env: Record<string, string>;
let dir: string;
let second: Neo4jHandle;
let target: Graph;
let sourceUri: string;
const stream = generateStream({ events: 500, seed: 24 });

interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

async function cli(args: string[]): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(['--connect-timeout', '60', ...args], {
    stdout: { write: (c: string) => (stdout += c) },
    stderr: { write: (c: string) => (stderr += c) },
    env,
  });
  return { code, stdout, stderr };
}

async function replayInto(targetArg: string, extra: string[] = []): Promise<ReplayReport> {
  const run = await cli(['replay', '--target', targetArg, '--json', '--no-progress', ...extra]);
  expect(run.code, run.stderr).toBe(0);
  return JSON.parse(run.stdout) as ReplayReport;
}

async function diff(a: string, b: string, extra: string[] = []): Promise<DiffReport> {
  const run = await cli(['diff', a, b, '--json', ...extra]);
  expect(run.code, run.stderr).toBe(0);
  return JSON.parse(run.stdout) as DiffReport;
}

/** Connected components of the events' identifiers, leaving out `blocked` values. */
function components(events: IdentityEvent[], blocked: ReadonlySet<string>): Map<string, string> {
  const parent = new Map<string, string>();
  const find = (k: string): string => {
    while (parent.get(k) !== k) k = parent.get(k)!;
    return k;
  };
  for (const e of events) {
    const keys = e.identifiers
      .filter((i) => !blocked.has(i.value))
      .map((i) => `${i.type}:${i.value}`);
    for (const k of keys) if (!parent.has(k)) parent.set(k, k);
    for (const k of keys.slice(1)) {
      const [x, y] = [find(keys[0]!), find(k)];
      if (x !== y) parent.set(x, y);
    }
  }
  return new Map([...parent.keys()].map((k) => [k, find(k)]));
}

/** Pairs of keys in one group, enumerated (the test's own count, small data). */
function pairSet(
  groupOf: ReadonlyMap<string, string | number>,
  keys: readonly string[],
): Set<string> {
  const byGroup = new Map<string | number, string[]>();
  for (const k of keys) byGroup.set(groupOf.get(k)!, [...(byGroup.get(groupOf.get(k)!) ?? []), k]);
  const out = new Set<string>();
  for (const members of byGroup.values()) {
    members.sort();
    for (let i = 0; i < members.length; i++)
      for (let j = i + 1; j < members.length; j++) out.add(`${members[i]}|${members[j]}`);
  }
  return out;
}

beforeAll(async () => {
  env = testEnv({
    MATCH_AUTO_THRESHOLD: String(AUTO),
    MATCH_REVIEW_THRESHOLD: String(REVIEW),
    NEO4J_HEAP: '512m',
    NEO4J_PAGECACHE: '128m',
  });
  service = await startService(env);
  sourceUri = env.NEO4J_URI!;
  await clearGraph(service.graph);
  dir = await mkdtemp(join(tmpdir(), 'idgraph-replay-'));
  second = await ensureNeo4j({
    dataDir: join(dir, 'second'),
    boltPort: await freePort(),
    heap: '512m',
    pageCache: '128m',
    ignoreEnv: true,
    log: () => undefined,
  });
  target = createGraph({ uri: second.uri, logger: createLogger('warn') });
  const jobs = await ingestAll(service, stream.events, 100);
  expect(jobs.every((j) => j.state === 'completed')).toBe(true);
});

afterAll(async () => {
  await target?.close();
  await second?.stop();
  await service?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

// A replay into a data directory starts Neo4j twice (the replay, then the diff): on a loaded
// machine that alone can take minutes. A timeout here catches hangs; speed is the benchmark's.
describe('idgraph replay and diff', { timeout: 600_000 }, () => {
  it('replays a graph’s own event log with the same rules into a fresh data dir: the diff is empty', async () => {
    // The source is the generator's truth (conflict-free under the default limits).
    const source = await partitionOf(service.graph);
    expect(pairSet(source, [...source.keys()])).toEqual(pairSet(stream.truth, [...source.keys()]));

    const fresh = join(dir, 'fresh');
    const report = await replayInto(fresh);
    expect(report).toMatchObject({ events: stream.events.length, applied: stream.events.length });
    expect(report.identifiers).toBe(source.size);
    expect(report.persons).toBe(new Set(source.values()).size);

    const same = await diff(sourceUri, fresh);
    expect(same.identical).toBe(true);
    expect(same.identifiers).toMatchObject({ both: source.size, onlyA: 0, onlyB: 0 });
    expect(same.pairs).toMatchObject({ gained: 0, lost: 0, precision: 1, recall: 1 });
    expect(same.persons).toMatchObject({ merged: 0, split: 0 });
    expect(same.links.every((l) => l.a === l.b)).toBe(true);
  });

  it('after a rule change, the diff counts exactly the pairs and persons that changed', async () => {
    // Blocklist identifiers whose persons fall apart without them (found on the ground truth).
    const blocked = new Set<string>();
    const splitPersons = new Set<number>();
    for (const [key, person] of stream.truth) {
      if (blocked.size === 3) break;
      if (!key.startsWith('cookie_id:') || splitPersons.has(person)) continue;
      const value = key.slice('cookie_id:'.length);
      const without = components(stream.events, new Set([value]));
      const parts = new Set(
        [...stream.truth]
          .filter(([k, p]) => p === person && k !== key)
          .map(([k]) => without.get(k)),
      );
      if (parts.size > 1) {
        blocked.add(value);
        splitPersons.add(person);
      }
    }
    expect(blocked.size).toBe(3);
    const rules = join(dir, 'rules.json');
    await writeFile(rules, JSON.stringify({ IDENTIFIER_BLOCKLIST: [...blocked] }));
    const sourceBefore = await partitionOf(service.graph);
    await replayInto(second.uri, ['--rules', rules, '--force']);
    // A target that holds data is refused without --force; the source never is a target.
    const refused = await cli(['replay', '--target', second.uri, '--no-progress']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/holds data/);
    const self = await cli(['replay', '--target', sourceUri, '--force', '--no-progress']);
    expect(self.code).toBe(2);
    expect(self.stderr).toMatch(/is the source/);
    expect(await partitionOf(service.graph)).toEqual(sourceBefore);

    const expected = components(stream.events, blocked);
    const common = [...expected.keys()];
    const before = pairSet(stream.truth, common);
    const after = pairSet(expected, common);
    const changed = await diff(sourceUri, second.uri, ['--samples', '100', '--show-values']);
    expect(changed.identical).toBe(false);
    expect(changed.identifiers).toMatchObject({ onlyA: 3, onlyB: 0, both: common.length });
    expect(changed.pairs.lost).toBe([...before].filter((p) => !after.has(p)).length);
    expect(changed.pairs.gained).toBe([...after].filter((p) => !before.has(p)).length);
    expect(changed.pairs.lost).toBeGreaterThan(0);
    expect(changed.persons).toMatchObject({ split: 3, merged: 0 });
    // The split cases name exactly the expected parts.
    const parts = (keys: string[]) => [...new Set(keys.map((k) => expected.get(k)))];
    const expectedParts = [...splitPersons].flatMap((p) =>
      parts(
        [...stream.truth]
          .filter(([k, q]) => q === p && !blocked.has(k.split(':')[1]!))
          .map(([k]) => k),
      ).map((root) =>
        [...expected]
          .filter(([, r]) => r === root)
          .map(([k]) => k)
          .sort()
          .join(','),
      ),
    );
    const reported = changed.samples.split.flatMap((c) =>
      c.b.map((p) => [...p.keys!].sort().join(',')),
    );
    expect(reported.sort()).toEqual(expectedParts.sort());
    // Without --show-values the samples name types, never values.
    const plain = await cli(['diff', sourceUri, second.uri]);
    expect(plain.stdout).toMatch(/split in b \(sample\)/);
    for (const value of blocked) expect(plain.stdout).not.toContain(value);
    expect(plain.stdout).not.toMatch(/@example\.org/);
    expect(await invariants(target)).toEqual(noViolations);
  });

  it('carries a no-match decision over at its time: later evidence does not join the two', async () => {
    const email = (value: string) => ({ type: 'email', value });
    const peter = { firstName: 'Peter', lastName: 'Lindqvist', dateOfBirth: '1975-07-09' };
    const swapped = { ...peter, dateOfBirth: '1975-09-07', postcode: '3000' };
    const p = offlineProbability(peter, swapped);
    expect(p).toBeGreaterThanOrEqual(REVIEW);
    expect(p).toBeLessThan(AUTO);
    await ingest(service, [
      event([email('peter@crm.example')], { source: 'crm', attributes: peter }),
    ]);
    await ingest(service, [
      event([email('pl75@shop.example')], { source: 'shop', attributes: swapped }),
    ]);
    const pending = await http<{ items: { id: string }[] }>(
      service.baseUrl,
      'GET',
      '/v1/reviews?status=pending',
    );
    const reviewId = pending.body.items[0]!.id;
    const decided = await http(service.baseUrl, 'POST', `/v1/reviews/${reviewId}/decision`, {
      decision: 'no_match',
      reason: 'twins',
    });
    expect(decided.status).toBe(200);
    await ingest(service, [event([email('peter@crm.example'), email('pl75@shop.example')])]);
    const inSource = await resolve(service, [
      email('peter@crm.example'),
      email('pl75@shop.example'),
    ]);
    expect(inSource[0]!.personId).not.toBe(inSource[1]!.personId);

    const report = await replayInto(second.uri, ['--force']);
    expect(report.decisions.review).toEqual({ applied: 1, skipped: 0 });
    expect(report.decisions.constraint).toEqual({ applied: 1, skipped: 0 });
    const partition = await partitionOf(target);
    expect(partition.get('email:peter@crm.example')).toBeDefined();
    expect(partition.get('email:peter@crm.example')).not.toBe(
      partition.get('email:pl75@shop.example'),
    );
    const [decidedInTarget] = await target.query<{ review: { decision: string } }>(
      'read/reviews-by-status',
      { status: 'decided', limit: 10 },
    );
    expect(decidedInTarget?.review.decision).toBe('no_match');
    expect((await diff(sourceUri, second.uri)).identical).toBe(true);
  });

  it('carries manual merges, manual withdrawals and keep-apart constraints over at their times', async () => {
    const email = (value: string) => ({ type: 'email', value });
    const [m1, m2] = ['email:mona@one.example', 'email:mona@two.example'];
    await ingest(service, [
      event([email('mona@one.example'), { type: 'cookie_id', value: 'ck-mona-1' }]),
    ]);
    await ingest(service, [
      event([email('mona@two.example'), { type: 'cookie_id', value: 'ck-mona-2' }]),
    ]);
    const source = replayTestGraph(sourceUri);
    const checks = replayTestGraph(second.uri);
    const configured = await createResolverFromConfig(service.config, {
      graph: service.graph,
      logger: createLogger('warn'),
    });
    try {
      // A manual merge (the link shape of issue 24's manual operations), then a manual split of it
      // with keep-apart, then evidence that would join the two again.
      await withStaleRetries(service.graph, 'test-manual-merge', (tx) =>
        joinManually(
          tx,
          { planWriter: configured.resolver.planWriter, now: Date.now },
          {
            fromKey: m1,
            toKey: m2,
            eventKey: 'manual/test',
            source: 'manual',
            purposes: [],
            jobId: 'manual/test',
            records: [],
            rule: 'manual_merge',
          },
        ),
      );
      await new Promise((r) => setTimeout(r, 5));
      const merged = await resolve(service, [email('mona@one.example'), email('mona@two.example')]);
      expect(merged[0]!.personId).toBe(merged[1]!.personId);
      const now = Date.now();
      await service.graph.writeTransaction('test-manual-split', async (tx) => {
        const [row] = await tx.run<{ linkId: string; personId: string }>(
          'write/replay-withdraw-link',
          { fromKey: m1, toKey: m2, at: now, reason: 'manual_split', auditId: newId('aud'), now },
        );
        await splitIfDisconnected(tx, {
          personId: row!.personId,
          linkIds: [row!.linkId],
          reason: 'manual_split',
          now,
        });
      });
      await source.query('cypher/write/keep-apart', {
        fromKey: m1,
        toKey: m2,
        id: newId('cst'),
        auditId: newId('aud'),
        now,
      });
    } finally {
      configured.close();
    }
    await new Promise((r) => setTimeout(r, 5));
    await ingest(service, [event([email('mona@one.example'), email('mona@two.example')])]);
    const apart = await resolve(service, [email('mona@one.example'), email('mona@two.example')]);
    expect(apart[0]!.personId).not.toBe(apart[1]!.personId);

    try {
      const report = await replayInto(second.uri, ['--force']);
      expect(report.decisions.manual_link).toEqual({ applied: 1, skipped: 0 });
      expect(report.decisions.withdrawal).toEqual({ applied: 1, skipped: 0 });
      // The no-match decision's constraint and the keep-apart one.
      expect(report.decisions.constraint).toEqual({ applied: 2, skipped: 0 });
      const partition = await partitionOf(target);
      expect(partition.get(m1)).toBeDefined();
      expect(partition.get(m1)).not.toBe(partition.get(m2));
      // The link as the source has it: manual, withdrawn by the split, refused since.
      const between = { fromKey: m1, toKey: m2 };
      const links = await checks.query('cypher/read/links-between', between);
      expect(links).toEqual(await source.query('cypher/read/links-between', between));
      expect(links[0]).toMatchObject({ rule: 'manual_merge', withdrawnReason: 'manual_split' });
      expect((await diff(sourceUri, second.uri)).identical).toBe(true);
      expect(await invariants(target)).toEqual(noViolations);
    } finally {
      await source.close();
      await checks.close();
    }
  });

  it('respects the source’s suppression list: a suppressed identifier the log still names stays out', async () => {
    const config = loadConfig(env);
    const key = [...stream.truth.keys()].find((k) => k.startsWith('device_id:'))!;
    // The erase request's suppress step, on its own: the log still carries the identifier.
    await service.graph.query('write/erase-suppress', {
      keys: [key],
      hashes: [identifierHasherFromConfig(config)(key)],
      now: Date.now(),
      requestId: 'prq_test',
    });
    // Keys outside the Basic Multilingual Plane next to ones near its top: the diff's key order
    // must be the graph's (it stops with an error where it is not).
    await ingest(service, [
      event([
        { type: 'external_id', value: 'sys:x-\u{1F600}' },
        { type: 'external_id', value: 'sys:x-\uFFFD' },
        { type: 'external_id', value: 'sys:x-\uE000' },
      ]),
    ]);
    const report = await replayInto(second.uri, ['--force']);
    expect(report.suppressionsCopied).toBe(1);
    expect(report.suppressedIdentifiers).toBeGreaterThan(0);
    const partition = await partitionOf(target);
    expect(partition.has(key)).toBe(false);
    const compared = await diff(sourceUri, second.uri);
    expect(compared.identifiers).toMatchObject({ onlyA: 1, onlyB: 0 });
  });
});
