import { LRUCache } from 'lru-cache';
import type { MatchRecord } from '../../matching/records/normalize-attributes.js';

/**
 * The candidate records a worker has seen, by record id. A record's values, source and anchor never
 * change once written, and every record is a candidate of many later ones, so reading their values
 * from the graph for every batch would make them most of what the matching statements ship. With
 * the cache, write/claim-records answers record ids only and the resolver reads just the records
 * it has not seen (read/candidate-records).
 *
 * Ids are drawn at random and never reused, so an entry cannot describe another record. Entries
 * hold personal data in memory: they expire after `ttlMs` and are purged on a timer, so values of a
 * record deleted from the graph leave the worker within that time; purposes (consent, which can
 * change) are never cached.
 */

/** A candidate as scoring takes it (without purposes): one object per record, shared by batches. */
export interface CachedCandidate {
  readonly id: string;
  readonly key: string;
  readonly record: MatchRecord;
  readonly anchorKey: string;
}

export interface CandidateCacheOptions {
  /** Entries kept at most; 0 turns the cache off. */
  maxEntries: number;
  ttlMs: number;
}

export type CandidateCache = ReturnType<typeof createCandidateCache>;

/**
 * How often expired values are swept out of a worker's memory for a TTL of `ttlMs`: once a minute,
 * or once per TTL when that is shorter. The candidate cache sweeps on it, and so does whatever else
 * keeps values in memory (the comparison memos, resolver-factory.ts).
 */
export function sweepIntervalMs(ttlMs: number): number {
  return Math.min(60_000, ttlMs);
}

export function createCandidateCache(options: CandidateCacheOptions) {
  const cache =
    options.maxEntries > 0
      ? new LRUCache<string, CachedCandidate>({ max: options.maxEntries, ttl: options.ttlMs })
      : undefined;
  // One periodic sweep rather than lru-cache's per-entry timers, which are costly for large caches.
  const sweep = cache
    ? setInterval(() => cache.purgeStale(), sweepIntervalMs(options.ttlMs)).unref()
    : undefined;
  return {
    get: (id: string): CachedCandidate | undefined => cache?.get(id),
    set(id: string, candidate: CachedCandidate): void {
      cache?.set(id, candidate);
    },
    get size(): number {
      return cache?.size ?? 0;
    },
    clear(): void {
      cache?.clear();
    },
    /** Stops the sweep timer; entries stay usable by batches still in flight. */
    close(): void {
      clearInterval(sweep);
    },
  };
}
