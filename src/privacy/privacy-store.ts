import type { Graph, GraphTx } from '../graph/graph-client.js';
import { newId } from '../ids.js';
import {
  type PrivacyReport,
  privacyReportSchema,
  type PrivacyRequestStatus,
  type PrivacyRequestType,
  type PrivacyRequestView,
} from './privacy-contract.js';

/**
 * Privacy requests in the graph: `(:PrivacyRequest)` nodes, one per request. A node holds the
 * subject as a person id or keyed hashes, never an identifier value; its report (JSON) holds ids
 * and counts. The statements live in cypher/queries (privacy-request-*).
 */

/** A request node's properties as the graph returns them (times in ms since epoch). */
export interface StoredRequest {
  id: string;
  clientRequestId?: string | null;
  type: PrivacyRequestType;
  status: PrivacyRequestStatus;
  actor: string;
  reason: string;
  purposes?: string[] | null;
  createdAt: number;
  updatedAt: number;
  subjectPersonId?: string | null;
  subjectHashes?: string[] | null;
  stepsDone?: string[] | null;
  report?: string | null;
  failure?: string | null;
  runner?: string | null;
}

/** What a new request stores, but its times (set by the statement). */
export interface NewRequest {
  id: string;
  type: PrivacyRequestType;
  actor: string;
  reason: string;
  purposes: string[] | null;
  subjectPersonId: string | null;
  subjectHashes: string[] | null;
  stepsDone: string[];
  status: 'pending';
}

export function parseReport(raw: string | null | undefined): PrivacyReport | undefined {
  if (raw === null || raw === undefined) return undefined;
  return privacyReportSchema.parse(JSON.parse(raw));
}

export function toView(stored: StoredRequest): PrivacyRequestView {
  const report = parseReport(stored.report);
  return {
    id: stored.id,
    type: stored.type,
    status: stored.status,
    ...(stored.clientRequestId ? { requestId: stored.clientRequestId } : {}),
    createdAt: new Date(stored.createdAt).toISOString(),
    updatedAt: new Date(stored.updatedAt).toISOString(),
    actor: stored.actor,
    reason: stored.reason,
    ...(stored.purposes ? { purposes: stored.purposes } : {}),
    stepsDone: stored.stepsDone ?? [],
    ...(report ? { report } : {}),
    ...(stored.failure ? { failure: stored.failure } : {}),
  };
}

export async function createRequest(
  graph: Pick<Graph, 'writeTransaction'>,
  request: NewRequest,
  clientRequestId: string | undefined,
  now: number,
): Promise<{ stored: StoredRequest; created: boolean }> {
  return graph.writeTransaction('privacy-request-create', async (tx) => {
    const [row] = await tx.run<{ request: StoredRequest; created: boolean }>(
      'write/privacy-request-create',
      { request, clientRequestId: clientRequestId ?? null, auditId: newId('aud'), now },
    );
    return { stored: row!.request, created: row!.created };
  });
}

export async function findRequest(
  graph: Pick<Graph, 'query'>,
  id: string,
): Promise<StoredRequest | undefined> {
  const [row] = await graph.query<{ request: StoredRequest }>('read/privacy-request-by-id', { id });
  return row?.request;
}

export async function listRequests(
  graph: Pick<Graph, 'query'>,
  filter: {
    status: PrivacyRequestStatus | undefined;
    limit: number;
    after: { at: number; id: string } | undefined;
  },
): Promise<StoredRequest[]> {
  const rows = await graph.query<{ request: StoredRequest }>('read/privacy-requests-page', {
    status: filter.status ?? null,
    limit: filter.limit,
    afterAt: filter.after?.at ?? null,
    afterId: filter.after?.id ?? null,
  });
  return rows.map((r) => r.request);
}

/** Takes the request for a runner; answers it as it then is (undefined: no such request). */
export async function startRequest(
  graph: Pick<Graph, 'writeTransaction'>,
  id: string,
  runner: string,
  now: number,
): Promise<StoredRequest | undefined> {
  return graph.writeTransaction('privacy-request-start', async (tx) => {
    const [row] = await tx.run<{ request: StoredRequest }>('write/privacy-request-start', {
      id,
      runner,
      now,
    });
    return row?.request;
  });
}

export interface Progress {
  id: string;
  runner: string;
  report: PrivacyReport;
  /** The steps to mark done, in order (none: a page of a step still running). */
  steps: readonly string[];
  subjectHashes?: readonly string[];
  complete?: boolean;
  now: number;
}

/** Thrown inside a transaction when another runner holds the request: the transaction rolls back. */
export class RequestTakenOverError extends Error {
  constructor() {
    super('the privacy request was taken over by another runner');
    this.name = 'RequestTakenOverError';
  }
}

export async function saveProgress(tx: GraphTx, progress: Progress): Promise<void> {
  const rows = await tx.run('write/privacy-request-progress', {
    id: progress.id,
    runner: progress.runner,
    report: JSON.stringify(progress.report),
    steps: progress.steps,
    subjectHashes: progress.subjectHashes ?? null,
    complete: progress.complete ?? false,
    now: progress.now,
  });
  if (rows.length === 0) throw new RequestTakenOverError();
}

export async function failRequest(
  graph: Pick<Graph, 'query'>,
  id: string,
  failure: string,
  now: number,
): Promise<void> {
  await graph.query('write/privacy-request-fail', { id, failure, now });
}
