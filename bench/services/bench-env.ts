import type { BenchServices } from './bench-services.js';

/** The API key benchmarks call the API with (configured by {@link benchEnv}; every scope). */
export const BENCH_API_KEY = 'bench-only-key-0123456789abcdef';
export const benchAuthHeader = { authorization: `Bearer ${BENCH_API_KEY}` };

/**
 * The blocking-key HMAC secret benchmarks run the service with: the service requires one in
 * production (NODE_ENV=production, as {@link benchEnv} sets), and a benchmark graph is disposable.
 */
export const BENCH_MATCH_KEY_SECRET = 'bench-only-match-key-secret-0123456789';

/** The privacy hash secret, required in production as the matching secret is. */
export const BENCH_PRIVACY_HASH_SECRET = 'bench-only-privacy-hash-secret-0123456789';

/** The service's environment for a benchmark: quiet logs, the bench services, API key and secrets, then `overrides`. */
export function benchEnv(
  services: Pick<BenchServices, 'neo4jUri' | 'redisUrl'>,
  overrides: Record<string, string> = {},
): Record<string, string> {
  const auth: Record<string, string> = process.env.NEO4J_PASSWORD
    ? { NEO4J_USER: process.env.NEO4J_USER ?? 'neo4j', NEO4J_PASSWORD: process.env.NEO4J_PASSWORD }
    : {};
  const apiKeys = [
    {
      name: 'bench',
      key: BENCH_API_KEY,
      scopes: ['events:write', 'persons:read', 'audit:read', 'audit:write', 'privacy:write'],
    },
  ];
  return {
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    NEO4J_URI: services.neo4jUri,
    REDIS_URL: services.redisUrl,
    ...auth,
    IDGRAPH_API_KEYS: JSON.stringify(apiKeys),
    MATCH_KEY_SECRET: BENCH_MATCH_KEY_SECRET,
    PRIVACY_HASH_SECRET: BENCH_PRIVACY_HASH_SECRET,
    ...overrides,
  };
}
