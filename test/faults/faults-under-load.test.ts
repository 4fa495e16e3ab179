import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateStream, pairwiseScores } from '../support/identity-generator.js';
import {
  clearGraph,
  deadLetters,
  expectedProvenance,
  type GraphSnapshot,
  partitionDifferences,
  prepareGraph,
  provenanceDifferences,
  snapshotGraph,
  waitForJobs,
} from './fault-graph.js';
import { postStream } from './fault-load.js';
import { nonJsonLines } from './fault-processes.js';
import {
  FAIL_FAST_MS,
  type FaultWindow,
  faultLine,
  tally,
  tallyAfterFaults,
  windowStats,
  wrongOutsideWindows,
} from './fault-report.js';
import {
  BATCH_SIZE,
  type Clients,
  type FaultOutcome,
  type IdgraphRun,
  startClients,
  startRun,
  underLoad,
  waitForActiveJob,
} from './fault-run.js';
import {
  type Dependency,
  type FaultServices,
  portInRange,
  startFaultServices,
} from './fault-services.js';

/**
 * Faults under load (issue 26). A generated stream with known grouping is ingested twice on the
 * suite's own Neo4j and Redis: once without faults (the reference), then in the same four portions
 * while lookups run at a steady rate and, during each portion, one fault: (a) kill -9 Neo4j,
 * (b) kill -9 Redis, (c) Neo4j stopped for 30 s, (d) kill -9 a worker process. The harness plays
 * the supervisor (it starts a killed service again); the API and worker processes must reconnect
 * on their own. For each fault: what needs the missing service answers 503 problem+json with
 * Retry-After within a second, `/readyz` names the service that is down, and after the portion the
 * graph equals the reference's after the same portion. At the end: the same partition as the
 * reference and the ground truth, every event applied exactly once, no dead letters.
 */

const log = (line: string) => console.log(`[faults] ${line}`);

const stream = generateStream({ events: 4000, seed: 26 });
const PORTIONS = 4;
const portionSize = Math.ceil(stream.events.length / PORTIONS);
const portions = Array.from({ length: PORTIONS }, (_, k) =>
  stream.events.slice(k * portionSize, (k + 1) * portionSize),
);

let dataDir: string;
let services: FaultServices | undefined;
let apiPort: number;
const reference: GraphSnapshot[] = [];
let referenceDeadLetters = -1;
let run: IdgraphRun | undefined;
let clients: Clients | undefined;
const windows: FaultWindow[] = [];

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'idgraph-faults-'));
  const taken = new Set<number>();
  services = await startFaultServices(dataDir, taken, log);
  apiPort = await portInRange(taken);
  await prepareGraph(services.neo4j.url);
  log(`Neo4j at ${services.neo4j.url}, Redis at ${services.redis.url}, data in ${dataDir}`);
});

afterAll(async () => {
  await clients?.lookups.stop();
  // Kinds, times and answers only: the paths, which hold identifier values, are not recorded.
  if (clients) {
    await writeFile(
      join(dataDir, 'requests.ndjson'),
      clients.records
        .map(({ kind, start, ms, status, retryAfter }) =>
          JSON.stringify({ kind, start, ms, status, retryAfter }),
        )
        .join('\n'),
    );
    await writeFile(join(dataDir, 'windows.json'), JSON.stringify(windows, null, 2));
  }
  await run?.stop();
  await services?.stop();
  if (process.env.FAULTS_KEEP_DATA)
    log(`kept ${dataDir} (process and service logs, requests.ndjson, windows.json, data)`);
  else if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

/** Compares the graph with the reference after the same portion; returns problems found. */
function compareWithReference(actual: GraphSnapshot, expected: GraphSnapshot): string[] {
  const problems: string[] = [];
  const groups = partitionDifferences(actual.groups, expected.groups);
  if (groups > 0) problems.push(`${groups} groups differ from the fault-free run`);
  const provenance = provenanceDifferences(actual.provenance, expected.provenance);
  if (provenance.length > 0)
    problems.push(`${provenance.length} events logged or mentioned differently`);
  for (const key of ['events', 'identifiers', 'activePersons', 'links', 'evidence', 'mentions']) {
    if (actual.totals[key] !== expected.totals[key])
      problems.push(`${key}: ${actual.totals[key]} (fault-free run: ${expected.totals[key]})`);
  }
  return problems;
}

describe('faults under load', () => {
  it('ingests the stream without faults: the reference', { timeout: 300_000 }, async () => {
    const started = Date.now();
    const ref = await startRun({
      services: services!,
      tag: 'reference',
      apiPort,
      dataDir,
      workers: 1,
    });
    try {
      for (const portion of portions) {
        const jobIds = await postStream({
          baseUrl: ref.api.baseUrl,
          events: portion,
          batchSize: BATCH_SIZE,
          everyMs: 0,
          records: [],
          onPosted: () => undefined,
        });
        const jobs = await waitForJobs(ref.api.baseUrl, jobIds, 240_000);
        expect(jobs.filter((j) => j.state !== 'completed')).toEqual([]);
        reference.push(await snapshotGraph(services!.neo4j.url));
      }
      referenceDeadLetters = await deadLetters(ref.api.baseUrl);
    } finally {
      await ref.stop();
    }
    const last = reference.at(-1)!;
    const truth = pairwiseScores(last.personOf, stream.truth);
    const once = provenanceDifferences(last.provenance, expectedProvenance(stream.events));
    log(
      `fault-free run: ${stream.events.length} events in ${seconds(Date.now() - started)}, ` +
        `${last.totals.activePersons} persons, ${last.totals.identifiers} identifiers; ` +
        `partition equals the ground truth: ${truth.precision === 1 && truth.recall === 1 ? 'yes' : 'NO'} ` +
        `(pairwise precision ${truth.precision}, recall ${truth.recall}); every event applied once: ` +
        `${once.length === 0 ? 'yes' : `NO (${once.length} differ)`}; dead letters: ${referenceDeadLetters}`,
    );
    expect(truth).toMatchObject({ precision: 1, recall: 1 });
    expect(once).toEqual([]);
    expect(referenceDeadLetters).toBe(0);
    await clearGraph(services!.neo4j.url);
  });

  async function faultRun() {
    if (!run) {
      run = await startRun({ services: services!, tag: 'faults', apiPort, dataDir, workers: 2 });
      clients = startClients(run, { seed: 7 });
    }
    return { run, clients: clients! };
  }

  /** Runs one fault during portion `k`, logs its line and asserts what the issue requires. */
  async function fault(
    k: number,
    label: string,
    dependency: Dependency | undefined,
    inject: (current: IdgraphRun, clients: Clients) => Promise<number>,
  ) {
    expect(reference, 'the reference run must have finished').toHaveLength(PORTIONS);
    // As a supervisor would: a service an earlier fault left down is started first.
    for (const service of [services!.neo4j, services!.redis]) {
      if (service.running()) continue;
      log(`${label}: ${service.name} was not running; starting it first`);
      await service.start();
    }
    const { run: current, clients: load } = await faultRun();
    const outcome: FaultOutcome = await underLoad({
      run: current,
      clients: load,
      label,
      dependency,
      events: portions[k]!,
      leadMs: 4000,
      inject: () => inject(current, load),
    });
    windows.push(outcome.window);
    const stats = windowStats(load.records, outcome.window);
    const snapshot = await snapshotGraph(services!.neo4j.url);
    const differences = compareWithReference(snapshot, reference[k]!);
    const failedJobs = outcome.jobs.filter((j) => j.state !== 'completed');
    log(
      faultLine(outcome.window, stats, {
        processesKept: outcome.restarted.length === 0,
        nonJson: outcome.nonJson.length,
        partitionEqual: differences.length === 0,
        detail:
          differences.length === 0
            ? `${snapshot.totals.activePersons} persons, ${snapshot.totals.events} events`
            : differences.join(', '),
      }),
    );
    const problems: string[] = [];
    if (dependency) {
      if (stats.unavailable === 0) problems.push(`no 503 for a request that needs ${dependency}`);
      if (stats.readyzNamedIt === 0) problems.push(`/readyz never named ${dependency} as down`);
    }
    if (stats.wrong.length > 0) problems.push(`wrong answers: ${tally(stats.wrong)}`);
    if (stats.slow.length > 0)
      problems.push(
        `${stats.slow.length} answers too slow (sent while ${dependency ?? 'nothing'} was down and over ${FAIL_FAST_MS} ms, or none within the client's timeout): ${tally(stats.slow)}`,
      );
    if (dependency && outcome.restarted.length > 0)
      problems.push(`exited and had to be restarted: ${outcome.restarted.join(', ')}`);
    if (outcome.nonJson.length > 0)
      problems.push(`non-JSON log lines, first: ${outcome.nonJson.slice(0, 3).join(' | ')}`);
    if (failedJobs.length > 0) problems.push(`${failedJobs.length} jobs failed (dead-lettered)`);
    problems.push(...differences);
    expect(problems).toEqual([]);
  }

  it('(a) kill -9 Neo4j', { timeout: 300_000 }, async () => {
    await fault(0, '(a) kill -9 neo4j', 'neo4j', async () => {
      await services!.neo4j.kill();
      await services!.neo4j.start();
      return Date.now();
    });
  });

  it('(b) kill -9 Redis', { timeout: 300_000 }, async () => {
    await fault(1, '(b) kill -9 redis', 'redis', async () => {
      await services!.redis.kill();
      // A supervisor's back-off: long enough for clients to meet the outage.
      await sleep(5000);
      await services!.redis.start();
      return Date.now();
    });
  });

  it('(c) Neo4j stopped for 30 s', { timeout: 300_000 }, async () => {
    await fault(2, '(c) neo4j stopped for 30 s', 'neo4j', async () => {
      await services!.neo4j.stop();
      await sleep(30_000);
      await services!.neo4j.start();
      return Date.now();
    });
  });

  it('(d) kill -9 a worker process', { timeout: 300_000 }, async () => {
    await fault(3, '(d) kill -9 a worker', undefined, async (current, load) => {
      const midBatch = await waitForActiveJob(current.api.baseUrl, load.jobIds, 5000);
      log(`(d) killing ${current.workers[0]!.name}${midBatch ? ' while a batch is active' : ''}`);
      await current.workers[0]!.stop('SIGKILL');
      await sleep(1000);
      current.workers[0] = await current.startWorker();
      return Date.now();
    });
  });

  it(
    'ends with the graph of the fault-free run: same partition, each event applied once, no dead letters',
    { timeout: 300_000 },
    async () => {
      const { run: current, clients: load } = await faultRun();
      await load.lookups.stop();
      const jobs = await waitForJobs(current.api.baseUrl, load.jobIds, 240_000);
      const dlq = await deadLetters(current.api.baseUrl);
      const snapshot = await snapshotGraph(services!.neo4j.url);
      const differences = compareWithReference(snapshot, reference.at(-1)!);
      const truth = pairwiseScores(snapshot.personOf, stream.truth);
      const once = provenanceDifferences(snapshot.provenance, expectedProvenance(stream.events));
      const outside = wrongOutsideWindows(load.records, windows);
      const nonJson = current.all.flatMap((p) => nonJsonLines(p.lines));
      const lookups = load.records.filter((r) => r.kind !== 'readyz' && r.kind !== 'events');
      log(
        `result: partition equal to the fault-free run: ${differences.length === 0 ? 'yes' : `NO (${differences.join(', ')})`}; ` +
          `equal to the ground truth: ${truth.precision === 1 && truth.recall === 1 ? 'yes' : 'NO'}; ` +
          `every accepted event applied exactly once: ${once.length === 0 ? 'yes' : `NO (${once.length} events differ)`} ` +
          `(${snapshot.totals.events} events, ${snapshot.totals.mentions} mentions); ` +
          `jobs completed ${jobs.filter((j) => j.state === 'completed').length}/${jobs.length}; ` +
          `dead letters ${dlq} (fault-free run ${referenceDeadLetters}); ` +
          `lookups ${lookups.length}, max latency ${Math.max(0, ...lookups.map((r) => r.ms))} ms; ` +
          `wrong answers outside the faults: ${tallyAfterFaults(outside, windows)}; non-JSON log lines: ${nonJson.length}`,
      );
      expect(differences).toEqual([]);
      expect(truth).toMatchObject({ precision: 1, recall: 1 });
      expect(once).toEqual([]);
      expect(jobs.filter((j) => j.state !== 'completed')).toEqual([]);
      expect(dlq).toBe(referenceDeadLetters);
      expect(tallyAfterFaults(outside, windows)).toBe('none');
    },
  );
});
