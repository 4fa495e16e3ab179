import type { PrivacyReport } from '../../src/privacy/privacy-contract.js';
import { createIdentifierHasher } from '../../src/privacy/identifier-hash.js';
import { benchLog } from '../harness/bench-log.js';
import { type CpuSnapshot, cpuSnapshot } from '../host/process-cpu.js';
import { type RunReadings, startReadings } from '../host/run-readings.js';
import { median } from '../report/result-tables.js';
import { BENCH_PRIVACY_HASH_SECRET } from '../services/bench-env.js';
import type { BenchGraph } from '../services/bench-cypher.js';
import type { BenchServices } from '../services/bench-services.js';
import { clearDisposableGraph } from '../services/disposable-graph.js';
import { build, type PrivacyService, runRequest } from './privacy-service.js';
import type { PrivacySettings } from './privacy-settings.js';
import { personEvents } from './privacy-workload.js';

export type RequestType = 'revoke' | 'erase';

/** What the request benchmark's rounds share. */
export interface RequestBenchDeps {
  services: BenchServices;
  graph: BenchGraph;
  service: PrivacyService;
  settings: PrivacySettings;
}

/** One timed step: a request to `completed`, or the raw Cypher, on a person built for it. */
export interface TimedStep extends RunReadings {
  seconds: number;
  cpu: CpuSnapshot;
  steal: number | undefined;
}

export interface RequestRound {
  round: number;
  request: TimedStep & { report: PrivacyReport | undefined };
  raw: TimedStep & { counts: Record<string, number> };
}

export interface RequestResult {
  type: RequestType;
  rounds: RequestRound[];
  requestMedian: number;
  rawMedian: number;
  /** Median request time over median raw time (target: at most 3). */
  ratio: number;
}

const hash = createIdentifierHasher(BENCH_PRIVACY_HASH_SECRET);

/**
 * `rounds` rounds of one request type. Each round builds the person twice through the service
 * (the graph cleared before each build), once for the request, timed from just before its POST to
 * the poll that sees it completed, and once for the raw Cypher that makes the same changes in one
 * transaction, timed around that transaction (and, for an erasure, the read and hashing of the
 * person's keys it needs). Which goes first alternates between rounds.
 */
export async function requestRounds(
  deps: RequestBenchDeps,
  type: RequestType,
  rounds: number,
  options: { label: string; quiet?: boolean },
): Promise<RequestResult> {
  const results: RequestRound[] = [];
  for (let round = 1; round <= rounds; round++) {
    const label = `${options.label}-${type}-${round}`;
    const runRequestSide = () => timedRequest(deps, type, `${label}-req`, options.quiet);
    const runRawSide = () => timedRaw(deps, type, `${label}-raw`, options.quiet);
    let request: RequestRound['request'];
    let raw: RequestRound['raw'];
    if (round % 2 === 1) {
      request = await runRequestSide();
      raw = await runRawSide();
    } else {
      raw = await runRawSide();
      request = await runRequestSide();
    }
    benchLog(
      `${label}: request ${request.seconds.toFixed(2)} s, raw Cypher ${raw.seconds.toFixed(2)} s ` +
        `(ratio ${(request.seconds / raw.seconds).toFixed(2)})${options.quiet ? ' (not counted)' : ''}`,
    );
    results.push({ round, request, raw });
  }
  const requestMedian = median(results.map((r) => r.request.seconds));
  const rawMedian = median(results.map((r) => r.raw.seconds));
  return { type, rounds: results, requestMedian, rawMedian, ratio: requestMedian / rawMedian };
}

async function buildPerson(deps: RequestBenchDeps, label: string): Promise<string> {
  const { settings } = deps;
  await clearDisposableGraph(deps.graph);
  const started = performance.now();
  const personId = await build(
    deps.service,
    deps.graph,
    personEvents(label, settings.identifiers, settings.events),
    settings.batchSize,
  );
  benchLog(`${label}: person built in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return personId;
}

function readings(deps: RequestBenchDeps, quiet: boolean | undefined) {
  const { services, service } = deps;
  return startReadings(
    () =>
      cpuSnapshot({
        neo4j: [services.pids.neo4j],
        redis: [services.pids.redis],
        api: [service.api.child.pid],
        worker: [service.worker.child.pid],
      }),
    { minIdle: deps.settings.waitIdle, quiet },
  );
}

async function timedRequest(
  deps: RequestBenchDeps,
  type: RequestType,
  label: string,
  quiet: boolean | undefined,
): Promise<RequestRound['request']> {
  const personId = await buildPerson(deps, label);
  const body = {
    type,
    subject: { personId },
    reason: 'privacy benchmark',
    ...(type === 'revoke' ? { purposes: ['identity_linking'] } : {}),
  };
  const started = await readings(deps, quiet);
  const { view, seconds } = await runRequest(deps.service.apiUrl, body);
  const { cpu, steal } = started.end();
  checkReport(type, view.report, deps.settings, label);
  return { ...started, seconds, cpu, steal, report: view.report };
}

async function timedRaw(
  deps: RequestBenchDeps,
  type: RequestType,
  label: string,
  quiet: boolean | undefined,
): Promise<RequestRound['raw']> {
  const { graph, settings } = deps;
  const personId = await buildPerson(deps, label);
  const started = await readings(deps, quiet);
  const t0 = performance.now();
  let counts: Record<string, number>;
  if (type === 'erase') {
    const [row] = await graph.query<{ keys: string[] }>('bench/read/privacy-person-keys', {
      personId,
    });
    const hashes = (row?.keys ?? []).map(hash);
    [counts = {}] = await graph.query<Record<string, number>>('bench/write/raw-erase', {
      personId,
      hashes,
      now: Date.now(),
    });
  } else {
    [counts = {}] = await graph.query<Record<string, number>>('bench/write/raw-revoke', {
      personId,
      purposes: ['identity_linking'],
      requestId: label,
      now: Date.now(),
    });
  }
  const seconds = (performance.now() - t0) / 1000;
  const { cpu, steal } = started.end();
  const expected = type === 'erase' ? settings.identifiers : settings.identifiers - 1;
  const changed = type === 'erase' ? counts.identifiers : counts.parts;
  if (changed !== expected)
    throw new Error(`${label}: the raw ${type} changed ${changed} identifiers, not ${expected}`);
  return { ...started, seconds, cpu, steal, counts };
}

/** Fails the run unless the request did what the raw Cypher does: every identifier split off or erased. */
function checkReport(
  type: RequestType,
  report: PrivacyReport | undefined,
  settings: PrivacySettings,
  label: string,
): void {
  if (type === 'erase') {
    if (
      report?.identifiersErased !== settings.identifiers ||
      report.eventsErased !== settings.events
    )
      throw new Error(
        `${label}: the erasure erased ${report?.identifiersErased} identifiers and ${report?.eventsErased} events, ` +
          `not ${settings.identifiers} and ${settings.events}`,
      );
    return;
  }
  const parts = (report?.personsSplit ?? []).reduce((n, s) => n + s.parts.length, 0);
  if (parts !== settings.identifiers - 1)
    throw new Error(
      `${label}: the revocation split off ${parts} new persons, not ${settings.identifiers - 1}`,
    );
}
