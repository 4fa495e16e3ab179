import { randomUUID } from 'node:crypto';
import type { RedisClient } from '../ingest/redis-connection.js';
import type { Graph } from '../graph/graph-client.js';
import { JobFailure } from '../jobs/privacy-job-contract.js';
import type { PrivacyJob } from '../jobs/privacy-worker.js';
import { type Logger, safeError } from '../logger.js';
import type { IdentifierRegistry } from '../resolver/identifier-types.js';
import type { IdentifierHasher } from './identifier-hash.js';
import { writeAuditEntries } from './privacy-audit.js';
import { ReportBuilder } from './privacy-report.js';
import type {
  PrivacyRequestInfo,
  PrivacyStep,
  PrivacySubjectKeys,
  StepContext,
  StepRegistry,
  StepWrite,
} from './privacy-step.js';
import {
  failRequest,
  parseReport,
  RequestTakenOverError,
  saveProgress,
  startRequest,
  type StoredRequest,
} from './privacy-store.js';
import { countKnownKeys, personKeys, SUBJECT_PAGE_SIZE } from './resolve-subject.js';

/**
 * Runs one privacy request as its job: takes the request (in_progress, under a token of its own),
 * resolves the subject (`resolve_subject`), runs the type's steps in order skipping those done,
 * and completes it (`finish`: report with durationMs, status completed). Everything a step does to
 * the graph commits with its report and its mark, so a crash at any point resumes at the first
 * step not done with the report as it was, and the finished report is the one an uninterrupted
 * run gives. A failure is retried by the queue; after the last attempt the request is `failed`
 * with the step and the error's class or code.
 */

export const RESOLVE_SUBJECT = 'resolve_subject';
export const FINISH = 'finish';

export interface PrivacyRunnerDeps {
  graph: Pick<Graph, 'query' | 'writeTransaction'>;
  redis: RedisClient;
  registry: IdentifierRegistry;
  hasher: IdentifierHasher;
  steps: StepRegistry;
  logger: Logger;
  clock?: () => number;
  pageSize?: number;
}

export type PrivacyRunner = ReturnType<typeof createPrivacyRunner>;

/** What a request's run holds between steps: the committed report and the steps done. */
interface RunState {
  readonly request: PrivacyRequestInfo;
  readonly runner: string;
  report: ReportBuilder;
  readonly done: Set<string>;
  /** The type's last step: the transaction that marks it done completes the request. */
  readonly lastStep: string | undefined;
  /** Whether the request's completion has committed. */
  completed: boolean;
}

/** The error's class and code, for the stored failure: driver messages may quote values. */
function describe(error: unknown): string {
  const { name, code } = safeError(error);
  return `${name}${code ? ` (${code})` : ''}`;
}

function requestInfo(stored: StoredRequest): PrivacyRequestInfo {
  return {
    id: stored.id,
    type: stored.type,
    actor: stored.actor,
    reason: stored.reason,
    purposes: stored.purposes ?? [],
    createdAt: stored.createdAt,
  };
}

/** The error the job fails with; the request is marked failed when no attempt is left. */
async function jobFailure(
  deps: PrivacyRunnerDeps,
  requestId: string,
  job: PrivacyJob,
  step: string,
  error: unknown,
): Promise<JobFailure> {
  // A runner whose request was taken over leaves it to its successor.
  if (error instanceof RequestTakenOverError) return new JobFailure('taken over by another runner');
  const permanent = error instanceof JobFailure && error.permanent;
  const reason = `${step}: ${error instanceof JobFailure ? error.message : describe(error)}`;
  if (permanent || job.finalAttempt)
    await failRequest(deps.graph, requestId, reason, (deps.clock ?? Date.now)()).catch(
      (failed: unknown) =>
        deps.logger.error({ requestId, err: safeError(failed) }, 'cannot mark failed'),
    );
  return new JobFailure(reason, permanent);
}

/**
 * One write transaction committing the work, the report it added to and the marks of the steps
 * it finished. The mark of the type's last step completes the request in the same transaction
 * (`finish`: durationMs and status completed): a request ends with its last change.
 */
async function writeStep<T>(
  { graph, clock }: { graph: PrivacyRunnerDeps['graph']; clock: () => number },
  state: RunState,
  step: string,
  name: string,
  work: (write: StepWrite) => Promise<T>,
  options: {
    done?: boolean;
    alsoDone?: readonly string[];
    subjectHashes?: readonly string[];
    complete?: boolean;
  } = {},
): Promise<T> {
  let committed: ReportBuilder | undefined;
  const marks = options.done ? [step, ...(options.alsoDone ?? [])] : [];
  const complete =
    options.complete === true || (state.lastStep !== undefined && marks.includes(state.lastStep));
  const result = await graph.writeTransaction(name, async (tx) => {
    const report = state.report.clone();
    const value = await work({
      tx,
      report,
      audit: (entries) => writeAuditEntries(tx, state.request, entries, clock()),
    });
    if (complete) report.durationMs(clock() - state.request.createdAt);
    await saveProgress(tx, {
      id: state.request.id,
      runner: state.runner,
      report: report.toJSON(),
      steps: marks,
      ...(options.subjectHashes ? { subjectHashes: options.subjectHashes } : {}),
      ...(complete ? { complete: true } : {}),
      now: clock(),
    });
    committed = report;
    return value;
  });
  state.report = committed!;
  for (const mark of marks) state.done.add(mark);
  if (complete) state.completed = true;
  return result;
}

export function createPrivacyRunner(deps: PrivacyRunnerDeps) {
  const { graph, hasher, logger } = deps;
  const clock = deps.clock ?? Date.now;
  const pageSize = deps.pageSize ?? SUBJECT_PAGE_SIZE;
  const io = { graph, clock };

  /**
   * The subject's keys: resolved now (a person's identifiers at this moment; given identifiers
   * counted against the graph), or as resolved by an earlier attempt. A person's keys go into the
   * job's data before the step is marked done, so a resumed request finds them there.
   */
  async function subjectOf(
    state: RunState,
    job: PrivacyJob,
    stored: StoredRequest,
  ): Promise<PrivacySubjectKeys> {
    const personSubject = stored.subjectPersonId != null;
    if (state.done.has(RESOLVE_SUBJECT) && (!personSubject || job.data.keys)) {
      const keys = job.data.keys ?? [];
      return { personId: state.report.toJSON().subject?.personId, keys, hashes: keys.map(hasher) };
    }
    let subject: PrivacySubjectKeys;
    let notFound: number;
    if (personSubject) {
      const found = await personKeys(graph, stored.subjectPersonId!, pageSize);
      await job.update({ ...job.data, keys: found.keys });
      subject = { ...found, hashes: found.keys.map(hasher) };
      notFound = found.personId === undefined ? 1 : 0;
    } else {
      const keys = job.data.keys ?? [];
      subject = { personId: undefined, keys, hashes: keys.map(hasher) };
      notFound = keys.length - (await countKnownKeys(graph, keys, pageSize));
    }
    const { invalid } = job.data;
    await writeStep(
      io,
      state,
      RESOLVE_SUBJECT,
      'privacy-resolve-subject',
      async ({ report }) =>
        void report.subject({
          identifiers: subject.keys.length,
          notFound,
          ...(invalid && Object.keys(invalid).length > 0 ? { invalid } : {}),
          ...(subject.personId ? { personId: subject.personId } : {}),
        }),
      { done: true, ...(personSubject ? { subjectHashes: subject.hashes } : {}) },
    );
    return subject;
  }

  async function runStep(
    state: RunState,
    step: PrivacyStep,
    subject: PrivacySubjectKeys,
  ): Promise<void> {
    const started = clock();
    const ctx: StepContext = {
      request: state.request,
      subject,
      graph,
      redis: deps.redis,
      registry: deps.registry,
      get report() {
        return state.report.toJSON();
      },
      logger: logger.child({ requestId: state.request.id, step: step.name }),
      now: clock,
      write: (name, work, options) => writeStep(io, state, step.name, name, work, options),
    };
    await step.run(ctx);
    if (!state.done.has(step.name))
      await writeStep(io, state, step.name, `privacy-${step.name}-done`, async () => undefined, {
        done: true,
      });
    ctx.logger.debug({ durationMs: clock() - started }, 'privacy step done');
  }

  return {
    /** The job function of the privacy queue (src/jobs/privacy-worker.ts). */
    async run(job: PrivacyJob): Promise<void> {
      const stored = await startRequest(graph, job.requestId, randomUUID(), clock());
      if (!stored) throw new JobFailure('privacy request not found', true);
      if (stored.status === 'completed') return;
      const state: RunState = {
        request: requestInfo(stored),
        runner: stored.runner!,
        report: ReportBuilder.from(parseReport(stored.report)),
        done: new Set(stored.stepsDone ?? []),
        lastStep: deps.steps[stored.type]?.at(-1)?.name,
        completed: false,
      };
      const steps = deps.steps[stored.type];
      let current = RESOLVE_SUBJECT;
      try {
        if (!steps) throw new JobFailure(`no steps for ${stored.type} requests`, true);
        const subject = await subjectOf(state, job, stored);
        for (const step of steps) {
          if (state.done.has(step.name)) continue;
          current = step.name;
          await runStep(state, step, subject);
        }
        current = FINISH;
        // Completed with the last step's mark; on its own only when that mark was committed by a
        // run that did not complete with it, or when the type has no steps.
        if (!state.completed)
          await writeStep(io, state, FINISH, 'privacy-finish', async () => undefined, {
            complete: true,
          });
        logger.info(
          { requestId: stored.id, type: stored.type, durationMs: state.report.toJSON().durationMs },
          'privacy request completed',
        );
      } catch (error) {
        throw await jobFailure(deps, stored.id, job, current, error);
      }
    },
  };
}
