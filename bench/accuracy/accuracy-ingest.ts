import {
  addMatching,
  emptyMatching,
  type MatchingOutcome,
} from '../../src/resolver/batch-outcome.js';
import { benchLog } from '../harness/bench-log.js';
import { describeHost, describeSteal } from '../host/machine-load.js';
import { type CpuSnapshot, describeCpu } from '../host/process-cpu.js';
import { type RunReadings, startReadings } from '../host/run-readings.js';
import type { BenchServices } from '../services/bench-services.js';
import {
  deadLetterCount,
  type JobOutcome,
  postEvents,
  waitForJobs,
} from '../services/service-api.js';
import { fmt } from '../report/result-tables.js';
import type { EventWorkload } from '../workloads/event-workload.js';
import type { AccuracySettings } from './accuracy-settings.js';
import { type Service, serviceCpu } from './accuracy-service.js';

/** The service's own matching counts, summed over the run's jobs (GET /v1/jobs/{id} `matching`). */
type MatchingCounts = MatchingOutcome;

/** One ingest through the service: rate, matching counts, CPU, and the machine around it. */
export interface IngestResult extends RunReadings {
  matching: MatchingCounts;
  seconds: number;
  postSeconds: number;
  recordsPerSecond: number;
  jobs: number;
  cpu: CpuSnapshot;
  /** Share of the machine's CPU time the hypervisor took during the run (undefined: unknown). */
  steal: number | undefined;
}

/**
 * Sends the events in batches, waits for every job, and checks the outcome: every event applied
 * once, nothing rejected, no dead letters. Throws with the numbers when not. A `quiet` ingest (a
 * warm-up) neither waits for an idle machine nor measures the host.
 */
export async function ingest(
  deps: { services: BenchServices; settings: Pick<AccuracySettings, 'batchSize' | 'waitIdle'> },
  service: Service,
  events: EventWorkload['events'],
  label: string,
  options: { quiet?: boolean } = {},
): Promise<IngestResult> {
  const { batchSize } = deps.settings;
  const bodies: string[] = [];
  for (let i = 0; i < events.length; i += batchSize)
    bodies.push(JSON.stringify({ events: events.slice(i, i + batchSize) }));
  const readings = await startReadings(() => serviceCpu(deps.services, service), {
    minIdle: deps.settings.waitIdle,
    quiet: options.quiet,
  });
  const started = performance.now();
  const jobIds: string[] = [];
  for (const body of bodies) jobIds.push(await postEvents(service.apiUrl, body));
  const posted = performance.now();
  const { outcomes, doneAt } = await waitForJobs(service.apiUrl, jobIds);
  const seconds = (doneAt - started) / 1000;
  const { cpu, steal } = readings.end();
  const matching = checkOutcomes(outcomes, events.length, label);
  const dead = await deadLetterCount(service.apiUrl);
  if (dead > 0) throw new Error(`${label}: ${dead} dead-lettered job(s) after the run`);
  const { idleBefore, loadBefore, hostBefore } = readings;
  benchLog(
    `${label}: ${fmt(events.length)} records in ${seconds.toFixed(2)} s = ${fmt(events.length / seconds)} records/s ` +
      `(POSTs done after ${((posted - started) / 1000).toFixed(2)} s; idle before ${Math.round(idleBefore * 100)} %, load ${loadBefore.toFixed(1)}, host ${describeHost(hostBefore)}, steal during ${describeSteal(steal)}; ` +
      `CPU ms per 1000 records: ${describeCpu(cpu, events.length)}; per record: ${(matching.candidates / events.length).toFixed(1)} candidates, ` +
      `${(matching.scored / events.length).toFixed(1)} pairs scored; ${matching.capped} records capped, ${matching.matched} matched, ${matching.reviews} reviews)`,
  );
  return {
    matching,
    seconds,
    postSeconds: (posted - started) / 1000,
    recordsPerSecond: events.length / seconds,
    jobs: jobIds.length,
    cpu,
    idleBefore,
    loadBefore,
    steal,
    hostBefore,
  };
}

/**
 * Every event applied once with nothing dropped, and every event's attributes stored as a record;
 * returns the summed matching counts.
 */
function checkOutcomes(
  outcomes: readonly JobOutcome[],
  expected: number,
  label: string,
): MatchingCounts {
  const applied = outcomes.reduce((n, o) => n + o.counts.applied, 0);
  const duplicates = outcomes.reduce((n, o) => n + o.counts.duplicates, 0);
  const rejectedEvents = outcomes.reduce((n, o) => n + o.counts.rejected, 0);
  const rejections = outcomes.flatMap((o) => o.rejected);
  if (applied !== expected || duplicates > 0 || rejectedEvents > 0 || rejections.length > 0) {
    const reasons = new Map<string, number>();
    for (const r of rejections) reasons.set(r.reason, (reasons.get(r.reason) ?? 0) + 1);
    throw new Error(
      `${label}: ${expected} events sent, ${applied} applied, ${duplicates} duplicates, ${rejectedEvents} rejected whole, ` +
        `${rejections.length} rejections (${[...reasons].map(([k, v]) => `${k}: ${v}`).join(', ') || 'none'})`,
    );
  }
  const matching: MatchingCounts = emptyMatching();
  for (const o of outcomes) {
    if (!o.matching) throw new Error(`${label}: job ${o.jobId} reports no matching counts`);
    addMatching(matching, o.matching);
  }
  if (matching.records !== expected)
    throw new Error(
      `${label}: ${expected} events applied but ${matching.records} records stored for matching`,
    );
  return matching;
}
