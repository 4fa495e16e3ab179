import { changePageSchema } from '../../src/api/schemas.js';
import { benchLog } from '../harness/bench-log.js';
import { type RunReadings, startReadings } from '../host/run-readings.js';
import { fmt, median } from '../report/result-tables.js';
import type { BenchGraph } from '../services/bench-cypher.js';
import { clearDisposableGraph } from '../services/disposable-graph.js';
import { feedSettled, getJson, type PrivacyService } from './privacy-service.js';
import type { PrivacySettings } from './privacy-settings.js';
import { feedEvents } from './privacy-workload.js';
import { postEvents, waitForJobs } from '../services/service-api.js';

export interface FeedRead extends RunReadings {
  seconds: number;
  entriesPerSecond: number;
}

export interface FeedResult {
  entries: number;
  batches: number;
  api: FeedRead[];
  raw: FeedRead[];
  apiMedian: number;
  rawMedian: number;
  /** Median API rate over median raw rate. */
  ratio: number;
}

/**
 * Fills the feed (the graph cleared first) with `feedEntries` person.created entries, ingested
 * `feedBatch` events per job so that each ChangeBatch holds that many entries, and waits until the
 * relay numbered them all. Then reads them all `feedRounds` times each way, alternating: through
 * `GET /v1/changes` with `limit` = --page, following the cursors, and with the plain read, the
 * batches of consecutive seq ranges that hold about --page entries each, by the seq index, their
 * entries parsed. Both count the entries they read and must read all of them.
 */
export async function feedReads(
  deps: { graph: BenchGraph; service: PrivacyService; settings: PrivacySettings },
  options: { quiet?: boolean } = {},
): Promise<FeedResult> {
  const { graph, service, settings } = deps;
  await clearDisposableGraph(graph);
  const events = feedEvents(`feed-${Date.now()}`, settings.feedEntries);
  const jobIds: string[] = [];
  for (let i = 0; i < events.length; i += settings.feedBatch)
    jobIds.push(
      await postEvents(
        service.apiUrl,
        JSON.stringify({ events: events.slice(i, i + settings.feedBatch) }),
      ),
    );
  await waitForJobs(service.apiUrl, jobIds);
  const { batches, entries } = await feedSettled(graph);
  if (entries !== settings.feedEntries)
    throw new Error(`feed: ${entries} entries in the feed, not ${settings.feedEntries}`);
  benchLog(`feed: ${fmt(entries)} entries in ${fmt(batches)} batches`);

  const api: FeedRead[] = [];
  const raw: FeedRead[] = [];
  const timed = async (read: () => Promise<number>): Promise<FeedRead> => {
    const readings = await startReadings(() => ({}), {
      minIdle: settings.waitIdle,
      quiet: options.quiet,
    });
    const started = performance.now();
    const count = await read();
    const seconds = (performance.now() - started) / 1000;
    if (count !== entries) throw new Error(`feed: a read returned ${count} of ${entries} entries`);
    return { ...readings, seconds, entriesPerSecond: count / seconds };
  };
  for (let round = 1; round <= settings.feedRounds; round++) {
    const apiRead = () => timed(() => readApi(service.apiUrl, settings.pageSize));
    const rawRead = () => timed(() => readRaw(graph, batches, entries, settings.pageSize));
    if (round % 2 === 1) {
      api.push(await apiRead());
      raw.push(await rawRead());
    } else {
      raw.push(await rawRead());
      api.push(await apiRead());
    }
    benchLog(
      `feed read ${round}: API ${fmt(api.at(-1)!.entriesPerSecond)} entries/s, ` +
        `raw ${fmt(raw.at(-1)!.entriesPerSecond)} entries/s`,
    );
  }
  const apiMedian = median(api.map((r) => r.entriesPerSecond));
  const rawMedian = median(raw.map((r) => r.entriesPerSecond));
  return { entries, batches, api, raw, apiMedian, rawMedian, ratio: apiMedian / rawMedian };
}

/** Pages through GET /v1/changes from the oldest entry until a page comes back empty. */
async function readApi(apiUrl: string, limit: number): Promise<number> {
  let count = 0;
  let cursor: string | undefined;
  for (;;) {
    const query = new URLSearchParams({ limit: String(limit) });
    if (cursor !== undefined) query.set('after', cursor);
    const page = await getJson(`${apiUrl}/v1/changes?${query.toString()}`, changePageSchema);
    if (page.items.length === 0) return count;
    count += page.items.length;
    cursor = page.cursor;
  }
}

/** The same entries by seq ranges (the relay numbers batches 1, 2, ...), parsed as the API parses them. */
async function readRaw(
  graph: BenchGraph,
  batches: number,
  entries: number,
  limit: number,
): Promise<number> {
  const perPage = Math.max(1, Math.floor(limit / Math.ceil(entries / batches)));
  let count = 0;
  for (let from = 1; from <= batches; from += perPage) {
    const rows = await graph.query<{ seq: number; entries: string }>('bench/read/raw-feed-page', {
      from,
      to: from + perPage,
    });
    for (const row of rows) count += (JSON.parse(row.entries) as unknown[]).length;
  }
  return count;
}
