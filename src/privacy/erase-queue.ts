import { redisServers } from '../ingest/redis-connection.js';
import type { PrivacyStep, StepContext } from './privacy-step.js';

/**
 * The Redis steps of an `erase` request (docs/privacy.md, Erase):
 *
 * - `scrub_queue`: every ingest job Redis keeps whose payload carries a subject identifier
 *   (compared by normalised key, as ingestion normalises it) is rewritten without the events'
 *   subject identifiers and attributes, or removed when no event is left (`jobsScrubbed`). Done
 *   after `suppress`: a job that runs later drops the identifiers and scrubs its own payload.
 * - `rewrite_aof`: asks Redis to rewrite its append-only file (BGREWRITEAOF), so the payloads as
 *   they were leave the disk; best effort, its answer is reported (`aofRewrite`).
 */

/** The ingest queue's side of scrubbing (src/ingest/ingest-scrub.ts), passed in by the runtime. */
export type JobScrubber = (
  scrub: (events: readonly unknown[]) => unknown[] | undefined,
) => Promise<{ rewritten: number; removed: number }>;

interface RawIdentifier {
  type?: unknown;
  value?: unknown;
}

/**
 * A payload's events without the subject's identifiers (and, for an event that carried any, its
 * attributes); events left with none are left out. Undefined when no event carried one.
 */
export function scrubPayloadEvents(
  events: readonly unknown[],
  isSubject: (type: string, value: string) => boolean,
): unknown[] | undefined {
  let changed = false;
  const kept: unknown[] = [];
  for (const event of events) {
    const raw = event as { identifiers?: unknown; attributes?: unknown } | null;
    const identifiers = Array.isArray(raw?.identifiers)
      ? (raw.identifiers as (RawIdentifier | null)[])
      : [];
    const left = identifiers.filter(
      (i) =>
        !(typeof i?.type === 'string' && typeof i.value === 'string' && isSubject(i.type, i.value)),
    );
    if (left.length === identifiers.length) {
      kept.push(event);
      continue;
    }
    changed = true;
    if (left.length === 0) continue;
    const { attributes: _dropped, ...rest } = raw!;
    kept.push({ ...rest, identifiers: left });
  }
  return changed ? kept : undefined;
}

export function scrubQueueStep(scrubber: JobScrubber | undefined): PrivacyStep {
  return {
    name: 'scrub_queue',
    async run(ctx: StepContext) {
      if (!scrubber) throw new Error('no ingest queue to scrub');
      const subject = new Set(ctx.subject.keys);
      const isSubject = (type: string, value: string) => {
        const result = ctx.registry.normalize(type, value);
        return result.ok && subject.has(result.key);
      };
      const { rewritten, removed } = await scrubber((events) =>
        scrubPayloadEvents(events, isSubject),
      );
      await ctx.write(
        'privacy-erase-scrub-queue',
        async ({ report }) => void report.count('jobsScrubbed', rewritten + removed),
        { done: true },
      );
    },
  };
}

export const rewriteAofStep: PrivacyStep = {
  name: 'rewrite_aof',
  async run(ctx) {
    let outcome: 'started' | 'failed';
    try {
      // Each server keeps its own append-only file: on a cluster, every node rewrites its own.
      await Promise.all(redisServers(ctx.redis).map((server) => server.bgrewriteaof()));
      outcome = 'started';
    } catch (error) {
      // Already rewriting (the rewrite that runs covers the scrubbed data only if it started
      // after it), or not allowed here: reported, not retried.
      ctx.logger.warn({ err: (error as Error).name }, 'BGREWRITEAOF refused');
      outcome = 'failed';
    }
    await ctx.write(
      'privacy-erase-rewrite-aof',
      async ({ report }) => void report.aofRewrite(outcome),
      {
        done: true,
      },
    );
  },
};
