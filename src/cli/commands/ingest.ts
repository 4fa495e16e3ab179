import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { batchJobId } from '../../ingest/ingest-contract.js';
import { createIngestQueue, ingestJobsKept, type IngestQueue } from '../../ingest/ingest-queue.js';
import { eventSchema, type IdentityEvent } from '../../events/event-schema.js';
import { identifierRegistry } from '../../resolver/resolver-config.js';
import { CliError, type CliContext, connectRedis, ExitCode } from '../cli-context.js';
import { EventFileError } from '../csv-columns.js';
import { formatDuration, printable, ratePerSecond } from '../format.js';
import {
  formatIngestSummary,
  type IngestOutcome,
  type IngestSummary,
  ingestExitCode,
} from '../ingest-summary.js';
import { createJobTracker, type JobTracker, type WaitOutcome } from '../job-tracker.js';
import { startProgress } from '../progress.js';
import { type EventFileFormat, formatOfPath, readEvents } from '../read-events.js';

/**
 * `idgraph ingest <file>`: streams an NDJSON or CSV file into the ingest queue in batches, exactly
 * as `POST /v1/events` would enqueue them, and (unless `--no-wait`) follows the batches until the
 * workers have resolved them. The file is never held in memory, and while waiting, reading pauses
 * once `--max-pending` batches are queued, so a large file cannot fill Redis ahead of the workers.
 *
 * Output: problems and progress on stderr, the summary on stdout. Identifier values are never
 * printed: a bad line is reported by its number and reason.
 */

export interface IngestOptions {
  batchSize: number;
  source?: string | undefined;
  format?: EventFileFormat | undefined;
  delimiter: string;
  wait: boolean;
  /** Seconds without a finished batch before giving up (exit 4). */
  timeout: number;
  maxPending: number;
  progress: boolean;
  /** Seconds between plain progress lines when stderr is not a terminal. */
  progressInterval: number;
  /** How many bad lines (and resolver rejections) are printed one by one. */
  showErrors: number;
  json: boolean;
}

async function fileSize(file: string): Promise<number> {
  try {
    const info = await stat(file);
    if (!info.isFile()) throw new CliError(`${file} is not a file`, ExitCode.usage);
    return info.size;
  } catch (error) {
    if (error instanceof CliError) throw error;
    const code = (error as { code?: string }).code;
    throw new CliError(
      `cannot read ${file}${code === 'ENOENT' ? ': no such file' : code ? ` (${code})` : ''}`,
      ExitCode.usage,
    );
  }
}

/** Prints up to `limit` problems of one kind, then one line saying the rest are only counted. */
function limitedReporter(limit: number, log: (line: string) => void, what: string) {
  let shown = 0;
  return (line: string) => {
    shown += 1;
    if (shown <= limit) log(line);
    else if (shown === limit + 1)
      log(`(more ${what} are counted in the summary but not shown; see --show-errors)`);
  };
}

interface IngestCounts {
  read: number;
  invalid: number;
  enqueued: number;
  batches: number;
  reusedBatches: number;
  repeatedEvents: number;
}

export async function ingestCommand(
  ctx: CliContext,
  file: string,
  options: IngestOptions,
): Promise<ExitCode> {
  const format = options.format ?? formatOfPath(file);
  if (!format) {
    throw new CliError(
      `cannot tell the format of ${file} from its name: pass --format ndjson or --format csv`,
      ExitCode.usage,
    );
  }
  if (options.source !== undefined && !eventSchema.shape.source.safeParse(options.source).success) {
    throw new CliError('--source: letters, digits, "_", ".", "-"; at most 64', ExitCode.usage);
  }
  const bytes = await fileSize(file);
  const identifierTypes = identifierRegistry(ctx.config).types.map((t) => t.name);
  const timeoutMs = options.timeout * 1000;

  const redis = await connectRedis(ctx);
  const queue = createIngestQueue({
    connection: redis,
    queueName: ctx.config.INGEST_QUEUE,
    prefix: ctx.config.QUEUE_PREFIX,
    attempts: ctx.config.JOB_ATTEMPTS,
    keepCompleted: ingestJobsKept(ctx.config),
  });
  const started = performance.now();
  const input = createReadStream(file);
  const counts: IngestCounts = {
    read: 0,
    invalid: 0,
    enqueued: 0,
    batches: 0,
    reusedBatches: 0,
    repeatedEvents: 0,
  };
  const jobIds: string[] = [];
  let readMs: number | undefined;

  // Its callbacks print through the progress display, which starts right after it.
  const tracker = createJobTracker({
    queue,
    onRejection: (r) =>
      reportRejection(
        printable(`resolver: event ${r.source}/${r.eventId}: ${r.reasons.join('; ')}`),
      ),
    onFailedBatch: (jobId, reason) => log(`batch ${jobId} failed: ${reason}`),
    onSlow: (waitedMs) =>
      log(
        `waiting: no batch has finished for ${formatDuration(waitedMs)}; is a worker consuming queue "${ctx.config.INGEST_QUEUE}"?`,
      ),
  });

  const progress = startProgress(
    ctx.io.stderr,
    () => ({
      bytesRead: input.bytesRead,
      totalBytes: bytes,
      eventsRead: counts.read,
      readDone: readMs !== undefined,
      readElapsedMs: readMs ?? performance.now() - started,
      enqueued: counts.enqueued,
      resolved: tracker.totals().finishedEvents + counts.repeatedEvents,
      following: options.wait,
      elapsedMs: performance.now() - started,
    }),
    {
      mode: !options.progress ? 'off' : ctx.io.stderr.isTTY ? 'bar' : 'lines',
      intervalMs: options.progressInterval * 1000,
    },
  );
  const log = (line: string) => progress.log(line);
  const onAbort = () => log('interrupted: closing the queue connection (signal again to force)');
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  const reportInvalid = limitedReporter(options.showErrors, log, 'invalid lines');
  const reportRejection = limitedReporter(options.showErrors, log, 'resolver rejections');
  const flush = createBatchSender({
    queue,
    tracker,
    counts,
    jobIds,
    options,
    timeoutMs,
    signal: ctx.signal,
  });
  let batch: IdentityEvent[] = [];
  let wait: WaitOutcome = 'done';
  try {
    const items = readEvents(input, {
      format,
      identifierTypes,
      source: options.source,
      delimiter: options.delimiter,
      onNotice: (notice) => log(`note: ${notice}`),
    });
    for await (const item of items) {
      if (ctx.signal.aborted) {
        wait = 'aborted';
        break;
      }
      counts.read += 1;
      if ('error' in item) {
        counts.invalid += 1;
        reportInvalid(`line ${item.line}: ${item.error}`);
        continue;
      }
      batch.push(item.event);
      if (batch.length >= options.batchSize) {
        wait = await flush(batch);
        batch = [];
        if (wait !== 'done') break;
      }
    }
    if (wait === 'done' && ctx.signal.aborted) wait = 'aborted';
    if (wait === 'done') {
      readMs = performance.now() - started;
      wait = await flush(batch);
    }
    if (wait === 'done' && options.wait)
      wait = await tracker.waitUntilPendingAtMost(0, timeoutMs, ctx.signal);
  } catch (error) {
    progress.stop(false);
    if (error instanceof EventFileError)
      throw new CliError(`${file}: ${error.message}`, ExitCode.usage);
    throw error;
  } finally {
    ctx.signal.removeEventListener('abort', onAbort);
    progress.stop();
    input.destroy();
    await queue.close().catch(() => undefined);
    await redis.quit().catch(() => redis.disconnect());
  }

  const summary = ingestSummary({
    file,
    format,
    bytes,
    wait,
    options,
    counts,
    totals: tracker.totals(),
    elapsedMs: performance.now() - started,
    jobIds,
  });
  ctx.io.stdout.write(options.json ? `${JSON.stringify(summary)}\n` : formatIngestSummary(summary));
  return ingestExitCode(summary);
}

/** What one `idgraph ingest` did, from the reader's counts and the tracked jobs' totals. */
function ingestSummary(run: {
  file: string;
  format: IngestSummary['format'];
  bytes: number;
  wait: WaitOutcome;
  options: Pick<IngestOptions, 'wait' | 'timeout'>;
  counts: IngestCounts;
  totals: ReturnType<JobTracker['totals']>;
  elapsedMs: number;
  jobIds: string[];
}): IngestSummary {
  const { wait, options, counts, totals, elapsedMs } = run;
  const outcome: IngestOutcome =
    wait === 'aborted'
      ? 'interrupted'
      : wait === 'stalled'
        ? 'timed_out'
        : options.wait
          ? 'completed'
          : 'enqueued';
  return {
    file: run.file,
    format: run.format,
    bytes: run.bytes,
    outcome,
    read: counts.read,
    invalid: counts.invalid,
    enqueued: counts.enqueued,
    batches: counts.batches,
    waited: options.wait,
    applied: totals.applied,
    duplicates: totals.duplicates + counts.repeatedEvents,
    rejected: counts.invalid + totals.rejectedEvents,
    rejectedByResolver: totals.rejectedEvents,
    droppedValues: totals.droppedValues,
    attributeWarnings: totals.attributeWarnings,
    failedBatches: totals.failedBatches,
    failedEvents: totals.failedEvents,
    pendingBatches: totals.pendingBatches,
    pendingEvents: totals.pendingEvents,
    unknownBatches: totals.unknownBatches,
    reusedBatches: counts.reusedBatches,
    elapsedMs: Math.round(elapsedMs),
    eventsPerSecond: Math.round(ratePerSecond(counts.read, elapsedMs)),
    timeoutSeconds: options.timeout,
    jobIds: run.jobIds,
  };
}

/**
 * Sends one batch to the queue and, when following, waits until few enough are pending. The same
 * events batched alike give the same job id: the queue answers with the first job, counted once.
 */
function createBatchSender(deps: {
  queue: Pick<IngestQueue, 'getJob' | 'enqueue'>;
  tracker: Pick<JobTracker, 'add' | 'collect' | 'waitUntilPendingAtMost'>;
  counts: IngestCounts;
  jobIds: string[];
  options: Pick<IngestOptions, 'wait' | 'maxPending'>;
  timeoutMs: number;
  signal: AbortSignal;
}) {
  const { queue, tracker, counts, options } = deps;
  const seenJobIds = new Set<string>();
  return async (events: IdentityEvent[]): Promise<WaitOutcome> => {
    if (events.length === 0) return 'done';
    const reused = (await queue.getJob(batchJobId(events))) !== undefined;
    const { jobId } = await queue.enqueue(events);
    counts.enqueued += events.length;
    if (seenJobIds.has(jobId)) {
      // The same events twice in this file, batched alike: the queue answered with the first job.
      counts.repeatedEvents += events.length;
      return 'done';
    }
    seenJobIds.add(jobId);
    counts.batches += 1;
    if (reused) counts.reusedBatches += 1;
    deps.jobIds.push(jobId);
    if (!options.wait) return 'done';
    tracker.add(jobId, events.length);
    await tracker.collect();
    return tracker.waitUntilPendingAtMost(options.maxPending, deps.timeoutMs, deps.signal);
  };
}
