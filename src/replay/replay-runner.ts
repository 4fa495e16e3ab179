import type { Graph } from '../graph/graph-client.js';
import { applyMigrations, migrationsApplied } from '../graph/migrations.js';
import type { Logger } from '../logger.js';
import type { ResolverService } from '../resolver/resolver-service.js';
import { eventBatches } from './event-log.js';
import {
  createDecisionApplier,
  type Decision,
  type DecisionCounts,
  emptyDecisionCounts,
  readDecisions,
} from './replay-decisions.js';

/**
 * `idgraph replay`: rebuilds a graph from another graph's event log, through the resolver built
 * for the target (its rules and model), into an empty target:
 * 1. the target is checked: not the source (by database id), empty unless `force` (then wiped);
 *    its migrations are applied;
 * 2. the source's suppression list is copied (keyed hashes: the same PRIVACY_HASH_SECRET makes them
 *    match), so what was erased stays out even where the log still names it;
 * 3. the log's batches are resolved in the order the source received them, and the source's manual
 *    decisions (replay-decisions.ts) are applied between them at their times.
 * The source is only read.
 */

export class ReplayTargetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReplayTargetError';
  }
}

export interface ReplayProgress {
  eventsDone: number;
  eventsTotal: number;
  batches: number;
  elapsedMs: number;
}

export interface ReplayReport {
  /** Events given to the resolver, and what it did with them. */
  events: number;
  applied: number;
  duplicates: number;
  rejected: number;
  /** Identifiers dropped at ingest because they are on the suppression list. */
  suppressedIdentifiers: number;
  /** Events in the log whose payload did not parse (not replayed). */
  unreadable: number;
  batches: number;
  merges: number;
  refusals: number;
  suppressionsCopied: number;
  decisions: DecisionCounts;
  /** The target at the end: active persons, active links, identifiers. */
  persons: number;
  links: number;
  identifiers: number;
  durationMs: number;
  /** Events per second over the whole replay (suppression copy and decisions included). */
  eventsPerSecond: number;
}

export interface ReplayDeps {
  source: Pick<Graph, 'query'>;
  target: Graph;
  /** The resolver built against the target (resolver-factory.ts). */
  resolver: Pick<ResolverService, 'resolveBatch' | 'planWriter'>;
  logger: Logger;
}

export interface ReplayOptions {
  /** Events received up to this time (epoch ms), and decisions taken up to it. */
  until: number;
  /** Most events per resolver batch (a source batch larger than this is cut). */
  batchSize: number;
  /** Events read from the source per query. */
  pageSize: number;
  onProgress?: (progress: ReplayProgress) => void;
}

/** Refuses the source as target, and a target with data unless `force`, which wipes it. */
export async function prepareTarget(
  deps: Pick<ReplayDeps, 'source' | 'target' | 'logger'>,
  force: boolean,
): Promise<void> {
  const [source] = await deps.source.query<{ id: string }>('read/database-info');
  const [target] = await deps.target.query<{ id: string }>('read/database-info');
  if (source && target && source.id === target.id)
    throw new ReplayTargetError('the target is the source graph: replay into another one');
  const [state] = await deps.target.query<{ hasData: boolean }>('read/graph-is-test-instance');
  if (state?.hasData) {
    if (!force)
      throw new ReplayTargetError(
        'the target graph holds data: give an empty one, or --force to wipe it',
      );
    deps.logger.warn('replay: wiping the target graph (--force)');
    await deps.target.autoCommit('write/clear-test-graph');
  }
  await applyMigrations(deps.target, deps.logger);
  if (!(await migrationsApplied(deps.source as Graph)))
    deps.logger.warn(
      'replay: the source graph lacks schema migrations of this version; reading its event log may be slow',
    );
}

/** Copies the source's suppression list to the target, a page at a time; returns how many. */
export async function copySuppressions(
  deps: Pick<ReplayDeps, 'source' | 'target'>,
  pageSize: number,
): Promise<number> {
  let after: string | null = null;
  let copied = 0;
  for (;;) {
    const rows: { hash: string; at: number | null; requestId: string | null }[] =
      await deps.source.query('read/suppressions-page', { after, limit: pageSize });
    if (rows.length === 0) return copied;
    await deps.target.query('write/copy-suppressions', {
      rows: rows.map((r) => [r.hash, r.at, r.requestId]),
    });
    copied += rows.length;
    after = rows.at(-1)!.hash;
    if (rows.length < pageSize) return copied;
  }
}

/** Runs the replay (after {@link prepareTarget}); the target's resolver does the work. */
export async function replay(deps: ReplayDeps, options: ReplayOptions): Promise<ReplayReport> {
  const started = performance.now();
  await deps.target.query('write/replay-run', { now: Date.now() });
  const suppressionsCopied = await copySuppressions(deps, 5_000);
  const decisions: Decision[] = await readDecisions(deps.source, options.until);
  const applier = createDecisionApplier({
    graph: deps.target,
    planWriter: deps.resolver.planWriter,
  });
  const counts = emptyDecisionCounts();
  let nextDecision = 0;
  const applyDecisionsBefore = async (time: number) => {
    while (nextDecision < decisions.length && decisions[nextDecision]!.at < time) {
      const decision = decisions[nextDecision++]!;
      if (decision.kind === 'withdrawal') {
        // One operation's withdrawals share its time (they are read in time order): applied together.
        const group = [decision];
        while (
          decisions[nextDecision]?.kind === 'withdrawal' &&
          decisions[nextDecision]!.at === decision.at
        )
          group.push(decisions[nextDecision++]!);
        for (const applied of await applier.withdraw(group))
          counts.withdrawal[applied ? 'applied' : 'skipped'] += 1;
        continue;
      }
      const applied = await applier.apply(decision);
      counts[decision.kind][applied ? 'applied' : 'skipped'] += 1;
    }
  };
  const [totals] = await deps.source.query<{ events: number }>('read/replay-totals', {
    until: options.until,
  });
  const report = {
    events: 0,
    applied: 0,
    duplicates: 0,
    rejected: 0,
    suppressedIdentifiers: 0,
    unreadable: 0,
    batches: 0,
    merges: 0,
    refusals: 0,
  };
  const progress = () =>
    options.onProgress?.({
      eventsDone: report.events + report.unreadable,
      eventsTotal: totals?.events ?? 0,
      batches: report.batches,
      elapsedMs: performance.now() - started,
    });
  progress();
  for await (const batch of eventBatches(deps.source, {
    until: options.until,
    pageSize: options.pageSize,
    maxBatch: options.batchSize,
    onUnreadable: () => void (report.unreadable += 1),
  })) {
    await applyDecisionsBefore(batch.receivedAt);
    const outcome = await deps.resolver.resolveBatch(batch.jobId, batch.events);
    report.events += batch.events.length;
    report.applied += outcome.applied;
    report.duplicates += outcome.duplicates;
    report.rejected += outcome.rejectedEvents;
    report.suppressedIdentifiers += outcome.suppressed;
    report.merges += outcome.merges;
    report.refusals += outcome.refusals;
    report.batches += 1;
    progress();
  }
  await applyDecisionsBefore(Number.POSITIVE_INFINITY);
  await deps.target.query('write/replay-finished', { now: Date.now(), events: report.events });
  const [graph] = await deps.target.query<{ activePersons: number; identifiers: number }>(
    'read/graph-totals',
  );
  const links = await deps.target.query<{ links: number }>('read/link-counts');
  const durationMs = performance.now() - started;
  return {
    ...report,
    suppressionsCopied,
    decisions: counts,
    persons: graph?.activePersons ?? 0,
    identifiers: graph?.identifiers ?? 0,
    links: links.reduce((sum, r) => sum + r.links, 0),
    durationMs,
    eventsPerSecond: durationMs > 0 ? (report.events * 1000) / durationMs : 0,
  };
}
