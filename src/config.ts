import { z } from 'zod';
import { DEFAULT_HOUSEHOLD_ATTRIBUTES } from './matching/scoring/identity-evidence.js';
import { CHANGE_TYPES } from './changes/change-contract.js';
import { clusterQueuePrefix, isClusterUrl, parseRedisUrl } from './ingest/redis-url.js';

/**
 * The whole runtime configuration, parsed once at start-up from the environment.
 *
 * Only `main.ts` (and the CLI entry) reads `process.env`; everything else receives the frozen
 * {@link Config}. Every key carries a description: the README's configuration table is generated
 * from this schema (`npm run docs:config`) and a unit test checks that the two agree.
 */

/** A real string-to-boolean parser: `Boolean("false")` is true, which is never what an operator meant. */
const booleanString = z
  .enum(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes' || v === 'on');

const port = z.coerce.number().int().min(1).max(65535);

/** JSON given in an environment variable, validated by `schema`; a parse failure becomes a zod issue. */
const jsonString = <T extends z.ZodType>(schema: T) =>
  z.string().transform((raw, ctx): z.output<T> => {
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be valid JSON' });
      return z.NEVER;
    }
    const parsed = schema.safeParse(value);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        ctx.addIssue({
          code: 'custom',
          message: `${issue.path.join('.') || '(root)'}: ${issue.message}`,
        });
      }
      return z.NEVER;
    }
    return parsed.data;
  });

const commaList = z.string().transform((raw) =>
  raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0),
);

export const customIdentifierTypeSchema = z.object({
  name: z.string().regex(/^[a-z][a-z0-9_]{1,39}$/, 'lower_snake_case, 2-40 characters'),
  normalize: z.enum(['trim', 'lowercase', 'uppercase', 'digits']).default('trim'),
  pattern: z.string().optional().describe('regular expression the normalised value must match'),
});

export const apiKeyScopes = [
  'events:write',
  'persons:read',
  'audit:read',
  'audit:write',
  'privacy:write',
] as const;

export const apiKeySchema = z.object({
  name: z.string().min(1).max(100),
  key: z.string().min(16, 'keys must be at least 16 characters'),
  scopes: z.array(z.enum(apiKeyScopes)).min(1),
});

export const webhookEndpointSchema = z
  .object({
    name: z
      .string()
      .regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'lower case letters, digits, - and _ (1-64)'),
    url: z
      .string()
      .url()
      .regex(/^https?:\/\//, 'an http:// or https:// URL'),
    secret: z.string().min(16, 'secrets must be at least 16 characters'),
    types: z.array(z.enum(CHANGE_TYPES)).min(1).optional(),
  })
  .strict();

/** Endpoint names are unique: they name deliveries and metrics. */
const webhookList = z
  .array(webhookEndpointSchema)
  .refine(
    (endpoints) => new Set(endpoints.map((e) => e.name)).size === endpoints.length,
    'endpoint names must be unique',
  );

export const configSchema = z.object({
  NODE_ENV: z
    .enum(['development', 'production', 'test'])
    .default('development')
    .describe('Runtime environment.'),
  LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
    .default('info')
    .describe('pino log level. Identifier values are redacted at every level.'),
  HOST: z.string().min(1).default('127.0.0.1').describe('Interface the HTTP API listens on.'),
  PORT: port.default(8080).describe('Port the HTTP API listens on.'),
  IDGRAPH_ROLE: z
    .enum(['all', 'api', 'worker'])
    .default('all')
    .describe(
      'Which parts this process runs: API and worker (`all`), or one of them. `--api` / `--worker` override it.',
    ),
  DATA_DIR: z
    .string()
    .min(1)
    .default('.data')
    .describe('Where the local Neo4j store and Redis AOF live (local services only).'),
  NEO4J_URI: z
    .string()
    .regex(/^(bolt|neo4j)(\+s|\+ssc)?:\/\//, 'must be a bolt:// or neo4j:// URI')
    .optional()
    .describe(
      'Neo4j to use. When set, no local Neo4j is started. `neo4j://` enables routing to read replicas.',
    ),
  NEO4J_USER: z.string().default('neo4j').describe('Neo4j user (with NEO4J_URI).'),
  NEO4J_PASSWORD: z.string().optional().describe('Neo4j password (with NEO4J_URI). No default.'),
  NEO4J_DATABASE: z
    .string()
    .optional()
    .describe('Neo4j database name; the server default when unset.'),
  NEO4J_BOLT_PORT: port
    .default(7687)
    .describe('Bolt port of the local Neo4j started when NEO4J_URI is unset.'),
  NEO4J_HEAP: z
    .string()
    .regex(/^\d+[mg]$/)
    .default('2g')
    .describe('JVM heap of the local Neo4j.'),
  NEO4J_PAGECACHE: z
    .string()
    .regex(/^\d+[mg]$/)
    .default('2g')
    .describe('Page cache of the local Neo4j.'),
  NEO4J_MAX_POOL_SIZE: z.coerce
    .number()
    .int()
    .min(1)
    .default(50)
    .describe('Neo4j driver connection pool size.'),
  REDIS_URL: z
    .string()
    .superRefine((url, ctx) => {
      try {
        parseRedisUrl(url);
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: (error as Error).message });
      }
    })
    .optional()
    .describe(
      'Redis to use. When set, no local Redis is started. A Redis Cluster: `redis+cluster://[user:password@]host:port,host:port` (some of its nodes; `rediss+cluster://` for TLS).',
    ),
  REDIS_PORT: port
    .default(6379)
    .describe('Port of the local Redis started when REDIS_URL is unset.'),
  QUEUE_PREFIX: z
    .string()
    .min(1)
    .default('idgraph')
    .describe(
      'Key prefix of the BullMQ queues in Redis. With a cluster REDIS_URL it is used as a hash tag, `{idgraph}` (braces added unless it holds a `{tag}`), so each queue stays in one slot.',
    ),
  INGEST_QUEUE: z.string().min(1).default('ingest').describe('Name of the ingest queue.'),
  PRIVACY_QUEUE: z
    .string()
    .min(1)
    .default('privacy')
    .describe('Name of the queue that runs privacy requests (revoke, erase, access, unsuppress).'),
  WORKER_CONCURRENCY: z.coerce
    .number()
    .int()
    .min(1)
    .max(64)
    .default(2)
    .describe('Jobs one worker process resolves at once.'),
  WORKER_LOCK_DURATION_MS: z.coerce
    .number()
    .int()
    .min(1000)
    .default(30000)
    .describe(
      "How long a worker holds a job without renewing; a crashed worker's job is taken over after it.",
    ),
  INGEST_JOBS_KEPT: z.coerce
    .number()
    .int()
    .min(0)
    .default(100_000)
    .describe(
      'Completed ingest batches kept in Redis (newest first) so clients can read their outcome (their events are dropped once applied); Redis needs room for this many outcomes (docs/operations.md, Capacity).',
    ),
  INGEST_JOBS_KEPT_SECONDS: z.coerce
    .number()
    .int()
    .min(0)
    .default(86_400)
    .describe('Seconds a completed ingest batch is kept in Redis at most (see INGEST_JOBS_KEPT).'),
  JOB_ATTEMPTS: z.coerce
    .number()
    .int()
    .min(1)
    .max(50)
    .default(5)
    .describe(
      'Attempts for a job (an ingest batch or a privacy request) that fails on a transient error before it goes to the dead-letter queue.',
    ),
  DEFAULT_PHONE_REGION: z
    .string()
    .regex(/^[A-Z]{2}$/, 'an ISO 3166-1 alpha-2 region such as US or GB')
    .optional()
    .describe(
      'Region for phone numbers written without a country code. Unset: such numbers are rejected.',
    ),
  EMAIL_REMOVE_GMAIL_DOTS: booleanString
    .default(false)
    .describe(
      'Treat dots in gmail.com/googlemail.com local parts as insignificant (and drop +tags there).',
    ),
  EMAIL_REMOVE_PLUS_TAGS: booleanString
    .default(false)
    .describe('Drop `+tag` from every email local part.'),
  IDENTIFIER_TYPES: jsonString(z.array(customIdentifierTypeSchema))
    .optional()
    .describe(
      'Extra identifier types, JSON: `[{"name":"loyalty_id","normalize":"uppercase","pattern":"^L\\\\d+$"}]`.',
    ),
  IDENTIFIER_BLOCKLIST: commaList
    .optional()
    .describe('Extra blocked values (comma separated, matched after normalisation, any type).'),
  MERGE_LIMITS: jsonString(z.record(z.string(), z.number().int().min(1)))
    .optional()
    .describe(
      'Per-person limits per identifier type, JSON, merged over the defaults `{"user_id":1,"crm_id":1}`.',
    ),
  LINK_EVIDENCE_KEPT: z.coerce
    .number()
    .int()
    .min(1)
    .max(1000)
    .default(20)
    .describe('Most recent evidence events kept on a link; the full trail stays in the event log.'),
  MATCH_MODEL_FILE: z
    .string()
    .optional()
    .describe(
      'Fellegi–Sunter model file (`idgraph model train` writes one). Default: the built-in untrained person model and blocking rules.',
    ),
  MATCH_U_REFRESH: booleanString
    .default(true)
    .describe(
      'With the built-in model (no MATCH_MODEL_FILE): estimate u and term frequencies from the records in the graph, again as it grows, each estimate a new model version every process switches to. `off`: the built-in values stay.',
    ),
  MATCH_U_MIN_RECORDS: z.coerce
    .number()
    .int()
    .min(100)
    .default(10_000)
    .describe(
      'Records the graph holds before u is first estimated from them; until then the built-in values apply.',
    ),
  MATCH_U_REFRESH_HOURS: z.coerce
    .number()
    .gt(0)
    .default(24)
    .describe(
      'u is estimated again when the records have doubled since the last estimate, or when it is this old and records were added or removed since.',
    ),
  MATCH_AUTO_THRESHOLD: z.coerce
    .number()
    .gt(0)
    .lt(1)
    .default(0.95)
    .describe('Match probability at or above which two records are linked (method probabilistic).'),
  MATCH_REVIEW_THRESHOLD: z.coerce
    .number()
    .gt(0)
    .lt(1)
    .default(0.5)
    .describe(
      'Match probability at or above which (and below MATCH_AUTO_THRESHOLD) a pair goes to the review queue.',
    ),
  MATCH_HOUSEHOLD_ATTRIBUTES: commaList
    .transform((names) => (names.length === 1 && names[0] === 'none' ? [] : names))
    .prefault(DEFAULT_HOUSEHOLD_ATTRIBUTES.join(','))
    .describe(
      'Attributes a household shares (or that tell people apart only weakly): a pair is linked only when some other attribute agrees (a level with m > u); otherwise it goes to review. Comma separated; `none`: off.',
    ),
  MATCH_MAX_CANDIDATES: z.coerce
    .number()
    .int()
    .min(1)
    .max(10000)
    .default(200)
    .describe('Candidates scored per record at most (earlier blocking rules first).'),
  MATCH_MAX_BLOCK_SIZE: z.coerce
    .number()
    .int()
    .min(2)
    .default(5000)
    .describe('A block holding more records than this is too common to say anything: skipped.'),
  MATCH_CANDIDATE_CACHE_SIZE: z.coerce
    .number()
    .int()
    .min(0)
    .default(100_000)
    .describe(
      'Candidate records (normalised values) a worker keeps in memory so the graph sends ids only; 0 turns it off. Under 1 KB each.',
    ),
  MATCH_CANDIDATE_CACHE_TTL_SECONDS: z.coerce
    .number()
    .int()
    .min(1)
    .default(600)
    .describe(
      'How long a cached candidate record stays in worker memory: the bound on how long values of a deleted record can outlive it there.',
    ),
  MATCH_KEY_SECRET: z
    .string()
    .min(16)
    .optional()
    .describe(
      'Secret for the HMAC that hashes blocking keys in the graph (they derive from personal data). Required in production.',
    ),
  PRIVACY_HASH_SECRET: z
    .string()
    .min(16)
    .optional()
    .describe(
      'Secret for the HMAC that keeps privacy request subjects and the suppression list as hashes of normalised identifiers, never values. Required in production; changing it forgets every suppression.',
    ),
  IDGRAPH_API_KEYS: jsonString(z.array(apiKeySchema))
    .optional()
    .describe(
      'API keys, JSON: `[{"name":"crm-sync","key":"...","scopes":["events:write"]}]`. Scopes: events:write, persons:read, audit:read, audit:write, privacy:write. Secret; no default.',
    ),
  IDGRAPH_API_KEYS_FILE: z
    .string()
    .optional()
    .describe('A file holding the same JSON as IDGRAPH_API_KEYS (for secret mounts).'),
  RATE_LIMIT_MAX: z.coerce
    .number()
    .int()
    .min(0)
    .default(20000)
    .describe(
      'Requests one API key may make per RATE_LIMIT_WINDOW_MS in one API process; 0 turns the limit off.',
    ),
  RATE_LIMIT_WINDOW_MS: z.coerce
    .number()
    .int()
    .min(100)
    .default(1000)
    .describe('Rate-limit window.'),
  EVENTS_WAIT_TIMEOUT_MS: z.coerce
    .number()
    .int()
    .min(100)
    .max(60000)
    .default(10000)
    .describe(
      'How long `POST /v1/events?wait=true` waits for the batch to be applied before answering 202.',
    ),
  PRIVACY_EXPORT_TTL_HOURS: z.coerce
    .number()
    .positive()
    .max(24 * 366)
    .default(168)
    .describe(
      'How long the export of an access request (GET /v1/privacy/requests/{id}/export) is kept; it holds personal data, and is deleted when it expires. Swept every minute, or every quarter of the TTL when that is shorter.',
    ),
  CHANGE_FEED_RETENTION_HOURS: z.coerce
    .number()
    .positive()
    .max(24 * 366)
    .default(168)
    .describe(
      'How long the change feed (GET /v1/changes) keeps an entry after it was numbered; a cursor older than that answers 410. Swept every minute, or every quarter of the retention when that is shorter.',
    ),
  CHANGE_FEED_RELAY_INTERVAL_MS: z.coerce
    .number()
    .int()
    .min(10)
    .max(60000)
    .default(250)
    .describe(
      'How often the relay numbers committed changes into the feed and enqueues their webhooks (one run at a time across all worker processes).',
    ),
  WEBHOOKS: jsonString(webhookList)
    .optional()
    .describe(
      'Webhook endpoints, JSON: `[{"name":"crm","url":"https://crm.example/idgraph","secret":"at least 16 characters","types":["person.merged"]}]` (`types` optional: all). Each feed entry is POSTed, signed with the secret (docs/api.md). Secret; no default.',
    ),
  WEBHOOK_ATTEMPTS: z.coerce
    .number()
    .int()
    .min(1)
    .max(100)
    .default(12)
    .describe("Attempts per webhook delivery before it is dead-lettered (the queue's failed set)."),
  WEBHOOK_BACKOFF_MS: z.coerce
    .number()
    .int()
    .min(10)
    .default(1000)
    .describe(
      'First retry delay of a webhook delivery; each further retry waits twice as long (12 attempts from 1 s span about 34 minutes).',
    ),
  WEBHOOK_TIMEOUT_MS: z.coerce
    .number()
    .int()
    .min(100)
    .max(120000)
    .default(10000)
    .describe('How long a webhook endpoint has to answer a delivery.'),
  WEBHOOK_CONCURRENCY: z.coerce
    .number()
    .int()
    .min(1)
    .max(256)
    .default(8)
    .describe('Webhook deliveries one worker process sends at once.'),
  METRICS_PORT: port
    .optional()
    .describe('Port for /metrics in a worker-only process (API processes serve /metrics on PORT).'),
  SHUTDOWN_TIMEOUT_MS: z.coerce
    .number()
    .int()
    .min(100)
    .default(20000)
    .describe('Grace period for in-flight work at shutdown.'),
});

export type Config = Readonly<z.output<typeof configSchema>>;

/** Thrown when the environment does not satisfy {@link configSchema}; lists every bad variable at once. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly { key: string; message: string }[]) {
    super(`invalid configuration:\n${problems.map((p) => `  ${p.key}: ${p.message}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Parses the environment. Empty strings count as unset, as they do in most shells' `VAR= cmd`. */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const cleaned: Record<string, string> = {};
  for (const key of Object.keys(configSchema.shape)) {
    const value = env[key];
    if (value !== undefined && value !== '') cleaned[key] = value;
  }
  const parsed = configSchema.safeParse(cleaned);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => ({
        key: issue.path.join('.') || '(root)',
        message: issue.message,
      })),
    );
  }
  const config = parsed.data;
  const problems: { key: string; message: string }[] = [];
  if (config.MATCH_REVIEW_THRESHOLD > config.MATCH_AUTO_THRESHOLD)
    problems.push({
      key: 'MATCH_REVIEW_THRESHOLD',
      message: 'must not be above MATCH_AUTO_THRESHOLD',
    });
  // A known secret would let anyone holding a graph dump test guesses against the blocking keys
  // (and against the hashed subjects of privacy requests and the suppression list).
  if (config.NODE_ENV === 'production' && config.MATCH_KEY_SECRET === undefined)
    problems.push({ key: 'MATCH_KEY_SECRET', message: 'required in production' });
  if (config.NODE_ENV === 'production' && config.PRIVACY_HASH_SECRET === undefined)
    problems.push({ key: 'PRIVACY_HASH_SECRET', message: 'required in production' });
  // Only on a cluster: on one server jobs queued before an upgrade keep the keys workers read.
  const prefix =
    config.REDIS_URL !== undefined && isClusterUrl(config.REDIS_URL)
      ? clusterQueuePrefix(config.QUEUE_PREFIX)
      : config.QUEUE_PREFIX;
  if (prefix === undefined)
    problems.push({
      key: 'QUEUE_PREFIX',
      message: 'on a Redis Cluster it must hold no braces, or a {hash tag}',
    });
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze({ ...config, QUEUE_PREFIX: prefix! });
}

/** The Neo4j and Redis addresses a config points at, local defaults filled in. */
export function serviceAddresses(config: Config): { neo4jUri: string; redisUrl: string } {
  return {
    neo4jUri: config.NEO4J_URI ?? `bolt://127.0.0.1:${config.NEO4J_BOLT_PORT}`,
    redisUrl: config.REDIS_URL ?? `redis://127.0.0.1:${config.REDIS_PORT}`,
  };
}
