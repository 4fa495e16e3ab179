import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { PersonService } from '../persons/person-service.js';
import { errorResponses } from './problem.js';
import { personSchema } from './schemas.js';

/** A person by id; a merged id answers with its survivor and points at it with `Location`. */
export const personRoutes: FastifyPluginAsyncZod<{ persons: Pick<PersonService, 'getPerson'> }> = async (app, { persons }) => {
  app.get(
    '/v1/persons/:id',
    {
      schema: {
        tags: ['persons'],
        summary: 'A resolved person',
        params: z.object({ id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/) }),
        response: { 200: personSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const person = await persons.getPerson(request.params.id);
      if (person.id !== person.requestedId) reply.header('location', `/v1/persons/${person.id}`);
      return person;
    },
  );
};
