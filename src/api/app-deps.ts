import type { AuditService } from '../audit/audit-service.js';
import type { ChangeFeed } from '../changes/change-feed.js';
import type { HistoryService } from '../history/history-service.js';
import type { ExplainService } from '../explain/explain-service.js';
import type { Metrics } from '../metrics/metrics.js';
import type { ApiKey } from './auth.js';
import type { IngestQueue } from '../ingest/ingest-queue.js';
import type { Logger } from '../logger.js';
import type { PersonService } from '../persons/person-service.js';
import type { PrivacyService } from '../privacy/privacy-service.js';
import type { ReadinessCheck } from './health-routes.js';
import type { LinkExplainService } from '../links/link-explain.js';
import type { ReviewService } from '../reviews/review-service.js';
import type { ManualService } from '../manual/manual-service.js';
import type { ConstraintService } from '../manual/manual-constraints.js';

/** What the API needs from the ingest queue; narrowed so route tests can hand in a small fake. */
export type IngestGateway = Pick<
  IngestQueue,
  'enqueue' | 'getJob' | 'waitForJob' | 'listDeadLetters' | 'retryDeadLetter'
>;

export interface AppDeps {
  logger: Logger;
  ingest: IngestGateway;
  persons: PersonService;
  audit: AuditService;
  history: Pick<HistoryService, 'page' | 'at'>;
  reviews: ReviewService;
  links: LinkExplainService;
  manual: ManualService;
  constraints: ConstraintService;
  changes: ChangeFeed;
  explain: Pick<ExplainService, 'explain'>;
  privacy: Pick<PrivacyService, 'create' | 'get' | 'list' | 'export'>;
  readiness: ReadinessCheck;
  apiKeys: readonly ApiKey[];
  metrics: Metrics;
  rateLimit: { max: number; windowMs: number };
  eventsWaitTimeoutMs: number;
  /** Largest accepted request body in bytes (1000 events of 50 identifiers fit comfortably). */
  bodyLimit?: number;
  /** Where the built console is (dist/ui by default; see api/ui-routes.ts). */
  uiDir?: string;
}
