import { type Config, configSchema, loadConfig } from '../config.js';

/**
 * The resolver settings a replay may change (`idgraph replay --rules file`): a JSON object keyed by
 * the environment names of src/config.ts, laid over the running environment and parsed by the same
 * schema, so a rules file means exactly what those variables mean to the service. Values may be
 * written as JSON (`{"MERGE_LIMITS": {"email": 1}, "IDENTIFIER_BLOCKLIST": ["x@y.z"],
 * "MATCH_AUTO_THRESHOLD": 0.99}`) or as the strings the environment would hold; `null` unsets one.
 * Anything that is not a resolver setting (connections, secrets, queues) is refused: a replay
 * compares rules, and the rest stays as the running config has it.
 */

export const RESOLVER_SETTINGS = [
  'DEFAULT_PHONE_REGION',
  'EMAIL_REMOVE_GMAIL_DOTS',
  'EMAIL_REMOVE_PLUS_TAGS',
  'IDENTIFIER_TYPES',
  'IDENTIFIER_BLOCKLIST',
  'MERGE_LIMITS',
  'LINK_EVIDENCE_KEPT',
  'MATCH_AUTO_THRESHOLD',
  'MATCH_REVIEW_THRESHOLD',
  'MATCH_HOUSEHOLD_ATTRIBUTES',
  'MATCH_MAX_CANDIDATES',
  'MATCH_MAX_BLOCK_SIZE',
] as const;

/** Settings whose environment form is a comma-separated list. */
const LIST_SETTINGS = new Set<string>(['IDENTIFIER_BLOCKLIST', 'MATCH_HOUSEHOLD_ATTRIBUTES']);

/** A rules file that is not a JSON object of resolver settings. */
export class RulesFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RulesFileError';
  }
}

/** One value as the environment would hold it; undefined for `null` (unset). */
function environmentValue(key: string, value: unknown): string | undefined {
  if (value === null) return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value) && LIST_SETTINGS.has(key)) {
    if (!value.every((v) => typeof v === 'string'))
      throw new RulesFileError(`${key}: a list of strings`);
    // An empty household list means none (the variable's `none`).
    return value.length === 0 && key === 'MATCH_HOUSEHOLD_ATTRIBUTES' ? 'none' : value.join(',');
  }
  return JSON.stringify(value);
}

/** The rules file's settings as environment variables (`undefined`: unset); throws RulesFileError. */
export function rulesEnvironment(rules: unknown): Record<string, string | undefined> {
  if (typeof rules !== 'object' || rules === null || Array.isArray(rules))
    throw new RulesFileError('a JSON object of resolver settings, e.g. {"MERGE_LIMITS": {...}}');
  const allowed = new Set<string>(RESOLVER_SETTINGS);
  const known = new Set(Object.keys(configSchema.shape));
  const env: Record<string, string | undefined> = {};
  for (const [key, value] of Object.entries(rules)) {
    if (!known.has(key)) throw new RulesFileError(`unknown setting ${key}`);
    if (!allowed.has(key))
      throw new RulesFileError(
        `${key} is not a resolver setting; a rules file may set ${RESOLVER_SETTINGS.join(', ')} (the model: --model)`,
      );
    env[key] = environmentValue(key, value);
  }
  return env;
}

/**
 * The config a replay resolves with: the running environment, the rules file's settings over it
 * and, when given, the model file as MATCH_MODEL_FILE. Throws ConfigError for a bad value.
 */
export function replayConfig(
  env: Readonly<Record<string, string | undefined>>,
  rules: Record<string, string | undefined>,
  modelFile?: string,
): Config {
  return loadConfig({
    ...env,
    ...rules,
    ...(modelFile === undefined ? {} : { MATCH_MODEL_FILE: modelFile }),
  });
}
