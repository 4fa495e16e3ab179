import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { JobNotFoundError } from '../errors.js';
import { eventBatchSchema } from '../resolver/event-schema.js';
import type { IngestGateway } from './app-deps.js';
import { errorResponses } from './problem.js';
import { enqueueResponseSchema, jobResponseSchema } from './schemas.js';

/** Ingest: accept a batch into the queue, and report what became of it. */
export const eventRoutes: FastifyPluginAsyncZod<{ ingest: IngestGateway }> = async (app, { ingest }) => {
  app.post(
    '/v1/events',
    {
      schema: {
        tags: ['ingest'],
        summary: 'Queue identity events for resolution',
        description: 'Accepts 1..1000 events. Each event is applied once per (source, id), however often it is sent.',
        body: eventBatchSchema,
        response: { 202: enqueueResponseSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { jobId } = await ingest.enqueue(request.body.events);
      return reply.code(202).header('location', `/v1/jobs/${jobId}`).send({ jobId, accepted: request.body.events.length });
    },
  );

  app.get(
    '/v1/jobs/:jobId',
    {
      schema: {
        tags: ['ingest'],
        summary: 'State and outcome of an ingest job',
        params: z.object({ jobId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/) }),
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
        counts: { applied: result?.applied ?? 0, duplicates: result?.duplicates ?? 0, rejected: result?.rejectedEvents ?? 0 },
        rejected: result?.rejected ?? [],
        ...(job.failedReason ? { failedReason: job.failedReason } : {}),
      };
    },
  );
};
