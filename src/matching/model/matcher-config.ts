import type { Config } from '../../config.js';
import { loadModelFile } from './model-file.js';
import {
  createRecordMatcher,
  DEVELOPMENT_KEY_SECRET,
  type MatcherSettings,
  type RecordMatcher,
} from '../record-matcher.js';

/**
 * The matcher the configuration describes: the model file when MATCH_MODEL_FILE is set (rejected
 * whole when invalid), the built-in model otherwise. One place, so the service and the CLI's
 * `model` commands score alike. A version estimated from the graph replaces the built-in one where
 * the configuration follows it (model-follower.ts).
 */
export async function matcherFromConfig(config: Config): Promise<RecordMatcher> {
  return createRecordMatcher({
    ...(config.MATCH_MODEL_FILE === undefined
      ? {}
      : { modelFile: await loadModelFile(config.MATCH_MODEL_FILE) }),
    ...matcherSettings(config),
  });
}

/** The configured settings of every matcher, whichever model it scores with. */
export function matcherSettings(
  config: Config,
): Omit<MatcherSettings, 'modelFile' | 'hashedTermFrequencies'> {
  return {
    secret: config.MATCH_KEY_SECRET ?? DEVELOPMENT_KEY_SECRET,
    autoThreshold: config.MATCH_AUTO_THRESHOLD,
    reviewThreshold: config.MATCH_REVIEW_THRESHOLD,
    maxCandidates: config.MATCH_MAX_CANDIDATES,
    maxBlockSize: config.MATCH_MAX_BLOCK_SIZE,
    householdAttributes: config.MATCH_HOUSEHOLD_ATTRIBUTES,
  };
}
