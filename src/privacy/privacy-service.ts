import {
  NotAnAccessRequestError,
  PrivacyExportNotFoundError,
  PrivacyRequestNotFoundError,
  RequestIdConflictError,
  RequestNotCompletedError,
  RequestTypeNotSupportedError,
  ValidationError,
} from '../errors.js';
import type { Graph } from '../graph/graph-client.js';
import { newId } from '../ids.js';
import type { PrivacyJobData } from '../jobs/privacy-job-contract.js';
import type { PrivacyQueue } from '../jobs/privacy-queue.js';
import type { IdentifierRegistry } from '../resolver/identifier-types.js';
import type { PrivacyExport } from './access-export-contract.js';
import { findExport } from './access-step.js';
import type { IdentifierHasher } from './identifier-hash.js';
import type {
  PrivacyRequestBody,
  PrivacyRequestList,
  PrivacyRequestStatus,
  PrivacyRequestView,
} from './privacy-contract.js';
import type { StepRegistry } from './privacy-step.js';
import {
  createRequest,
  failRequest,
  findRequest,
  listRequests,
  type NewRequest,
  type StoredRequest,
  toView,
} from './privacy-store.js';

/**
 * Privacy requests for the API and the CLI, which call the same functions with the same contract:
 * create (validate, normalise the subject, store it hashed, enqueue), get, list.
 *
 * The subject's identifiers are normalised with the identifier registry, as ingestion does; the
 * request node keeps their keyed hashes and the job's data (Redis) their keys, which the job takes
 * with it when it completes. Identifiers that cannot be normalised are counted by reason and
 * reported, as a lookup reports them; they never refuse the request.
 */

export interface PrivacyServiceDeps {
  graph: Pick<Graph, 'query' | 'writeTransaction'>;
  queue: Pick<PrivacyQueue, 'enqueue' | 'failedReason' | 'webhooksDelivered'>;
  registry: Pick<IdentifierRegistry, 'normalize'>;
  hasher: IdentifierHasher;
  /** The steps per type: a type without any is refused. */
  steps: StepRegistry;
  clock?: () => number;
}

export type PrivacyService = ReturnType<typeof createPrivacyService>;

interface NormalisedSubject {
  personId: string | null;
  keys: string[];
  invalid: Record<string, number>;
}

function normaliseSubject(
  registry: PrivacyServiceDeps['registry'],
  body: PrivacyRequestBody,
): NormalisedSubject {
  if ('personId' in body.subject) return { personId: body.subject.personId, keys: [], invalid: {} };
  const keys = new Set<string>();
  const invalid: Record<string, number> = {};
  for (const { type, value } of body.subject.identifiers) {
    const result = registry.normalize(type, value);
    if (result.ok) keys.add(result.key);
    else invalid[result.reason] = (invalid[result.reason] ?? 0) + 1;
  }
  return { personId: null, keys: [...keys].sort(), invalid };
}

/**
 * The reason is kept with the request and in the audit trail, which outlive an erasure: one that
 * quotes a subject identifier (as given or normalised) is refused.
 */
function checkReason(body: PrivacyRequestBody, keys: readonly string[]): void {
  if (!('identifiers' in body.subject)) return;
  const reason = body.reason.toLowerCase();
  const values = [
    ...body.subject.identifiers.map((i) => i.value.trim()),
    ...keys.map((k) => k.slice(k.indexOf(':') + 1)),
  ];
  if (values.some((v) => v.length >= 3 && reason.includes(v.toLowerCase())))
    throw new ValidationError('invalid request body', [
      { path: '$.body.reason', message: "must not contain the subject's identifiers" },
    ]);
}

const sameList = (a: readonly string[] | null | undefined, b: readonly string[] | null) =>
  JSON.stringify([...(a ?? [])].sort()) === JSON.stringify([...(b ?? [])].sort());

/** A repeat names the same request as the one stored under its requestId. */
function sameRequest(stored: StoredRequest, wanted: NewRequest): boolean {
  return (
    stored.type === wanted.type &&
    (stored.subjectPersonId ?? null) === wanted.subjectPersonId &&
    (wanted.subjectPersonId !== null || sameList(stored.subjectHashes, wanted.subjectHashes)) &&
    sameList(stored.purposes, wanted.purposes)
  );
}

const encodeCursor = (r: StoredRequest) =>
  Buffer.from(JSON.stringify([r.createdAt, r.id])).toString('base64url');

function decodeCursor(cursor: string): { at: number; id: string } {
  try {
    const [at, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
    if (typeof at === 'number' && typeof id === 'string') return { at, id };
  } catch {
    // reported below
  }
  throw new ValidationError('invalid cursor', [
    { path: '$.query.cursor', message: 'not a cursor idgraph issued' },
  ]);
}

export function createPrivacyService(deps: PrivacyServiceDeps) {
  const clock = deps.clock ?? Date.now;

  return {
    /**
     * Creates the request (or finds the one with the same requestId) and makes sure its job is
     * queued. Throws RequestTypeNotSupportedError for a type without steps, ValidationError for a
     * reason that quotes the subject, RequestIdConflictError for a requestId used for another
     * request. A repeat of a request still pending queues its job again (a no-op when queued), so
     * a create that failed between storing and queueing is finished by repeating it.
     */
    async create(
      body: PrivacyRequestBody,
      actor: string,
    ): Promise<{ id: string; status: PrivacyRequestStatus; created: boolean }> {
      if (!deps.steps[body.type]) throw new RequestTypeNotSupportedError(body.type);
      const subject = normaliseSubject(deps.registry, body);
      checkReason(body, subject.keys);
      const wanted: NewRequest = {
        id: newId('prq'),
        type: body.type,
        actor,
        reason: body.reason,
        purposes: body.purposes ?? null,
        subjectPersonId: subject.personId,
        subjectHashes: subject.personId === null ? subject.keys.map(deps.hasher) : null,
        stepsDone: [],
        status: 'pending',
      };
      const { stored, created } = await createRequest(deps.graph, wanted, body.requestId, clock());
      if (!created && !sameRequest(stored, wanted)) throw new RequestIdConflictError();
      if (created || stored.status === 'pending') {
        const data: PrivacyJobData = { requestId: stored.id };
        if (subject.personId === null) data.keys = subject.keys;
        if (Object.keys(subject.invalid).length > 0) data.invalid = subject.invalid;
        await deps.queue.enqueue(data);
      }
      return { id: stored.id, status: stored.status, created };
    },

    /**
     * One request with its report. A request whose job failed for good without the runner
     * recording it (a job that stalled more often than allowed) is marked failed here.
     */
    async get(id: string): Promise<PrivacyRequestView> {
      const stored = await findRequest(deps.graph, id);
      if (!stored) throw new PrivacyRequestNotFoundError();
      if (stored.status === 'pending' || stored.status === 'in_progress') {
        const reason = await deps.queue.failedReason(id).catch(() => undefined);
        if (reason !== undefined) {
          const failure = `job: ${reason}`;
          await failRequest(deps.graph, id, failure, clock());
          return toView({ ...stored, status: 'failed', failure, updatedAt: clock() });
        }
      }
      const view = toView(stored);
      // Deliveries happen after the request's changes are relayed, so they are counted when read.
      const delivered = view.report ? await deps.queue.webhooksDelivered(id).catch(() => 0) : 0;
      return delivered > 0 && view.report
        ? { ...view, report: { ...view.report, webhooksDelivered: delivered } }
        : view;
    },

    /**
     * The export of a completed access request. Throws PrivacyRequestNotFoundError for an unknown
     * id, RequestNotCompletedError while it runs (or when it failed), PrivacyExportNotFoundError
     * when it is not an access request or its export expired (or was erased).
     */
    async export(id: string): Promise<PrivacyExport> {
      const stored = await findRequest(deps.graph, id);
      if (!stored) throw new PrivacyRequestNotFoundError();
      if (stored.type !== 'access') throw new NotAnAccessRequestError(stored.type);
      if (stored.status !== 'completed') throw new RequestNotCompletedError(stored.status);
      const document = await findExport(deps.graph, id, clock());
      if (!document) throw new PrivacyExportNotFoundError();
      return document;
    },

    /** Requests newest first, optionally of one status, `limit` at a time. */
    async list(filter: {
      status?: PrivacyRequestStatus | undefined;
      limit: number;
      cursor?: string | undefined;
    }): Promise<PrivacyRequestList> {
      const after = filter.cursor === undefined ? undefined : decodeCursor(filter.cursor);
      const rows = await listRequests(deps.graph, {
        status: filter.status,
        limit: filter.limit + 1,
        after,
      });
      const page = rows.slice(0, filter.limit);
      return {
        items: page.map((r) => {
          const { report: _report, ...view } = toView(r);
          return view;
        }),
        ...(rows.length > filter.limit ? { cursor: encodeCursor(page.at(-1)!) } : {}),
      };
    },
  };
}
