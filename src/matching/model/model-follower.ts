import type { Config } from '../../config.js';
import type { Graph } from '../../graph/graph-client.js';
import { type Logger, safeError } from '../../logger.js';
import { createRecordMatcher, type RecordMatcher } from '../record-matcher.js';
import {
  BUILT_IN_MODEL,
  readActiveModel,
  readModelVersion,
  type StoredModelVersion,
} from './active-model.js';
import { DEFAULT_BLOCKING_RULES, DEFAULT_MODEL } from './default-model.js';
import { matcherSettings } from './matcher-config.js';
import type { USource } from './model-file.js';
import type { SwappableMatcher } from './matcher-source.js';

/**
 * Following the active model version: a process that scores with the built-in model (no
 * MATCH_MODEL_FILE, MATCH_U_REFRESH on) scores with the version a u refresh last made active,
 * once it exists. It reads the pointer on start and then every {@link FOLLOW_INTERVAL_MS}, and
 * when the version changed builds a matcher from the stored version and swaps it in (the matcher
 * source: batches under way finish with the matcher they took).
 *
 * A stored version is used only if it refreshed this build's built-in model (same base version,
 * same blocking rules): another build's (a rolling upgrade, a downgrade) may compare differently or
 * file records under other keys. Without a usable version the built-in model applies.
 */

/** Between two reads of the active pointer: one indexed read, a switch within half a minute. */
export const FOLLOW_INTERVAL_MS = 30_000;

/** Whether processes with this configuration score with the version a u refresh made active. */
export function followsActiveModel(config: Config): boolean {
  return config.MATCH_MODEL_FILE === undefined && config.MATCH_U_REFRESH;
}

/** The matcher of the built-in model with its u as they ship. */
export function builtInMatcher(config: Config): RecordMatcher {
  return createRecordMatcher(matcherSettings(config));
}

/** The matcher of a recorded version, and where its u come from. */
export interface ActiveMatcher {
  readonly matcher: RecordMatcher;
  readonly uSource: USource;
}

/**
 * The active version as stored, when one is recorded that this build can use; undefined when none
 * is (or the one recorded is of another base, or its tables are being pruned: read again).
 */
export async function activeModelVersion(
  graph: Pick<Graph, 'query'>,
  logger?: Logger,
): Promise<StoredModelVersion | undefined> {
  const { active } = await readActiveModel(graph, BUILT_IN_MODEL);
  if (!active || active.base !== DEFAULT_MODEL.version) return undefined;
  return usableVersion(graph, active.version, logger);
}

/** {@link activeModelVersion}'s matcher. */
export async function activeMatcher(
  graph: Pick<Graph, 'query'>,
  config: Config,
  logger?: Logger,
): Promise<ActiveMatcher | undefined> {
  const stored = await activeModelVersion(graph, logger);
  return stored && matcherOf(stored, config);
}

async function usableVersion(
  graph: Pick<Graph, 'query'>,
  version: string,
  logger: Logger | undefined,
): Promise<StoredModelVersion | undefined> {
  const stored = await readModelVersion(graph, version);
  if (!stored) return undefined;
  if (JSON.stringify(stored.file.blockingRules) !== JSON.stringify(DEFAULT_BLOCKING_RULES)) {
    logger?.warn(
      { model: version },
      'active model version blocks otherwise than this build; not used',
    );
    return undefined;
  }
  return stored;
}

function matcherOf(stored: StoredModelVersion, config: Config): ActiveMatcher {
  return {
    matcher: createRecordMatcher({
      ...matcherSettings(config),
      modelFile: stored.file,
      hashedTermFrequencies: stored.termFrequencies,
    }),
    uSource: stored.file.uSource ?? { kind: 'default' },
  };
}

export interface ModelFollower {
  /** Reads the pointer now and swaps the matcher when the version changed; true when it did. */
  check(): Promise<boolean>;
  /** Stops polling. */
  close(): void;
}

/**
 * Polls the active pointer every `intervalMs` for `matchers`. A failed read (the graph away) keeps
 * the current matcher and is logged; the next poll tries again.
 */
export function followActiveModel(deps: {
  graph: Pick<Graph, 'query'>;
  config: Config;
  matchers: SwappableMatcher;
  logger: Logger;
  intervalMs?: number;
}): ModelFollower {
  const { graph, config, matchers, logger } = deps;
  let checking: Promise<boolean> | undefined;

  const switchTo = async (): Promise<boolean> => {
    const current = matchers.current().model.version;
    const { active } = await readActiveModel(graph, BUILT_IN_MODEL);
    const usable = active !== undefined && active.base === DEFAULT_MODEL.version;
    const wanted = usable ? active.version : DEFAULT_MODEL.version;
    if (wanted === current) return false;
    const stored = usable ? await usableVersion(graph, wanted, logger) : undefined;
    const next = usable ? stored && matcherOf(stored, config).matcher : builtInMatcher(config);
    if (!next) return false;
    matchers.replace(next);
    logger.info({ model: wanted, previous: current }, 'matching model switched');
    return true;
  };

  const check = (): Promise<boolean> => {
    // One read at a time: a slow graph does not pile polls up.
    checking ??= switchTo().finally(() => (checking = undefined));
    return checking;
  };

  const timer = setInterval(() => {
    check().catch((error: unknown) =>
      logger.warn({ err: safeError(error) }, 'reading the active model version failed'),
    );
  }, deps.intervalMs ?? FOLLOW_INTERVAL_MS).unref();

  return { check, close: () => clearInterval(timer) };
}
