import type { Graph } from '../graph/graph-client.js';
import { newId } from '../ids.js';
import type { IdentifierRegistry } from '../resolver/identifier-types.js';
import type { PlanWriter } from '../resolver/plan-writer.js';
import { runOperation } from './dry-run.js';
import { mergeInTx } from './manual-merge.js';
import {
  type ManualOutcome,
  type OperationContext,
  type OperationEffect,
  readOutcome,
} from './manual-outcome.js';
import { revertInTx } from './manual-revert.js';
import { type SplitInput, splitInTx } from './manual-split.js';

/**
 * Manual operations of a data team (merge, split, revert of a merge), each one write transaction
 * through the resolver's retry and locks, audited with the actor (the API key's name), a reason
 * code and the operator's note, and listed in the change feed. Each can run as a dry run
 * (dry-run.ts): the same transaction, rolled back, answering what it would do.
 */

/** Who asks, and how: common to every manual operation. */
export interface OperationRequest {
  actor: string;
  /** The operator's free text (1..500 characters): the audit records' `note`. No personal data. */
  note: string;
  dryRun: boolean;
  /** The caller may read persons: the answer names moved identifiers' values. */
  showValues: boolean;
}

export type ManualService = ReturnType<typeof createManualService>;

export function createManualService(deps: {
  graph: Pick<Graph, 'writeTransaction'>;
  planWriter: Pick<PlanWriter, 'lockAndPlan'>;
  registry: Pick<IdentifierRegistry, 'normalize'>;
}) {
  const operate = (
    name: string,
    request: OperationRequest,
    work: (ctx: OperationContext) => Promise<OperationEffect>,
  ): Promise<ManualOutcome> =>
    runOperation(deps.graph, name, request.dryRun, async (tx) => {
      const ctx: OperationContext = {
        tx,
        now: Date.now(),
        auditId: newId('aud'),
        actor: request.actor,
        note: request.note,
      };
      const effect = await work(ctx);
      return readOutcome(ctx, effect, request);
    });

  return {
    merge: (request: OperationRequest & { personIds: readonly string[] }) =>
      operate('manual-merge', request, (ctx) => mergeInTx(ctx, deps.planWriter, request)),

    split: (request: OperationRequest & SplitInput) =>
      operate('manual-split', request, (ctx) => splitInTx(ctx, deps.registry, request)),

    revert: (request: OperationRequest & { mergeAuditId: string }) =>
      operate('manual-revert', request, (ctx) => revertInTx(ctx, request)),
  };
}
