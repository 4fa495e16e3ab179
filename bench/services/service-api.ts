import { z } from 'zod';
import { jobResponseSchema, linkSchema, resolveResponseSchema } from '../../src/api/schemas.js';
import { benchAuthHeader } from './bench-env.js';

/**
 * The service's HTTP API as benchmarks call it: events in, jobs waited for, persons and links read
 * back. Answers are parsed with the API's own schemas.
 */

async function call<T>(
  url: string,
  schema: z.ZodType<T>,
  init: { method?: string; body?: unknown } = {},
): Promise<T> {
  const response = await fetch(url, {
    method: init.method ?? 'GET',
    headers: {
      ...benchAuthHeader,
      ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  const text = await response.text();
  if (!response.ok)
    throw new Error(
      `${init.method ?? 'GET'} ${new URL(url).pathname} answered ${response.status}: ${text}`,
    );
  return schema.parse(JSON.parse(text));
}

const enqueuedSchema = z.object({ jobId: z.string(), accepted: z.number().int() });

/** POSTs one batch; returns the job id. Bodies are serialised by the caller, before timing starts. */
export async function postEvents(apiUrl: string, body: string): Promise<string> {
  const response = await fetch(`${apiUrl}/v1/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...benchAuthHeader },
    body,
  });
  const text = await response.text();
  if (response.status !== 202)
    throw new Error(`POST /v1/events answered ${response.status}: ${text}`);
  return enqueuedSchema.parse(JSON.parse(text)).jobId;
}

export type JobOutcome = z.infer<typeof jobResponseSchema>;

/**
 * Polls `GET /v1/jobs/{id}` until every job is completed, oldest first (the queue runs them
 * roughly in order, so one request per poll usually suffices). A failed job fails the run with its
 * reason. Returns each job's outcome and the time the last one was seen completed.
 */
export async function waitForJobs(
  apiUrl: string,
  jobIds: readonly string[],
  options: { pollMs?: number; timeoutMs?: number } = {},
): Promise<{ outcomes: JobOutcome[]; doneAt: number }> {
  const pending = [...jobIds];
  const outcomes = new Map<string, JobOutcome>();
  const deadline = Date.now() + (options.timeoutMs ?? 3_600_000);
  while (pending.length > 0) {
    const job = await call(`${apiUrl}/v1/jobs/${pending[0]}`, jobResponseSchema);
    if (job.state === 'failed')
      throw new Error(
        `job ${job.jobId} failed (dead-lettered): ${job.failedReason ?? 'no reason given'}`,
      );
    if (job.state === 'completed') {
      outcomes.set(job.jobId, job);
      pending.shift();
      continue;
    }
    if (Date.now() > deadline)
      throw new Error(`${pending.length} job(s) not completed in time (first: ${job.state})`);
    await new Promise((r) => setTimeout(r, options.pollMs ?? 50));
  }
  return { outcomes: jobIds.map((id) => outcomes.get(id)!), doneAt: performance.now() };
}

const deadLettersSchema = z.object({ total: z.number().int() });

export async function deadLetterCount(apiUrl: string): Promise<number> {
  return (await call(`${apiUrl}/v1/dead-letters?limit=1`, deadLettersSchema)).total;
}

/** Resolves identifiers (1000 per call, `concurrency` calls at once) to person ids, in order. */
export async function resolvePersons(
  apiUrl: string,
  identifiers: readonly { type: string; value: string }[],
  concurrency = 2,
): Promise<(string | null)[]> {
  const chunks: { type: string; value: string }[][] = [];
  for (let i = 0; i < identifiers.length; i += 1000) chunks.push(identifiers.slice(i, i + 1000));
  const answers: (string | null)[][] = Array.from({ length: chunks.length }, () => []);
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < chunks.length) {
        const index = next++;
        const { results } = await call(`${apiUrl}/v1/resolve`, resolveResponseSchema, {
          method: 'POST',
          body: { identifiers: chunks[index] },
        });
        answers[index] = results.map((r) => r.personId);
      }
    }),
  );
  return answers.flat();
}

/** A link as `GET /v1/persons/{id}/links` returns it, with the model version of probabilistic links. */
const benchLinkSchema = linkSchema.extend({ modelVersion: z.string().nullish() });
const benchPersonLinksSchema = z.object({
  personId: z.string(),
  links: z.array(benchLinkSchema),
});
export type BenchLink = z.infer<typeof benchLinkSchema>;

/** The links of each person (`concurrency` requests at once). */
export async function personLinks(
  apiUrl: string,
  personIds: readonly string[],
  concurrency = 4,
): Promise<BenchLink[]> {
  const all: BenchLink[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < personIds.length) {
        const id = personIds[next++]!;
        const { links } = await call(
          `${apiUrl}/v1/persons/${encodeURIComponent(id)}/links`,
          benchPersonLinksSchema,
        );
        all.push(...links);
      }
    }),
  );
  return all;
}
