import { historyPageSchema } from '../../src/api/history-schemas.js';
import { decodeHistoryCursor, type HistoryPosition } from '../../src/history/history-cursor.js';
import { benchLog } from '../harness/bench-log.js';
import { benchAuthHeader } from '../services/bench-env.js';
import type { BenchGraph } from '../services/bench-cypher.js';
import { postEvents, resolvePersons, waitForJobs } from '../services/service-api.js';
import type { PrivacyService } from '../privacy/privacy-service.js';
import type { HistorySettings } from './history-settings.js';
import { historyEvents } from './history-workload.js';

/** Latencies of one page read, each way, in ms, in the order they were taken. */
export interface PageReads {
  page: 'first' | 'last';
  items: number;
  api: number[];
  raw: number[];
}

/** The person the benchmark reads, and what its history holds. */
export interface BuiltPerson {
  personId: string;
  buildSeconds: number;
  /** Items of the whole history, by kind (read through the API, following cursors). */
  kinds: Record<string, number>;
  /** The cursor of the last page (`settings.pageSize` items a page). */
  lastCursor: string | null;
}

/**
 * Builds the person through the service (POST /v1/events, one job at a time, so the person
 * created first survives every merge), then reads its whole history through the API to count
 * its items and find the last page's cursor.
 */
export async function buildPerson(
  service: PrivacyService,
  settings: HistorySettings,
  label: string,
): Promise<BuiltPerson> {
  const posts = historyEvents(label, settings.events, settings.merges, settings.batchSize);
  const started = performance.now();
  let applied = 0;
  for (const events of posts) {
    const jobId = await postEvents(service.apiUrl, JSON.stringify({ events }));
    const { outcomes } = await waitForJobs(service.apiUrl, [jobId]);
    applied += outcomes[0]!.counts.applied;
  }
  if (applied !== settings.events)
    throw new Error(`build: ${applied} of ${settings.events} events applied`);
  const buildSeconds = (performance.now() - started) / 1000;
  const [personId] = await resolvePersons(service.apiUrl, [posts[0]![0]!.identifiers[0]!]);
  if (!personId) throw new Error('build: the person was not found');

  const kinds: Record<string, number> = {};
  let cursor: string | null = null;
  let lastCursor: string | null = null;
  do {
    const page = await readPage(service.apiUrl, personId, settings.pageSize, cursor);
    for (const item of page.items) kinds[item.kind] = (kinds[item.kind] ?? 0) + 1;
    if (page.next) lastCursor = page.next;
    cursor = page.next;
  } while (cursor);
  benchLog(`person built from ${settings.events} events in ${buildSeconds.toFixed(1)} s`);
  return { personId, buildSeconds, kinds, lastCursor };
}

async function readPage(apiUrl: string, personId: string, limit: number, cursor: string | null) {
  const query = `limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`;
  const response = await fetch(`${apiUrl}/v1/persons/${personId}/history?${query}`, {
    headers: benchAuthHeader,
  });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`GET history answered ${response.status}: ${text}`);
  return historyPageSchema.parse(JSON.parse(text));
}

/**
 * Reads one page `count` times each way, alternating: through the API (GET, body read and
 * parsed: what a client waits for) and as the raw statement the service runs for it
 * (read/person-history-page with the same parameters, through the benchmark's own driver).
 */
export async function pageReads(
  deps: { graph: BenchGraph; apiUrl: string },
  person: { personId: string; cursor: string | null },
  page: PageReads['page'],
  settings: HistorySettings,
  count: number,
): Promise<PageReads> {
  const after: HistoryPosition | null = person.cursor
    ? (decodeHistoryCursor(person.cursor) ?? null)
    : null;
  const reads: PageReads = { page, items: 0, api: [], raw: [] };
  for (let r = 0; r < count; r++) {
    const t0 = performance.now();
    const answer = await readPage(deps.apiUrl, person.personId, settings.pageSize, person.cursor);
    const t1 = performance.now();
    const [row] = await deps.graph.query<{ items: unknown[] }>('read/person-history-page', {
      personId: person.personId,
      after,
      limit: settings.pageSize + 1,
    });
    const t2 = performance.now();
    if (!row || row.items.length < answer.items.length)
      throw new Error('the raw read found fewer items than the API');
    reads.items = answer.items.length;
    reads.api.push(t1 - t0);
    reads.raw.push(t2 - t1);
  }
  return reads;
}
