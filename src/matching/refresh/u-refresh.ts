import type { Graph } from '../../graph/graph-client.js';
import type { Logger } from '../../logger.js';
import { activateModelVersion, BUILT_IN_MODEL, readActiveModel } from '../model/active-model.js';
import { DEFAULT_BLOCKING_RULES, DEFAULT_MODEL } from '../model/default-model.js';
import { createKeyedHash } from '../records/keyed-hash.js';
import { hashTermFrequencies } from '../scoring/term-frequency-tables.js';
import { MIN_TRAINING_RECORDS } from '../training/model-training.js';
import { sampleRecords } from './record-sample.js';
import { refreshDecision, type RefreshReason } from './refresh-policy.js';
import { estimateRefreshedModel } from './u-estimate.js';

/**
 * One run of the u refresh of the built-in model: decide from the graph's record count and the
 * active version whether an estimate is due (refresh-policy.ts); if so, sample records, estimate u
 * and term frequencies (u-estimate.ts), hash the tables' values under the key secret, and record
 * the new version and make it active (active-model.ts). Processes switch to it when they next poll
 * (model-follower.ts).
 *
 * The ingest side runs it as a scheduled job, one run at a time across all workers
 * (src/ingest/model-refresh.ts); a run that finds another version made active meanwhile writes
 * nothing. The outcome and the log line hold counts, versions and times, never a value.
 */

export interface URefreshSettings {
  readonly minRecords: number;
  readonly refreshHours: number;
  /** MATCH_KEY_SECRET (or the development secret): the term-frequency tables' keyed hashes. */
  readonly secret: string;
  /** Records sampled at most (default {@link DEFAULT_SAMPLE_SIZE}). */
  readonly sampleSize?: number;
  /** Random pairs for u (default a million). */
  readonly uPairs?: number;
  readonly minTermFrequencyCount?: number;
  /** Worker threads counting pairs (default 1): the calling thread keeps serving batches. */
  readonly threads?: number;
}

/** Records sampled at most: plenty for u and for common values' shares, bounded memory. */
export const DEFAULT_SAMPLE_SIZE = 50_000;

export interface URefreshOutcome {
  readonly refreshed: boolean;
  /** Why it ran or did not; `superseded`: another run made a version active first. */
  readonly reason: RefreshReason | 'superseded';
  /** Records the graph held. */
  readonly graphRecords: number;
  /** The version made active, or the one still active. */
  readonly version?: string;
  readonly sampled?: number;
  readonly pairs?: number;
  /** Per term-frequency attribute, the values kept (counts only). */
  readonly termFrequencyValues?: Readonly<Record<string, number>>;
  readonly durationMs: number;
}

export async function refreshU(
  deps: {
    graph: Pick<Graph, 'query'>;
    logger: Logger;
    now?: () => Date;
    signal?: AbortSignal;
  },
  settings: URefreshSettings,
): Promise<URefreshOutcome> {
  const started = performance.now();
  const now = deps.now ?? (() => new Date());
  const { records, active } = await readActiveModel(deps.graph, BUILT_IN_MODEL);
  // An estimate of another build's model does not count: this build's has none yet.
  const ours = active?.base === DEFAULT_MODEL.version ? active : undefined;
  const decision = refreshDecision({
    records,
    minRecords: settings.minRecords,
    refreshHours: settings.refreshHours,
    ...(ours ? { last: ours } : {}),
    now: now().getTime(),
  });
  const outcome = (fields: Omit<URefreshOutcome, 'durationMs' | 'graphRecords'>) => ({
    ...fields,
    graphRecords: records,
    durationMs: Math.round(performance.now() - started),
  });
  if (!decision.due)
    return outcome({
      refreshed: false,
      reason: decision.reason,
      ...(active ? { version: active.version } : {}),
    });

  const sample = await sampleRecords(deps.graph, {
    size: settings.sampleSize ?? DEFAULT_SAMPLE_SIZE,
    ...(deps.signal ? { signal: deps.signal } : {}),
  });
  // Most records refused identity_linking: too few to learn from.
  if (sample.records.length < MIN_TRAINING_RECORDS)
    return outcome({ refreshed: false, reason: 'too_few_records', sampled: sample.records.length });
  deps.signal?.throwIfAborted();
  const at = now();
  const refreshed = await estimateRefreshedModel(
    sample.records,
    { model: DEFAULT_MODEL, blockingRules: DEFAULT_BLOCKING_RULES },
    {
      at,
      graphRecords: records,
      ...(settings.uPairs === undefined ? {} : { uPairs: settings.uPairs }),
      ...(settings.minTermFrequencyCount === undefined
        ? {}
        : { minTermFrequencyCount: settings.minTermFrequencyCount }),
      threads: settings.threads ?? 1,
      onThisThread: false,
    },
  );
  deps.signal?.throwIfAborted();
  const version = refreshed.file.model.version;
  const termFrequencyValues = Object.fromEntries(
    Object.entries(refreshed.termFrequencies).map(([attribute, t]) => [
      attribute,
      Object.keys(t).length,
    ]),
  );
  const activated = await activateModelVersion(deps.graph, active?.version, {
    file: refreshed.file,
    termFrequencies: hashTermFrequencies(
      refreshed.termFrequencies,
      createKeyedHash(settings.secret),
    ),
    base: DEFAULT_MODEL.version,
    graphRecords: records,
    sampled: sample.records.length,
    pairs: refreshed.pairs,
    estimatedAt: at.getTime(),
  });
  const result = outcome({
    refreshed: activated,
    reason: activated ? decision.reason : 'superseded',
    version: activated ? version : active?.version,
    sampled: sample.records.length,
    pairs: refreshed.pairs,
    termFrequencyValues,
  });
  deps.logger.info(
    {
      model: version,
      previous: active?.version ?? null,
      activated,
      reason: result.reason,
      graphRecords: records,
      sampled: sample.records.length,
      skipped: sample.skipped,
      pairs: refreshed.pairs,
      termFrequencyValues,
      keptU: refreshed.keptU,
      durationMs: result.durationMs,
    },
    activated ? 'u estimated from the graph: model version activated' : 'u refresh superseded',
  );
  return result;
}
