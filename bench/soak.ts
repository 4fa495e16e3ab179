/**
 * Soak: mixed ingest and lookups for --minutes, sampling every process's memory, Redis's memory and keys and Neo4j's heap; reports what grows.
 *
 * One API process and --workers worker processes (as in `scale`) on a Neo4j and a Redis this
 * benchmark starts. A first chunk of generated events is ingested untimed (its identifiers are what
 * lookups ask for); then events are offered at --ingest-rate per second in requests of --batch
 * (every chunk of the stream brings new persons, as production does) while GET /v1/resolve runs at
 * --rate per second, open loop, from a child process. Every --sample-seconds: the RSS of the API,
 * each worker, Neo4j and Redis; Redis `used_memory` (INFO) and key count (DBSIZE); the Neo4j JVM's
 * heap in use (`dbms.queryJmx`); jobs and events posted and completed.
 *
 * After the warm-up (--warmup, a fifth of the soak by default), each series gets a least-squares
 * slope (memory series over their lower envelope: the minimum of each window, which garbage
 * collection does not move but a leak raises) and is flagged GROWS when the fitted growth over the
 * measured minutes exceeds 5 % of its mean with R² >= 0.5. What grows by design is said so in the
 * report: the graph and its event log and audit trail (kept on purpose), and Redis for as long as
 * completed ingest jobs are kept for clients to read (INGEST_JOBS_KEPT_SECONDS, INGEST_JOBS_KEPT), for
 * which it prints the bytes per completed job and the bound they reach.
 */
import { Redis } from 'ioredis';
import { INGEST_QUEUE_STREAMS } from '../src/ingest/ingest-contract.js';
import { benchLog } from './harness/bench-log.js';
import { runBenchmark } from './harness/run-benchmark.js';
import { fmt } from './report/result-tables.js';
import { startPacer } from './scale/lookup-pacer.js';
import { benchServices } from './services/bench-services.js';
import { clearDisposableGraph, openDisposableGraph } from './services/disposable-graph.js';
import { deadLetterCount, postEvents, waitForJobs } from './services/service-api.js';
import { startFleet } from './services/service-fleet.js';
import { lookupChunk, startSoakIngest } from './soak/soak-ingest.js';
import { growthOf, growthTable, latencyTable } from './soak/soak-report.js';
import { type Sample, takeSample } from './soak/soak-sampler.js';
import { soakSettings } from './soak/soak-settings.js';
import { splitKey } from './workloads/tagged-stream.js';

/** The ingest queue keeps this many completed jobs at most (src/ingest/ingest-queue.ts). */
/** The service's INGEST_JOBS_KEPT, which the processes inherit from this environment. */
const COMPLETED_JOBS_KEPT = Number(process.env.INGEST_JOBS_KEPT ?? 100_000);

runBenchmark('soak', async (run) => {
  const settings = soakSettings(process.argv.slice(2));
  const services = await benchServices(run.signal);
  run.onStop(() => services.stop());
  const graph = await openDisposableGraph(services);
  run.onStop(() => graph.close());
  await clearDisposableGraph(graph);
  const fleet = await startFleet(run.processes, services, {
    workers: settings.workers,
    concurrency: settings.concurrency,
    logLevel: 'warn',
  });
  run.onStop(() => fleet.stop());
  const redis = new Redis(services.redisUrl, { maxRetriesPerRequest: 1 });
  run.onStop(() => redis.disconnect());

  const first = lookupChunk(settings.seed, settings.batchSize);
  const firstJobs: string[] = [];
  for (const body of first.bodies) firstJobs.push(await postEvents(fleet.api.url, body));
  await waitForJobs(fleet.api.url, firstJobs);
  benchLog(`first chunk ingested: ${fmt(first.events)} events; soak starts`);

  const pacer = startPacer(run.processes, {
    url: fleet.api.url,
    paths: first.keys.map((key) => {
      const { type, value } = splitKey(key);
      return `/v1/resolve?type=${type}&value=${encodeURIComponent(value)}`;
    }),
    rate: settings.rate,
  });
  const ingest = startSoakIngest(fleet.api.url, {
    rate: settings.ingestRate,
    batchSize: settings.batchSize,
    seed: settings.seed,
  });
  const started = performance.now();
  const elapsed = () => (performance.now() - started) / 1000;
  const deps = {
    pids: {
      api: fleet.api.child.pid,
      ...Object.fromEntries(fleet.workers.map((w) => [w.name, w.child.pid])),
      neo4j: services.pids.neo4j,
      redis: services.pids.redis,
    },
    redis,
    graph,
    extra: () => {
      const p = ingest.progress();
      return {
        'events completed': p.completedEvents,
        'backlog (jobs)': p.postedJobs - p.completedJobs - p.failedJobs,
      };
    },
  };
  const samples: Sample[] = [];
  const end = settings.minutes * 60;
  let minute = 0;
  pacer.phase('minute 1');
  for (let k = 1; elapsed() < end; k++) {
    // On a fixed schedule: a slow sample does not stretch the intervals after it.
    await new Promise((r) =>
      setTimeout(r, Math.max(0, k * settings.sampleSeconds - elapsed()) * 1000),
    );
    const at = elapsed();
    if (Math.floor(at / 60) > minute && at < end) {
      minute = Math.floor(at / 60);
      pacer.phase(`minute ${minute + 1}`);
    }
    const sample = await takeSample(deps, at);
    samples.push(sample);
    if (samples.length % Math.max(1, Math.round(60 / settings.sampleSeconds)) === 0)
      benchLog(
        `${fmt(at / 60, 1)} min: ${fmt(sample.values['events completed'] ?? 0)} events completed, backlog ${sample.values['backlog (jobs)']} jobs, ` +
          `redis ${fmt((sample.values['redis used_memory'] ?? 0) / 2 ** 20, 1)} MiB, neo4j heap ${fmt((sample.values['neo4j heap used'] ?? 0) / 2 ** 20)} MiB`,
      );
  }
  await ingest.stop();
  const phases = await pacer.stop();
  const progress = ingest.progress();
  const deadLetters = await deadLetterCount(fleet.api.url);

  const warmupSeconds = settings.warmupMinutes * 60;
  const growth = growthOf(samples, warmupSeconds, end);
  const measuredMinutes = (end - warmupSeconds) / 60;
  const redisGrowth = growth.find((g) => g.series === 'redis used_memory');
  const jobsPerMinute =
    growth.find((g) => g.series === 'events completed')!.perMinute / settings.batchSize;
  const bytesPerJob =
    redisGrowth && jobsPerMinute > 0 ? redisGrowth.perMinute / jobsPerMinute : NaN;
  const keysPerJob =
    (growth.find((g) => g.series === 'redis keys')?.perMinute ?? NaN) / jobsPerMinute;
  const flagged = growth.filter((g) => g.verdict === 'grows').map((g) => g.series);
  return {
    title: `Soak: ${fmt(settings.minutes, 1)} minutes of ingest offered at ${fmt(settings.ingestRate)} events/s and lookups at ${fmt(settings.rate)}/s, ${settings.workers} worker processes x ${settings.concurrency}`,
    services,
    settings: [
      `processes: 1 API + ${settings.workers} workers (src/main.ts --api / --worker), LOG_LEVEL=warn, RATE_LIMIT_MAX=0; requests of ${settings.batchSize} events, new persons in every chunk`,
      `samples every ${settings.sampleSeconds} s; growth fitted after a ${fmt(settings.warmupMinutes, 1)}-minute warm-up over ${fmt(measuredMinutes, 1)} minutes (memory: lower envelope)`,
    ],
    sections: [
      `Ingest: ${fmt(progress.postedEvents)} events offered, ${fmt(progress.completedEvents)} completed (${fmt(progress.completedEvents / (end / 60))} per minute), ` +
        `${progress.postedJobs - progress.completedJobs - progress.failedJobs} jobs still queued at the end, ${progress.failedJobs} failed, ${deadLetters} in the dead-letter queue.`,
      growthTable(growth),
      `Flagged: ${flagged.length === 0 ? 'nothing' : flagged.join(', ')}. ` +
        `"events completed" grows by design (the graph, its event log and audit trail are kept on purpose). ` +
        (services.neo4jMemory
          ? `Neo4j's RSS may rise until its heap (${services.neo4jMemory.heap}) and page cache (${services.neo4jMemory.pageCache}) are in use. `
          : '') +
        (Number.isFinite(bytesPerJob)
          ? `Redis grew by ${fmt(bytesPerJob / 1024, 1)} KiB and ${fmt(keysPerJob, 1)} keys per completed job of ${settings.batchSize} events (a completed ingest job keeps its outcome for 24 h, at most INGEST_JOBS_KEPT = ${fmt(COMPLETED_JOBS_KEPT)} jobs; the queue's event stream keeps its last ${fmt(INGEST_QUEUE_STREAMS.events.maxLen)} entries): ` +
            `it grows until then, towards ${fmt((bytesPerJob * COMPLETED_JOBS_KEPT) / 2 ** 30, 1)} GiB at this batch size.`
          : ''),
      '### Lookups per minute',
      latencyTable(phases),
    ],
    results: {
      settings,
      samples,
      growth,
      progress,
      deadLetters,
      lookups: phases,
      bytesPerJob,
      keysPerJob,
    },
  };
});
