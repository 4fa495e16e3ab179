import { jobResponseSchema } from '../../src/api/schemas.js';
import { benchLog } from '../harness/bench-log.js';
import { benchAuthHeader } from '../services/bench-env.js';
import { postEvents } from '../services/service-api.js';
import { requestBodies, taggedStream } from '../workloads/tagged-stream.js';

/** Events per generated chunk: each chunk's identifiers are new (tagged `s<k>`). */
const CHUNK_EVENTS = 5000;

/** What the ingest loop has done so far. */
export interface IngestProgress {
  postedJobs: number;
  postedEvents: number;
  completedJobs: number;
  completedEvents: number;
  failedJobs: number;
}

export interface SoakIngest {
  progress(): IngestProgress;
  /** Stops POSTing and polling. */
  stop(): Promise<void>;
}

/** The stream's bodies, chunk after chunk, endlessly: new persons keep arriving as in production. */
function* bodies(
  seed: number,
  batchSize: number,
): Generator<{ body: string; events: number }, void> {
  for (let chunk = 1; ; chunk++) {
    const { events } = taggedStream(CHUNK_EVENTS, seed + chunk, `s${chunk}`);
    for (let i = 0; i < events.length; i += batchSize) {
      const batch = events.slice(i, i + batchSize);
      yield { body: JSON.stringify({ events: batch }), events: batch.length };
    }
  }
}

/**
 * Offers events at `rate` per second (a request of `batchSize` every batchSize / rate s, catching up
 * when a POST was slow) and follows the jobs to completion, oldest first, whatever the workers keep
 * up with: a backlog that grows says the offered rate is above what the deployment sustains.
 */
export function startSoakIngest(
  apiUrl: string,
  options: { rate: number; batchSize: number; seed: number },
): SoakIngest {
  const progress: IngestProgress = {
    postedJobs: 0,
    postedEvents: 0,
    completedJobs: 0,
    completedEvents: 0,
    failedJobs: 0,
  };
  const pending: { jobId: string; events: number }[] = [];
  let stopped = false;
  const source = bodies(options.seed, options.batchSize);
  const intervalMs = (options.batchSize / options.rate) * 1000;
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

  const post = async () => {
    let due = performance.now();
    while (!stopped) {
      const next = source.next();
      if (next.done === true) break;
      const { body, events } = next.value;
      try {
        pending.push({ jobId: await postEvents(apiUrl, body), events });
        progress.postedJobs += 1;
        progress.postedEvents += events;
      } catch (error) {
        benchLog(`soak: a POST failed: ${(error as Error).message}`);
      }
      due += intervalMs;
      await sleep(due - performance.now());
    }
  };
  const follow = async () => {
    while (!stopped) {
      const oldest = pending[0];
      if (!oldest) {
        await sleep(200);
        continue;
      }
      let state: string;
      try {
        state = await jobState(apiUrl, oldest.jobId);
      } catch (error) {
        benchLog(`soak: reading a job failed: ${(error as Error).message}`);
        await sleep(1000);
        continue;
      }
      if (state === 'completed' || state === 'failed') {
        pending.shift();
        if (state === 'completed') {
          progress.completedJobs += 1;
          progress.completedEvents += oldest.events;
        } else progress.failedJobs += 1;
      } else await sleep(200);
    }
  };
  const loops = Promise.all([post(), follow()]);
  return {
    progress: () => ({ ...progress }),
    async stop() {
      stopped = true;
      await loops;
    },
  };
}

const stateSchema = jobResponseSchema.pick({ state: true });

async function jobState(apiUrl: string, jobId: string): Promise<string> {
  const response = await fetch(`${apiUrl}/v1/jobs/${jobId}`, { headers: benchAuthHeader });
  const text = await response.text();
  if (!response.ok) throw new Error(`GET /v1/jobs answered ${response.status}: ${text}`);
  return stateSchema.parse(JSON.parse(text) as unknown).state;
}

/** The first chunk's identifiers (ingested before the soak starts): what lookups ask for. */
export function lookupChunk(seed: number, batchSize: number) {
  const { events, truth } = taggedStream(CHUNK_EVENTS, seed, 's0');
  return {
    bodies: requestBodies(events, batchSize),
    events: events.length,
    keys: [...truth.keys()],
  };
}
