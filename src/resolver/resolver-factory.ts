import type { Config } from '../config.js';
import type { Graph } from '../graph/graph-client.js';
import type { Logger } from '../logger.js';
import { matcherFromConfig } from '../matching/model/matcher-config.js';
import { createMatcherSource, type MatcherSource } from '../matching/model/matcher-source.js';
import {
  activeMatcher,
  followActiveModel,
  followsActiveModel,
  type ModelFollower,
} from '../matching/model/model-follower.js';
import { recordModel } from '../matching/model/recorded-model.js';
import type { RecordMatcher } from '../matching/record-matcher.js';
import { identifierHasherFromConfig } from '../privacy/identifier-hash.js';
import type { IdentifierRegistry } from './identifier-types.js';
import { createCandidateCache, sweepIntervalMs } from './record-matching/candidate-cache.js';
import { identifierRegistry, mergeLimits } from './resolver-config.js';
import { createResolverService, type ResolverService } from './resolver-service.js';

/**
 * Builds the resolver the configuration describes, the one place the service (src/runtime.ts) and
 * `idgraph model rescore` get it from, so both normalise, match, limit and write alike: the
 * identifier registry, the merge limits, the matcher (MATCH_MODEL_FILE, or the built-in model: the
 * version a u refresh made active, when there is one), recorded in the graph before it scores
 * anything, and the candidate cache. With the built-in model and MATCH_U_REFRESH on, the service's
 * resolver follows the active version (model-follower.ts): its matcher is swapped when a refresh
 * makes another one active.
 */

export interface ConfiguredResolver {
  resolver: ResolverService;
  /** The matcher the resolver scores with now. */
  matchers: MatcherSource;
  registry: IdentifierRegistry;
  /**
   * Reads the active model version now and swaps the matcher when it changed (a u refresh in this
   * process calls it); false when it did not, or when this resolver does not follow it.
   */
  followModel(): Promise<boolean>;
  /** Stops the timers that sweep values out of memory and poll the model; batches may finish. */
  close(): void;
}

/**
 * Throws `ModelFileError` when MATCH_MODEL_FILE cannot be used (unless `matcher` is given) and
 * `ModelVersionConflictError` when the graph holds another model under the matcher's version.
 */
export async function createResolverFromConfig(
  config: Config,
  deps: {
    graph: Pick<Graph, 'query' | 'writeTransaction'>;
    logger: Logger;
    /**
     * The matcher, when the caller has loaded it already (the CLI reads the model file before it
     * connects, so a bad file is a usage error whether or not the graph answers): kept as it is,
     * not followed.
     */
    matcher?: RecordMatcher;
    /** Between reads of the active model version (default FOLLOW_INTERVAL_MS). */
    followIntervalMs?: number;
  },
): Promise<ConfiguredResolver> {
  const { graph, logger } = deps;
  const registry = identifierRegistry(config);
  const follows = deps.matcher === undefined && followsActiveModel(config);
  const matcher =
    deps.matcher ??
    (follows ? (await activeMatcher(graph, config, logger))?.matcher : undefined) ??
    (await matcherFromConfig(config));
  await recordModel(graph, matcher.model);
  logger.info({ model: matcher.model.version }, 'matching model loaded');
  const matchers = createMatcherSource(matcher);
  const follower: ModelFollower | undefined = follows
    ? followActiveModel({
        graph,
        config,
        matchers,
        logger,
        ...(deps.followIntervalMs === undefined ? {} : { intervalMs: deps.followIntervalMs }),
      })
    : undefined;
  const candidateCache = createCandidateCache({
    maxEntries: config.MATCH_CANDIDATE_CACHE_SIZE,
    ttlMs: config.MATCH_CANDIDATE_CACHE_TTL_SECONDS * 1000,
  });
  // The matcher's value memo holds values too (names, birth dates): emptied on the candidate
  // cache's sweep clock, so no value stays in this process longer than a cached candidate may.
  const forgetting = setInterval(
    () => matchers.forgetValues(),
    sweepIntervalMs(config.MATCH_CANDIDATE_CACHE_TTL_SECONDS * 1000),
  ).unref();
  const resolver = createResolverService({
    graph,
    registry,
    limits: mergeLimits(config),
    evidenceKept: config.LINK_EVIDENCE_KEPT,
    matchers,
    candidateCache,
    // The suppression list's hash (src/privacy/identifier-hash.ts; only its config key here).
    suppressionHash: identifierHasherFromConfig(config),
    logger,
  });
  return {
    resolver,
    matchers,
    registry,
    followModel: async () => (follower ? follower.check() : false),
    close() {
      candidateCache.close();
      clearInterval(forgetting);
      follower?.close();
    },
  };
}
