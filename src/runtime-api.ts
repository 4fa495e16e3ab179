import { readinessOf } from './api/health-routes.js';
import { createAuditService } from './audit/audit-service.js';
import { createChangeFeed } from './changes/change-feed.js';
import { createExplainService } from './explain/explain-service.js';
import type { Graph } from './graph/graph-client.js';
import type { GraphHealth } from './graph/graph-health.js';
import { migrationsApplied } from './graph/migrations.js';
import { createHistoryService } from './history/history-service.js';
import type { Redis } from './ingest/redis-connection.js';
import type { PrivacyQueue } from './jobs/privacy-queue.js';
import { createLinkExplainService } from './links/link-explain.js';
import { createConstraintService } from './manual/manual-constraints.js';
import { createManualService } from './manual/manual-service.js';
import type { MatcherSource } from './matching/model/matcher-source.js';
import { createPersonService } from './persons/person-service.js';
import type { identifierHasherFromConfig } from './privacy/identifier-hash.js';
import { createPrivacyService } from './privacy/privacy-service.js';
import type { StepRegistry } from './privacy/privacy-step.js';
import type { IdentifierRegistry } from './resolver/identifier-types.js';
import type { ResolverService } from './resolver/resolver-service.js';
import { createReviewService } from './reviews/review-service.js';

/**
 * The API side of src/runtime.ts: the services the routes call, built on the API's graph (the one
 * that fails fast while Neo4j is down), and the readiness checks of /readyz.
 */

/** The API's services that read and write the graph. */
export function graphServices(
  graph: Graph,
  deps: {
    registry: IdentifierRegistry;
    hasher: ReturnType<typeof identifierHasherFromConfig>;
    planWriter: ResolverService['planWriter'];
    matchers: MatcherSource;
    privacy: PrivacyQueue;
    steps: StepRegistry;
  },
) {
  const { registry, hasher, planWriter, matchers, privacy, steps } = deps;
  return {
    persons: createPersonService({ graph, registry }),
    audit: createAuditService({ graph }),
    history: createHistoryService({ graph }),
    reviews: createReviewService({ graph, planWriter }),
    links: createLinkExplainService({ graph }),
    manual: createManualService({ graph, planWriter, registry }),
    constraints: createConstraintService({ graph }),
    changes: createChangeFeed({ graph }),
    explain: createExplainService({ graph, registry, hasher, matchers }),
    privacy: createPrivacyService({ graph, queue: privacy, registry, hasher, steps }),
  };
}

/**
 * `/readyz`, per dependency: Neo4j answers (the health tracker's probe; `down: unreachable` or
 * `down: timeout`), Redis answers (`down: unreachable` while its connection is not ready), and the
 * migrations are applied (remembered once true; `pending` when not, `unknown` while Neo4j cannot
 * tell). Each check is bounded in time (readinessOf).
 */
export function readinessChecks(health: GraphHealth, graph: Graph, redis: Redis) {
  let migrated = false;
  return readinessOf({
    neo4j: () => health.check(),
    redis: async () =>
      redis.status === 'ready' ? redis.ping().then(() => 'ok') : 'down: unreachable',
    migrations: async () => {
      if (migrated) return 'ok';
      if (!health.isUp()) return 'unknown';
      migrated = await migrationsApplied(graph).catch(() => false);
      return migrated ? 'ok' : health.isUp() ? 'pending' : 'unknown';
    },
  });
}
