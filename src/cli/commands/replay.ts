import { readFile } from 'node:fs/promises';
import type { Config } from '../../config.js';
import { ConfigError } from '../../config.js';
import type { Graph } from '../../graph/graph-client.js';
import { redactUri } from '../../logger.js';
import { matcherFromConfig } from '../../matching/model/matcher-config.js';
import { ModelFileError } from '../../matching/model/model-file.js';
import { activeMatcher, followsActiveModel } from '../../matching/model/model-follower.js';
import { ModelVersionConflictError } from '../../matching/model/recorded-model.js';
import type { RecordMatcher } from '../../matching/record-matcher.js';
import { END_OF_TIME } from '../../replay/event-log.js';
import {
  isDataDirectory,
  type OpenedLocation,
  openGraphLocation,
  parseGraphLocation,
} from '../../replay/graph-location.js';
import { replayConfig, RulesFileError, rulesEnvironment } from '../../replay/replay-rules.js';
import {
  prepareTarget,
  replay,
  type ReplayProgress,
  type ReplayReport,
  ReplayTargetError,
} from '../../replay/replay-runner.js';
import {
  type ConfiguredResolver,
  createResolverFromConfig,
} from '../../resolver/resolver-factory.js';
import { CliError, type CliContext, connectGraph, ExitCode } from '../cli-context.js';
import { startProgressDisplay } from '../progress-display.js';
import { replayProgressView } from '../replay-progress.js';
import { formatReplaySummary } from '../replay-summary.js';

/**
 * `idgraph replay --target <uri | data dir>`: rebuilds the configured graph's event log into
 * another, empty graph through a resolver with other rules (`--rules`) or another model
 * (`--model`), for `idgraph diff` to compare before a cutover (src/replay/). A data directory gets
 * the embedded Neo4j started on it for the run and stopped after; the store stays there.
 */

export interface ReplayCommandOptions {
  target: string;
  rules?: string | undefined;
  model?: string | undefined;
  until?: string | undefined;
  force: boolean;
  batchSize: number;
  progress: boolean;
  progressInterval: number;
  json: boolean;
}

const usage = (message: string) => new CliError(message, ExitCode.usage);

/** The config the replay resolves with: the environment with the rules file and model over it. */
async function configOf(ctx: CliContext, options: ReplayCommandOptions): Promise<Config> {
  let rules: Record<string, string | undefined> = {};
  if (options.rules !== undefined) {
    let raw: unknown;
    try {
      raw = JSON.parse(await readFile(options.rules, 'utf8'));
    } catch (error) {
      const code = (error as { code?: string }).code;
      throw usage(`--rules ${options.rules}: ${code ? `cannot read (${code})` : 'not valid JSON'}`);
    }
    try {
      rules = rulesEnvironment(raw);
    } catch (error) {
      if (error instanceof RulesFileError)
        throw usage(`--rules ${options.rules}: ${error.message}`);
      throw error;
    }
  }
  try {
    return replayConfig(ctx.io.env, rules, options.model);
  } catch (error) {
    if (error instanceof ConfigError) throw usage(`--rules / --model: ${error.message}`);
    throw error;
  }
}

function untilOf(raw: string | undefined): number {
  if (raw === undefined) return END_OF_TIME;
  const at = Date.parse(raw);
  if (!/^\d{4}-\d{2}-\d{2}/.test(raw) || Number.isNaN(at))
    throw usage('--until: an ISO-8601 time, e.g. 2026-03-01T00:00:00Z');
  return at;
}

export async function replayCommand(
  ctx: CliContext,
  options: ReplayCommandOptions,
): Promise<ExitCode> {
  const config = await configOf(ctx, options);
  const until = untilOf(options.until);
  const location = parseGraphLocation(options.target);
  if (location.kind === 'dir' && !isDataDirectory(location.dir))
    throw usage(`--target ${location.dir}: not a data directory (give a new or empty one)`);
  let matcher: RecordMatcher;
  try {
    matcher = await matcherFromConfig(config);
  } catch (error) {
    if (error instanceof ModelFileError) throw usage(error.message);
    throw error;
  }
  const source = await connectGraph(ctx);
  let opened: OpenedLocation | undefined;
  let target: Graph | undefined;
  let configured: ConfiguredResolver | undefined;
  try {
    // The built-in model: the version the source's u refresh made active, when it follows one.
    if (followsActiveModel(config))
      matcher = (await activeMatcher(source, config, ctx.logger))?.matcher ?? matcher;
    opened = await openGraphLocation(location, {
      heap: ctx.config.NEO4J_HEAP,
      pageCache: ctx.config.NEO4J_PAGECACHE,
      log: (line) => void ctx.io.stderr.write(`idgraph: ${line}\n`),
      signal: ctx.signal,
    });
    target = await connectGraph(ctx, opened.uri);
    try {
      await prepareTarget({ source, target, logger: ctx.logger }, options.force);
      configured = await createResolverFromConfig(config, {
        graph: target,
        logger: ctx.logger,
        matcher,
      });
    } catch (error) {
      if (error instanceof ReplayTargetError || error instanceof ModelVersionConflictError)
        throw usage(error.message);
      throw error;
    }
    const report = await run(ctx, options, { source, target, configured, until });
    const where = opened.dir ?? redactUri(opened.uri);
    ctx.io.stdout.write(
      options.json
        ? `${JSON.stringify({ target: where, ...report })}\n`
        : formatReplaySummary(report, where),
    );
    if (opened.dir && !options.json)
      ctx.io.stderr.write(
        `idgraph: the replayed graph is in ${opened.dir}: compare it with idgraph diff <graph> ${opened.dir}\n`,
      );
    return ExitCode.ok;
  } finally {
    configured?.close();
    await target?.close();
    await opened?.stop();
    await source.close();
  }
}

/** The replay itself, with its progress display. */
async function run(
  ctx: CliContext,
  options: ReplayCommandOptions,
  deps: { source: Graph; target: Graph; configured: ConfiguredResolver; until: number },
): Promise<ReplayReport> {
  let latest: ReplayProgress = { eventsDone: 0, eventsTotal: 0, batches: 0, elapsedMs: 0 };
  const progress = startProgressDisplay(
    ctx.io.stderr,
    replayProgressView(() => latest),
    {
      mode: !options.progress ? 'off' : ctx.io.stderr.isTTY ? 'bar' : 'lines',
      intervalMs: options.progressInterval * 1000,
    },
  );
  try {
    const report = await replay(
      {
        source: deps.source,
        target: deps.target,
        resolver: deps.configured.resolver,
        logger: ctx.logger,
      },
      {
        until: deps.until,
        batchSize: options.batchSize,
        pageSize: 5_000,
        onProgress: (p) => {
          if (ctx.signal.aborted) throw new CliError('interrupted', ExitCode.interrupted);
          latest = p;
        },
      },
    );
    progress.stop();
    return report;
  } catch (error) {
    progress.stop(false);
    throw error;
  }
}
