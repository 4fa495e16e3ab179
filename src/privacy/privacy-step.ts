import type { RedisClient } from '../ingest/redis-connection.js';
import type { Graph, GraphTx } from '../graph/graph-client.js';
import type { Logger } from '../logger.js';
import type { IdentifierRegistry } from '../resolver/identifier-types.js';
import type { PrivacyReport, PrivacyRequestType } from './privacy-contract.js';
import type { ReportBuilder } from './privacy-report.js';

/**
 * The steps of privacy requests, and what the runner gives each one. A request type is a list of
 * steps in {@link StepRegistry}; the runner resolves the subject first (`resolve_subject`), runs
 * the type's steps in order, skipping those already done, and completes the request (`finish`) in
 * the transaction that marks the last step done.
 *
 * A step must be idempotent: after a crash it runs again from the start unless it was marked
 * done. It marks itself done in the transaction of its last write (`write(..., { done: true })`),
 * so "written" and "done" commit together; the runner marks a step done after it returns if it
 * did not. A step may do the work of the steps after it in that transaction and mark them done
 * with it (`alsoDone`): all of them commit or none. A step that writes in several transactions (pages) commits the report with each, so
 * what a page did is counted once whether or not the step is interrupted after it.
 */

/** The request a step works for (no subject values: those are in {@link PrivacySubjectKeys}). */
export interface PrivacyRequestInfo {
  readonly id: string;
  readonly type: PrivacyRequestType;
  /** API key name, or `cli:<user>`. */
  readonly actor: string;
  /** The requester's reason (free text, kept with the request and its `privacy_request` record). */
  readonly reason: string;
  /** revoke: the purposes withdrawn; empty otherwise. */
  readonly purposes: readonly string[];
  /** When the request was made (ms since epoch): consent decisions take effect from then. */
  readonly createdAt: number;
}

/**
 * The subject as the `resolve_subject` step found it. `keys` are normalised identifier keys
 * (`type:value`) — personal data: never log, store or report them; `hashes[i]` is the keyed hash of
 * `keys[i]` (identifier-hash.ts), the form the graph may keep.
 */
export interface PrivacySubjectKeys {
  /** The person a person subject resolved to (its survivor when merged); undefined otherwise. */
  readonly personId: string | undefined;
  /** Sorted, distinct. For a person, its identifiers when the request resolved them. */
  readonly keys: readonly string[];
  readonly hashes: readonly string[];
}

export type PrivacyAuditKind =
  | 'consent_revoked'
  | 'link_withdrawn'
  | 'split'
  | 'erasure'
  | 'suppression_added'
  | 'suppression_lifted'
  | 'access_export';

/**
 * An audit record a step writes: ids, codes and counts only. The writer adds its id, time, the
 * request id, type and actor, and a CONCERNS relationship to each named person that exists.
 */
export interface PrivacyAuditEntry {
  readonly kind: PrivacyAuditKind;
  readonly personIds?: readonly string[];
  readonly linkId?: string;
  readonly linkIds?: readonly string[];
  /** A code (`consent_revoked`, `erasure`, ...); the requester's words are on the request. */
  readonly reason?: string;
  readonly count?: number;
  readonly purposes?: readonly string[];
}

/** What one write transaction of a step gets: the transaction, its report, its audit writer. */
export interface StepWrite {
  readonly tx: GraphTx;
  /**
   * The report as committed so far, for this transaction to add to: its additions are stored with
   * the transaction and kept only if it commits (a retried transaction starts from a fresh copy).
   */
  readonly report: ReportBuilder;
  /** Writes audit records in this transaction. */
  readonly audit: (entries: readonly PrivacyAuditEntry[]) => Promise<void>;
}

export interface StepContext {
  readonly request: PrivacyRequestInfo;
  readonly subject: PrivacySubjectKeys;
  /** Reads outside a transaction. Writes go through {@link StepContext.write}. */
  readonly graph: Pick<Graph, 'query'>;
  /** The worker's Redis connection (for scrubbing queued job payloads). */
  readonly redis: RedisClient;
  /** Identifier normalisation, as ingestion does it (to compare a payload's identifiers with keys). */
  readonly registry: IdentifierRegistry;
  /** The report as committed so far (read-only: add to it through {@link StepWrite.report}). */
  readonly report: Readonly<PrivacyReport>;
  /** Tagged with the request id and the step name; never log a key. */
  readonly logger: Logger;
  /** The clock (ms since epoch). */
  readonly now: () => number;
  /**
   * Runs `work` in one managed write transaction (retried as a whole on transient errors) and
   * commits with it the report `work` added to and, with `done`, this step's mark, and with
   * `alsoDone` the marks of the steps that follow it, whose work this transaction did too (they are
   * then skipped). The mark of the type's last step completes the request. The request must still
   * be this runner's: if another runner took it over, the transaction rolls back.
   */
  readonly write: <T>(
    name: string,
    work: (write: StepWrite) => Promise<T>,
    options?: { done?: boolean; alsoDone?: readonly string[] },
  ) => Promise<T>;
}

export interface PrivacyStep {
  /** Stable: recorded in the request's `stepsDone`. lower_snake_case. */
  readonly name: string;
  run(ctx: StepContext): Promise<void>;
}

/**
 * The steps of each request type, between `resolve_subject` and `finish`. A type without an entry
 * is not supported yet: the service refuses it (400 `NOT_SUPPORTED`) before storing anything.
 */
export type StepRegistry = Partial<Record<PrivacyRequestType, readonly PrivacyStep[]>>;
