import { existsSync, statSync } from 'node:fs';
import autocannon from 'autocannon';
import { loadAverage } from '../host/machine-load.js';
import { processCpuSeconds } from '../host/process-cpu.js';
import { benchAuthHeader } from '../services/bench-env.js';
import type { LookupPopulation, Probe } from '../workloads/lookup-population.js';
import type { ApiProcess } from './lookup-api.js';
import type { LookupServices } from './lookup-graph.js';
import type { LookupSettings } from './lookup-settings.js';

/** The lookups to send, prepared before anything is timed and used round-robin. */
export interface LookupRequests {
  getProbes: Probe[];
  /** Query strings of GET lookups. */
  getPaths: string[];
  postProbes: Probe[][];
  /** Bodies of POST lookups. */
  postBodies: string[];
}

export function lookupRequests(population: LookupPopulation, batchSize: number): LookupRequests {
  const r = population.probeRandom();
  let probeCount = 0;
  const nextProbe = () => population.probe(r, probeCount++);
  const getProbes = Array.from({ length: 200_000 }, nextProbe);
  const postProbes = Array.from({ length: 100 }, () =>
    Array.from({ length: batchSize }, nextProbe),
  );
  return {
    getProbes,
    getPaths: getProbes.map(
      (p) => `/v1/resolve?type=${p.type}&value=${encodeURIComponent(p.value)}`,
    ),
    postProbes,
    postBodies: postProbes.map((list) =>
      JSON.stringify({ identifiers: list.map(({ type, value }) => ({ type, value })) }),
    ),
  };
}

/** GET /v1/resolve and POST /v1/resolve (a batch per call), each over its own connections. */
export function lookupScenarios(
  requests: LookupRequests,
  settings: Pick<LookupSettings, 'connections' | 'batchConnections' | 'batchSize'>,
): [Scenario, Scenario] {
  let getIndex = 0;
  let postIndex = 0;
  return [
    {
      label: 'GET /v1/resolve',
      method: 'GET',
      connections: settings.connections,
      next: () => ({ path: requests.getPaths[getIndex++ % requests.getPaths.length]! }),
    },
    {
      label: `POST /v1/resolve (${settings.batchSize} ids)`,
      method: 'POST',
      connections: settings.batchConnections,
      next: () => ({
        path: '/v1/resolve',
        body: requests.postBodies[postIndex++ % requests.postBodies.length]!,
      }),
    },
  ];
}

/** Nearest-rank percentile of sorted values. */
const percentile = (sorted: Float64Array, p: number) =>
  sorted.length === 0
    ? NaN
    : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

/** One timed run of a scenario: rate, latencies, answers, and the CPU and log bytes per request. */
export interface LoadResult {
  requests: number;
  seconds: number;
  perSecond: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  status: Record<string, number>;
  errors: number;
  timeouts: number;
  cpuMsPerRequest: {
    api: number | undefined;
    neo4j: number | undefined;
    loadGenerator: number | undefined;
  };
  logBytesPerRequest: number;
  loadAverage: number;
}

/** Lookups of one kind: the method, the connections, and the next request. */
export interface Scenario {
  label: string;
  method: 'GET' | 'POST';
  connections: number;
  next: () => { path: string; body?: string };
}

/**
 * Runs `scenario` for `seconds` with autocannon, in this process. Latencies are measured per
 * response here (autocannon's histogram rounds to whole milliseconds), over every answer, 404s
 * included; CPU seconds of the API process, Neo4j and this process are read around the run.
 */
export async function cannon(
  api: ApiProcess,
  services: LookupServices,
  scenario: Scenario,
  seconds: number,
): Promise<LoadResult> {
  const latencies: number[] = [];
  const cpu = () => ({
    api: processCpuSeconds(api.pid),
    neo4j: processCpuSeconds(services.neo4jPid),
    self: processCpuSeconds(process.pid),
  });
  const logSize = () => (existsSync(api.logFile) ? statSync(api.logFile).size : 0);
  const before = { cpu: cpu(), log: logSize() };
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: api.url,
        connections: scenario.connections,
        duration: seconds,
        headers: {
          ...benchAuthHeader,
          ...(scenario.method === 'POST' ? { 'content-type': 'application/json' } : {}),
        },
        requests: [
          {
            method: scenario.method,
            setupRequest: (request) => {
              const { path, body } = scenario.next();
              return body === undefined ? { ...request, path } : { ...request, path, body };
            },
          },
        ],
      },
      (error: Error | null, res) => (error ? reject(error) : resolve(res)),
    );
    instance.on('response', (_client, _status, _bytes, ms) => latencies.push(ms));
  });
  const after = { cpu: cpu(), log: logSize() };
  const sorted = Float64Array.from(latencies).sort();
  const requests = latencies.length;
  const per = (a: number | undefined, b: number | undefined) =>
    a === undefined || b === undefined || requests === 0 ? undefined : ((b - a) * 1000) / requests;
  const status = Object.fromEntries(
    Object.entries(result.statusCodeStats ?? {}).map(([code, s]) => [code, s.count ?? 0]),
  );
  return {
    requests,
    seconds: result.duration,
    perSecond: requests / result.duration,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    max: sorted[sorted.length - 1] ?? NaN,
    status,
    errors: result.errors,
    timeouts: result.timeouts,
    cpuMsPerRequest: {
      api: per(before.cpu.api, after.cpu.api),
      neo4j: per(before.cpu.neo4j, after.cpu.neo4j),
      loadGenerator: per(before.cpu.self, after.cpu.self),
    },
    logBytesPerRequest: requests === 0 ? 0 : (after.log - before.log) / requests,
    loadAverage: loadAverage(),
  };
}

/** Answers must be right before they are timed: person ids of known identifiers, 404 / null for unknown ones. */
export async function checkAnswers(api: ApiProcess, requests: LookupRequests): Promise<void> {
  const { getProbes, postProbes, postBodies } = requests;
  for (const p of getProbes.slice(0, 300)) {
    const response = await fetch(
      `${api.url}/v1/resolve?type=${p.type}&value=${encodeURIComponent(p.value)}`,
      { headers: benchAuthHeader },
    );
    const body = (await response.json()) as { personId?: string };
    const ok =
      p.personId === null
        ? response.status === 404
        : response.status === 200 && body.personId === p.personId;
    if (!ok)
      throw new Error(
        `GET /v1/resolve answered ${response.status} ${JSON.stringify(body)} for a${p.personId ? ' known' : 'n unknown'} ${p.type}`,
      );
  }
  const response = await fetch(`${api.url}/v1/resolve`, {
    method: 'POST',
    headers: { ...benchAuthHeader, 'content-type': 'application/json' },
    body: postBodies[0],
  });
  const { results } = (await response.json()) as { results: { personId: string | null }[] };
  if (response.status !== 200 || results.length !== postProbes[0]!.length)
    throw new Error(`POST /v1/resolve answered ${response.status}`);
  results.forEach((result, i) => {
    if (result.personId !== postProbes[0]![i]!.personId)
      throw new Error(`POST /v1/resolve: result ${i} has the wrong person`);
  });
}
