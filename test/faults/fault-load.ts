import { setTimeout as sleep } from 'node:timers/promises';
import type { IdentityEvent } from '../../src/events/event-schema.js';
import type { Dependency } from './fault-services.js';

/**
 * The clients of the fault suite: lookups at a steady rate, `/readyz` polls, and a producer that
 * posts the stream in batches and, as a client told 503 should, tries a batch again after
 * `Retry-After`. Every request is recorded with its start, its latency and its answer.
 */

export const FAULT_KEY = 'faults-admin-key-0123456789';
export const faultKeys = [
  {
    name: 'faults-admin',
    key: FAULT_KEY,
    scopes: ['events:write', 'persons:read', 'audit:read', 'audit:write', 'privacy:write'],
  },
];

/** What a request is for, and so which services it needs. */
export type RequestKind = 'resolve' | 'person' | 'job' | 'events' | 'readyz';

export const needs: Record<RequestKind, readonly Dependency[]> = {
  resolve: ['neo4j'],
  person: ['neo4j'],
  job: ['redis'],
  events: ['redis'],
  readyz: ['neo4j', 'redis'],
};

/** A client gives up on a request after this long: it is then recorded as hung (status 0). */
export const CLIENT_TIMEOUT_MS = 10_000;

export interface RequestRecord {
  kind: RequestKind;
  start: number;
  ms: number;
  /** HTTP status; 0 when no answer came (connection refused, reset, or CLIENT_TIMEOUT_MS). */
  status: number;
  contentType: string;
  retryAfter: string | null;
  body: unknown;
}

export async function timedRequest(
  baseUrl: string,
  kind: RequestKind,
  method: string,
  path: string,
  body?: unknown,
): Promise<RequestRecord> {
  const start = Date.now();
  try {
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${FAULT_KEY}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(CLIENT_TIMEOUT_MS),
    });
    const text = await response.text();
    const contentType = response.headers.get('content-type') ?? '';
    let parsed: unknown = text;
    if (contentType.includes('json') && text.length > 0) {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = text;
      }
    }
    return {
      kind,
      start,
      ms: Date.now() - start,
      status: response.status,
      contentType,
      retryAfter: response.headers.get('retry-after'),
      body: parsed,
    };
  } catch (error) {
    return {
      kind,
      start,
      ms: Date.now() - start,
      status: 0,
      contentType: '',
      retryAfter: null,
      body: error instanceof Error ? error.name : String(error),
    };
  }
}

/** A 503 as the issue requires it: problem+json, with a Retry-After of whole seconds. */
export function isProper503(record: RequestRecord): boolean {
  return (
    record.status === 503 &&
    record.contentType.startsWith('application/problem+json') &&
    record.retryAfter !== null &&
    /^\d+$/.test(record.retryAfter)
  );
}

/** An answer a lookup client can use: found (2xx) or not found yet (404: its batch is queued). */
export function isOk(record: RequestRecord): boolean {
  return (record.status >= 200 && record.status < 300) || record.status === 404;
}

export interface LoadSource {
  /** An identifier of an event posted so far, or undefined before the first. */
  identifier(): { type: string; value: string } | undefined;
  /** The id of a job posted so far. */
  jobId(): string | undefined;
}

/**
 * Lookups at `perSecond`, open loop (a slow answer does not slow the rate: hung requests pile up
 * as they would for real clients): resolves, and every fourth tick a person read and a job read;
 * `/readyz` every `readyzEveryMs`. `stop()` waits for the requests in flight.
 */
export function startLookups(options: {
  baseUrl: string;
  perSecond: number;
  readyzEveryMs: number;
  source: LoadSource;
  records: RequestRecord[];
}) {
  const { baseUrl, source, records } = options;
  const inFlight = new Set<Promise<void>>();
  const personIds: string[] = [];
  let tick = 0;
  const send = (
    kind: RequestKind,
    method: string,
    path: string,
    body?: unknown,
    then?: (r: RequestRecord) => void,
  ) => {
    const p = timedRequest(baseUrl, kind, method, path, body).then((record) => {
      records.push(record);
      then?.(record);
    });
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p));
  };
  const lookups = setInterval(() => {
    tick += 1;
    const identifier = source.identifier();
    if (identifier) {
      const query = new URLSearchParams(identifier).toString();
      send('resolve', 'GET', `/v1/resolve?${query}`, undefined, (r) => {
        const personId = (r.body as { personId?: unknown } | null)?.personId;
        if (r.status === 200 && typeof personId === 'string' && personIds.length < 500)
          personIds.push(personId);
      });
    }
    const personId = personIds[tick % Math.max(1, personIds.length)];
    if (tick % 4 === 0 && personId) send('person', 'GET', `/v1/persons/${personId}`);
    const jobId = source.jobId();
    if (tick % 4 === 2 && jobId) send('job', 'GET', `/v1/jobs/${jobId}`);
  }, 1000 / options.perSecond);
  const readyz = setInterval(() => send('readyz', 'GET', '/readyz'), options.readyzEveryMs);
  return {
    async stop() {
      clearInterval(lookups);
      clearInterval(readyz);
      await Promise.all([...inFlight]);
    },
  };
}

/** How long a client waits before sending a batch again: Retry-After when given, within 0.2-5 s. */
function backoffMs(record: RequestRecord): number {
  const seconds = Number(record.retryAfter);
  return Number.isFinite(seconds) && seconds > 0 ? Math.min(5000, seconds * 1000) : 200;
}

/**
 * Posts `events` in batches of `batchSize`, one batch every `everyMs`, each until it is accepted
 * (202). A batch whose answer never came is sent again: its job id is a hash of its event keys,
 * so the queue takes it once. Returns the job ids in posting order.
 */
export async function postStream(options: {
  baseUrl: string;
  events: readonly IdentityEvent[];
  batchSize: number;
  everyMs: number;
  records: RequestRecord[];
  onPosted: (jobId: string, events: readonly IdentityEvent[]) => void;
}): Promise<string[]> {
  const jobIds: string[] = [];
  for (let i = 0; i < options.events.length; i += options.batchSize) {
    const batch = options.events.slice(i, i + options.batchSize);
    const started = Date.now();
    for (let attempt = 1; ; attempt++) {
      const record = await timedRequest(options.baseUrl, 'events', 'POST', '/v1/events', {
        events: batch,
      });
      options.records.push(record);
      const jobId = (record.body as { jobId?: unknown } | null)?.jobId;
      if (record.status === 202 && typeof jobId === 'string') {
        jobIds.push(jobId);
        options.onPosted(jobId, batch);
        break;
      }
      if (record.status !== 503 && record.status !== 0)
        throw new Error(
          `POST /v1/events answered ${record.status}: ${JSON.stringify(record.body)}`,
        );
      if (attempt > 600) throw new Error('POST /v1/events not accepted after 600 attempts');
      await sleep(backoffMs(record));
    }
    await sleep(Math.max(0, options.everyMs - (Date.now() - started)));
  }
  return jobIds;
}
