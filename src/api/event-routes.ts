import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { JobNotFoundError } from '../errors.js';
import type { PersonService } from '../persons/person-service.js';
import { eventBatchSchema, type IdentityEvent } from '../events/event-schema.js';
import type { JobView } from '../ingest/ingest-queue.js';
import type { IngestGateway } from './app-deps.js';
import { setConsistency } from './consistency.js';
import { errorResponses } from './problem.js';
import {
  appliedResponseSchema,
  booleanQuery,
  enqueueResponseSchema,
  jobIdParam,
  jobResponseSchema,
} from './schemas.js';

/** Ingest: accept a batch into the queue, and report what became of it. */
export const eventRoutes: FastifyPluginAsyncZod<{
  ingest: IngestGateway;
  persons: Pick<PersonService, 'resolveMany'>;
  waitTimeoutMs: number;
}> = async (app, { ingest, persons, waitTimeoutMs }) => {
  /** Per event of the request: what happened to it and which persons its identifiers resolve to. */
  async function appliedView(events: IdentityEvent[], job: JobView) {
    const result = job.result!;
    const outcome = new Map(result.events.map((e) => [`${e.source}/${e.eventId}`, e]));
    const rejectedWhole = new Set(
      result.rejected
        .filter((r) => r.reason.startsWith('no_usable_identifier') || r.reason === 'suppressed')
        .map((r) => `${r.source}/${r.eventId}`),
    );
    const view = [];
    for (const event of events) {
      const key = `${event.source}/${event.id}`;
      const o = outcome.get(key);
      if (rejectedWhole.has(key) || !o) {
        view.push({
          id: event.id,
          source: event.source,
          status: 'rejected' as const,
          personIds: [],
        });
      } else if (o.status === 'applied' && o.personIds && o.personIds.length > 0) {
        view.push({
          id: event.id,
          source: event.source,
          status: 'applied' as const,
          personIds: o.personIds,
        });
      } else {
        // A duplicate (or a replay): answer with where its identifiers resolve now.
        const resolved = await persons.resolveMany(event.identifiers);
        const personIds = [...new Set(resolved.flatMap((r) => (r.personId ? [r.personId] : [])))];
        view.push({ id: event.id, source: event.source, status: o.status, personIds });
      }
    }
    return view;
  }

  app.post(
    '/v1/events',
    {
      config: { scope: 'events:write' },
      schema: {
        tags: ['ingest'],
        summary: 'Queue identity events for resolution',
        description:
          'Accepts 1..1000 events. Each event is applied once per (source, id), however often it is sent. With `wait=true` the call waits (EVENTS_WAIT_TIMEOUT_MS) until the batch is applied and answers 200 with the person ids of each event and an `x-idgraph-consistency` token to pass on later reads; on timeout it answers 202 as usual.',
        querystring: z.object({
          wait: booleanQuery.describe('Wait until applied (read-your-writes)'),
        }),
        body: eventBatchSchema,
        response: { 200: appliedResponseSchema, 202: enqueueResponseSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { events } = request.body;
      const { jobId } = await ingest.enqueue(events);
      reply.header('location', `/v1/jobs/${jobId}`);
      if (request.query.wait) {
        const job = await ingest.waitForJob(jobId, waitTimeoutMs);
        if (job?.state === 'completed' && job.result) {
          setConsistency(reply, job.result.bookmarks);
          return reply.code(200).send({
            jobId,
            accepted: events.length,
            counts: {
              applied: job.result.applied,
              duplicates: job.result.duplicates,
              rejected: job.result.rejectedEvents,
              suppressed: job.result.suppressed ?? 0,
            },
            events: await appliedView(events, job),
            rejected: job.result.rejected,
          });
        }
      }
      return reply.code(202).send({ jobId, accepted: events.length });
    },
  );

  app.get(
    '/v1/jobs/:jobId',
    {
      config: { scope: 'events:write' },
      schema: {
        tags: ['ingest'],
        summary: 'State and outcome of an ingest job',
        params: z.object({ jobId: jobIdParam }),
        response: { 200: jobResponseSchema, ...errorResponses },
      },
    },
    async (request) => {
      const job = await ingest.getJob(request.params.jobId);
      if (!job) throw new JobNotFoundError();
      const result = job.result;
      return {
        jobId: job.jobId,
        state: job.state,
        counts: {
          applied: result?.applied ?? 0,
          duplicates: result?.duplicates ?? 0,
          rejected: result?.rejectedEvents ?? 0,
          suppressed: result?.suppressed ?? 0,
        },
        rejected: result?.rejected ?? [],
        ...(result?.matching ? { matching: result.matching } : {}),
        ...(result?.attributeWarnings ? { attributeWarnings: result.attributeWarnings } : {}),
        ...(job.failedReason ? { failedReason: job.failedReason } : {}),
      };
    },
  );
};
