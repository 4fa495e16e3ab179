import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { PersonService } from '../persons/person-service.js';
import { consistencyOf } from './consistency.js';
import { errorResponses } from './problem.js';
import {
  consistencyHeaders,
  identifierViewSchema,
  personIdParam,
  personConsentSchema,
  personLinksSchema,
  personSchema,
  scopeQuerySchema,
} from './schemas.js';

/** Persons, their links, and single identifiers. */
export const personRoutes: FastifyPluginAsyncZod<{
  persons: Pick<
    PersonService,
    'getPerson' | 'getPersonLinks' | 'getPersonConsent' | 'getIdentifier'
  >;
}> = async (app, { persons }) => {
  app.get(
    '/v1/persons/:id',
    {
      config: { scope: 'persons:read' },
      schema: {
        tags: ['persons'],
        summary: 'A resolved person',
        description:
          'A merged id answers 200 with the survivor (`id`) and a `Location` header. With `purpose` / `minConfidence`, only the scoped part of the person (docs/api.md).',
        params: z.object({ id: personIdParam }),
        querystring: z.object(scopeQuerySchema),
        headers: consistencyHeaders,
        response: { 200: personSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const person = await persons.getPerson(
        request.params.id,
        request.query,
        consistencyOf(request),
      );
      if (person.id !== person.requestedId) reply.header('location', `/v1/persons/${person.id}`);
      return person;
    },
  );

  app.get(
    '/v1/persons/:id/links',
    {
      config: { scope: 'persons:read' },
      schema: {
        tags: ['persons'],
        summary: 'The links inside a person, with confidence, provenance and consent',
        params: z.object({ id: personIdParam }),
        response: { 200: personLinksSchema, ...errorResponses },
      },
    },
    async (request) => persons.getPersonLinks(request.params.id),
  );

  app.get(
    '/v1/persons/:id/consent',
    {
      config: { scope: 'persons:read' },
      schema: {
        tags: ['persons'],
        summary: "Consent of the person's identifiers: per purpose, current state and history",
        description:
          'Per purpose, per identifier: the current state (granted or denied, when, and the event or privacy request that set it) and its changes, newest first. A merged id answers 200 for the survivor with a `Location` header (docs/api.md).',
        params: z.object({ id: personIdParam }),
        response: { 200: personConsentSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const consent = await persons.getPersonConsent(request.params.id);
      if (consent.id !== consent.requestedId)
        reply.header('location', `/v1/persons/${consent.id}/consent`);
      return consent;
    },
  );

  app.get(
    '/v1/identifiers/:type/:value',
    {
      config: { scope: 'persons:read' },
      schema: {
        tags: ['persons'],
        summary: 'One identifier: its person and its links',
        description: 'The value is normalised as ingestion does; URL-encode it.',
        params: z.object({ type: z.string().min(1).max(40), value: z.string().min(1).max(1024) }),
        response: { 200: identifierViewSchema, ...errorResponses },
      },
    },
    async (request) => persons.getIdentifier(request.params.type, request.params.value),
  );
};
