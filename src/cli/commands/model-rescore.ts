import { ModelFileError } from '../../matching/model/model-file.js';
import { matcherFromConfig } from '../../matching/model/matcher-config.js';
import { activeMatcher, followsActiveModel } from '../../matching/model/model-follower.js';
import { ModelVersionConflictError } from '../../matching/model/recorded-model.js';
import {
  type ConfiguredResolver,
  createResolverFromConfig,
} from '../../resolver/resolver-factory.js';
import {
  type RescoreProgress,
  type RescoreReport,
  rescore,
} from '../../resolver/rescoring/rescore.js';
import { CliError, type CliContext, connectGraph, ExitCode } from '../cli-context.js';
import { type RescoreSnapshot, startRescoreProgress } from '../rescore-progress.js';
import { formatRescoreSummary } from '../rescore-summary.js';

/** `idgraph model rescore`'s options. */
export interface ModelRescoreOptions {
  pageSize: number;
  concurrency: number;
  progress: boolean;
  /** Seconds between plain progress lines when stderr is not a terminal. */
  progressInterval: number;
  json: boolean;
}

/**
 * `idgraph model rescore`: brings the graph in line with the active model (src/resolver/rescoring/:
 * MATCH_MODEL_FILE, else the built-in model, the version a u refresh made active when there is one;
 * a version activated while it runs applies to the next rescore)
 * through the resolver the service uses, in transactions of `--page-size`, `--concurrency` at once.
 * Safe next to live ingestion and to run again; shows progress on stderr and prints what changed.
 */
export async function modelRescoreCommand(
  ctx: CliContext,
  options: ModelRescoreOptions,
): Promise<ExitCode> {
  let matcher: Awaited<ReturnType<typeof matcherFromConfig>>;
  try {
    matcher = await matcherFromConfig(ctx.config);
  } catch (error) {
    if (error instanceof ModelFileError) throw new CliError(error.message, ExitCode.usage);
    throw error;
  }
  const graph = await connectGraph(ctx);
  let configured: ConfiguredResolver | undefined;
  try {
    // The built-in model: the version a u refresh made active, when the service follows one.
    if (followsActiveModel(ctx.config))
      matcher = (await activeMatcher(graph, ctx.config, ctx.logger))?.matcher ?? matcher;
    try {
      configured = await createResolverFromConfig(ctx.config, {
        graph,
        logger: ctx.logger,
        matcher,
      });
    } catch (error) {
      if (error instanceof ModelVersionConflictError)
        throw new CliError(error.message, ExitCode.usage);
      throw error;
    }
    const { resolver } = configured;
    let latest: { progress: RescoreProgress; at: number } | undefined;
    const progress = startRescoreProgress(ctx.io.stderr, () => rescoreSnapshot(latest), {
      mode: !options.progress ? 'off' : ctx.io.stderr.isTTY ? 'bar' : 'lines',
      intervalMs: options.progressInterval * 1000,
    });
    let report: RescoreReport;
    try {
      report = await rescore(
        { graph, resolver, modelVersion: matcher.model.version, logger: ctx.logger },
        {
          pageSize: options.pageSize,
          concurrency: options.concurrency,
          onProgress: (p) => {
            if (ctx.signal.aborted) throw new CliError('interrupted', ExitCode.interrupted);
            latest = { progress: p, at: performance.now() };
          },
        },
      );
    } catch (error) {
      progress.stop(false);
      throw error;
    }
    progress.stop();
    ctx.io.stdout.write(
      options.json ? `${JSON.stringify(report)}\n` : formatRescoreSummary(report),
    );
    return ExitCode.ok;
  } finally {
    configured?.close();
    await graph.close();
  }
}

/** The progress display's view of the latest report, its pass's time running on to now. */
function rescoreSnapshot(
  latest: { progress: RescoreProgress; at: number } | undefined,
): RescoreSnapshot {
  if (!latest)
    return {
      phase: 'links',
      linksDone: 0,
      linksTotal: 0,
      linksMs: 0,
      recordsDone: 0,
      recordsTotal: 0,
      recordsMs: 0,
    };
  const { phase, phaseMs, report } = latest.progress;
  const running = phaseMs + performance.now() - latest.at;
  return {
    phase,
    linksDone: report.linksChecked,
    linksTotal: report.linksTotal,
    linksMs: phase === 'links' ? running : report.linksMs,
    recordsDone: report.recordsScored,
    recordsTotal: report.recordsTotal,
    recordsMs: phase === 'records' ? running : 0,
  };
}
