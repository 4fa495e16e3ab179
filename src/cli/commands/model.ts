import { access, constants, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import type { Config } from '../../config.js';
import type { Graph } from '../../graph/graph-client.js';
import { compileBlockingRules } from '../../matching/records/blocking.js';
import { DEFAULT_BLOCKING_RULES, DEFAULT_MODEL } from '../../matching/model/default-model.js';
import { activeModelVersion, followsActiveModel } from '../../matching/model/model-follower.js';
import { termFrequencyAttributes } from '../../matching/scoring/fellegi-sunter.js';
import {
  loadModelFile,
  type ModelFile,
  ModelFileError,
  saveModelFile,
  serializeModelFile,
  type USource,
  uSourceOf,
} from '../../matching/model/model-file.js';
import {
  type ActiveModel,
  DEFAULT_MIN_TERM_FREQUENCY_COUNT,
  MIN_TRAINING_RECORDS,
  TrainingDataError,
  trainModelFile,
  uForTraining,
} from '../../matching/training/model-training.js';
import type { MatchRecord } from '../../matching/records/normalize-attributes.js';
import {
  collectTrainingRecords,
  type StoredRecordRow,
} from '../../matching/records/stored-record.js';
import { CliError, type CliContext, connectGraph, ExitCode } from '../cli-context.js';
import { formatCount, formatDuration, printable } from '../format.js';
import { formatModel, formatTrainingSummary, type TrainingSummary } from '../model-summary.js';
import { fraction, integer } from '../option-parsers.js';
import { modelRescoreCommand } from './model-rescore.js';
import { RESCORE_CONCURRENCY, RESCORE_PAGE_SIZE } from '../../resolver/rescoring/rescore.js';

/**
 * `idgraph model <subcommand>`: the probabilistic matching model (Fellegi–Sunter).
 * - `show`: the active model (MATCH_MODEL_FILE, else the built-in one, or the version of it a u
 *   refresh estimated from the graph) or a given file;
 * - `train`: a new model file trained on the records in the graph;
 * - `rescore`: the graph scored again with the active model (model-rescore.ts).
 * The active model is resolved as the service resolves it (`createRecordMatcher`): the file's
 * model and blocking rules, the built-in ones where the file has none.
 *
 * Records hold personal data: they are read into memory for training and never printed; the
 * output names comparisons and rules and counts things.
 */

export interface ModelCommandHooks {
  /** The context of the (sub)command being run: environment, global options, signal. */
  context(command: Command): CliContext;
  /** Sets the exit code `runCli` returns. */
  exit(code: ExitCode): void;
}

export interface ModelShowOptions {
  file?: string | undefined;
  json: boolean;
}

export interface ModelTrainOptions {
  out: string;
  modelVersion?: string | undefined;
  seed: number;
  uPairs: number;
  recall: number;
  minTfCount: number;
}

/** As Splink's examples: a million random pairs pin u down well. */
const DEFAULT_U_PAIRS = 1_000_000;
/** Typical for person data: a fifth of duplicates differ in a name or the birth date. */
const DEFAULT_RECALL = 0.8;
/** Records read per query. */
const PAGE_SIZE = 5_000;
/** Between progress lines on stderr; a graph read faster than this shows none. */
const PROGRESS_INTERVAL_MS = 5_000;

/**
 * Registers `model` and its subcommands on the program. Subcommands are made with `.command()`, so
 * they inherit the program's output, exit and help settings; a new one (`rescore`) goes here too.
 */
export function registerModelCommand(program: Command, hooks: ModelCommandHooks): Command {
  // Each subcommand runs in its own context and sets the exit code runCli returns.
  const run =
    <O>(command: (ctx: CliContext, options: O) => Promise<ExitCode>) =>
    async (options: O, self: Command) =>
      hooks.exit(await command(hooks.context(self), options));
  const model = program
    .command('model')
    .description('show or train the probabilistic matching model (Fellegi–Sunter)');

  model
    .command('show')
    .description(
      'print the active model (MATCH_MODEL_FILE, else the built-in one): lambda, blocking rules, m, u and weight per level',
    )
    .option('--file <path>', 'show this model file instead')
    .option('--json', 'print the model file JSON', false)
    .action(run(modelShowCommand));

  model
    .command('train')
    .description(
      'train a model on the records in the graph, starting from the active model, and write it to a file',
    )
    .requiredOption('--out <path>', 'where to write the model file')
    // Not `--version`: commander takes the program's `-V, --version` wherever it appears.
    .option(
      '--model-version <name>',
      'version of the new model, recorded in every explanation (default: trained-<UTC time>)',
    )
    .option('--seed <n>', 'seed of the random pair sampling', integer(0, 2 ** 32 - 1), 1)
    .option(
      '--u-pairs <n>',
      'random pairs for estimating u',
      integer(1_000, 100_000_000),
      DEFAULT_U_PAIRS,
    )
    .option(
      '--recall <r>',
      'share of true matches assumed to share names and date of birth exactly, for lambda',
      fraction,
      DEFAULT_RECALL,
    )
    .option(
      '--min-tf-count <k>',
      'keep a term-frequency value only when at least k records hold it',
      integer(1, 1_000_000_000),
      DEFAULT_MIN_TERM_FREQUENCY_COUNT,
    )
    .action(run(modelTrainCommand));

  model
    .command('rescore')
    .description(
      're-score the graph with the active model: links of older model versions kept or withdrawn (persons split), every record scored again (persons merged, reviews queued); all audited',
    )
    .option(
      '--page-size <n>',
      'records or links per transaction',
      integer(1, 5_000),
      RESCORE_PAGE_SIZE,
    )
    .option(
      '--concurrency <n>',
      'transactions in flight at once',
      integer(1, 64),
      RESCORE_CONCURRENCY,
    )
    .option('--no-progress', 'no progress display on stderr')
    .option(
      '--progress-interval <seconds>',
      'between progress lines when stderr is not a terminal',
      integer(1, 3600),
      5,
    )
    .option('--json', 'print the summary as one JSON object', false)
    .action(run(modelRescoreCommand));

  return model;
}

interface LoadedModel {
  /** As stored (for `--json`): blocking rules only when the file has them. */
  readonly file: ModelFile;
  /** With the blocking rules that apply. */
  readonly active: ActiveModel;
  readonly origin: string;
  /** Where its u values come from. */
  readonly uSource: USource;
}

async function loadModel(path: string, what: string): Promise<LoadedModel> {
  let file: ModelFile;
  try {
    file = await loadModelFile(path);
  } catch (error) {
    if (!(error instanceof ModelFileError)) throw error;
    const code = (error.cause as { code?: unknown } | undefined)?.code;
    throw new CliError(
      printable(`${what}: ${error.message}${typeof code === 'string' ? ` (${code})` : ''}`),
      ExitCode.usage,
    );
  }
  const blockingRules = file.blockingRules ?? DEFAULT_BLOCKING_RULES;
  try {
    compileBlockingRules(blockingRules);
  } catch (error) {
    throw new CliError(
      printable(`${what}: ${error instanceof Error ? error.message : 'invalid blocking rules'}`),
      ExitCode.usage,
    );
  }
  return { file, active: { ...file, blockingRules }, origin: what, uSource: uSourceOf(file, path) };
}

/** The model the service runs with this configuration, or the file given. */
async function resolveModel(config: Config, path: string | undefined): Promise<LoadedModel> {
  if (path !== undefined) return loadModel(path, `--file ${path}`);
  if (config.MATCH_MODEL_FILE !== undefined)
    return loadModel(config.MATCH_MODEL_FILE, `MATCH_MODEL_FILE ${config.MATCH_MODEL_FILE}`);
  const uSource = { kind: 'default' } as const;
  const file: ModelFile = { model: DEFAULT_MODEL, blockingRules: DEFAULT_BLOCKING_RULES, uSource };
  return {
    file,
    active: { ...file, blockingRules: DEFAULT_BLOCKING_RULES },
    origin: 'built-in default; MATCH_MODEL_FILE is not set',
    uSource,
  };
}

/**
 * What `model show` shows: the file given, else what the service scores with: MATCH_MODEL_FILE,
 * else the built-in model, or the version a u refresh estimated from the graph's records when
 * the service follows one (read from the graph; the built-in values, said so on stderr, when the
 * graph does not answer).
 */
async function shownModel(
  ctx: CliContext,
  path: string | undefined,
): Promise<LoadedModel & { termFrequencyCounts?: Readonly<Record<string, number>> }> {
  const loaded = await resolveModel(ctx.config, path);
  if (path !== undefined || !followsActiveModel(ctx.config)) return loaded;
  let graph: Graph;
  try {
    graph = await connectGraph(ctx);
  } catch (error) {
    if (!(error instanceof CliError) || error.exitCode !== ExitCode.unavailable) throw error;
    ctx.io.stderr.write(
      `${error.message}
showing the built-in values: the service may score with u estimated from the graph's records (MATCH_U_REFRESH)
`,
    );
    return loaded;
  }
  try {
    const stored = await activeModelVersion(graph, ctx.logger);
    if (!stored) return loaded;
    return {
      file: stored.file,
      active: { ...stored.file, blockingRules: DEFAULT_BLOCKING_RULES },
      origin:
        "built-in model with u and term frequencies estimated from the graph's records (MATCH_U_REFRESH); MATCH_MODEL_FILE is not set",
      uSource: stored.file.uSource ?? { kind: 'default' },
      termFrequencyCounts: Object.fromEntries(
        Object.entries(stored.termFrequencies).map(([attribute, t]) => [
          attribute,
          t.hashes.length,
        ]),
      ),
    };
  } finally {
    await graph.close();
  }
}

export async function modelShowCommand(
  ctx: CliContext,
  options: ModelShowOptions,
): Promise<ExitCode> {
  const { file, origin, uSource, termFrequencyCounts } = await shownModel(ctx, options.file);
  ctx.io.stdout.write(
    options.json
      ? serializeModelFile(file)
      : formatModel(file, origin, uSource, termFrequencyCounts),
  );
  return ExitCode.ok;
}

/** `trained-20260301T101500Z`: sorts by time, and names no data. */
function defaultVersion(at: Date): string {
  return `trained-${at
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z')}`;
}

/** The absolute output path, after checking it can be written (before anything is read). */
async function writablePath(out: string): Promise<string> {
  const path = resolve(out);
  const info = await stat(path).catch(() => undefined);
  if (info?.isDirectory())
    throw new CliError(printable(`--out ${out} is a directory`), ExitCode.usage);
  try {
    await access(dirname(path), constants.W_OK);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    throw new CliError(
      printable(
        `--out: cannot write in ${dirname(path)}${typeof code === 'string' ? ` (${code})` : ''}`,
      ),
      ExitCode.usage,
    );
  }
  return path;
}

/**
 * Every Record in the graph, page by page in key order. Holds them all in memory: training needs
 * random pairs over the whole set. A progress line goes to stderr every few seconds.
 */
async function readRecords(
  graph: Graph,
  ctx: CliContext,
): Promise<{ records: MatchRecord[]; skipped: number; progressShown: boolean }> {
  const records: MatchRecord[] = [];
  let skipped = 0;
  let after = '';
  const started = performance.now();
  let lastLine = started;
  let progressShown = false;
  for (;;) {
    if (ctx.signal.aborted) throw new CliError('interrupted', ExitCode.interrupted);
    const rows = await graph.query<StoredRecordRow>('read/records-page', {
      after,
      limit: PAGE_SIZE,
    });
    skipped += collectTrainingRecords(rows, records);
    if (rows.length < PAGE_SIZE) break;
    after = rows[rows.length - 1]!.key;
    const now = performance.now();
    if (now - lastLine >= PROGRESS_INTERVAL_MS) {
      ctx.io.stderr.write(
        `reading records: ${formatCount(records.length)} so far (${formatDuration(now - started)})\n`,
      );
      lastLine = now;
      progressShown = true;
    }
  }
  return { records, skipped, progressShown };
}

export async function modelTrainCommand(
  ctx: CliContext,
  options: ModelTrainOptions,
): Promise<ExitCode> {
  const trainedAt = new Date();
  const version = options.modelVersion ?? defaultVersion(trainedAt);
  if (!/^[\x21-\x7e]{1,100}$/.test(version)) {
    throw new CliError(
      '--model-version: 1 to 100 printable ASCII characters, no spaces',
      ExitCode.usage,
    );
  }
  const { active, origin } = await resolveModel(ctx.config, undefined);
  if (version === active.model.version) {
    throw new CliError(
      printable(
        `--model-version ${version} names the active model (${origin}); a new model needs a new name`,
      ),
      ExitCode.usage,
    );
  }
  const out = await writablePath(options.out);

  const readStarted = performance.now();
  const graph = await connectGraph(ctx);
  let read: Awaited<ReturnType<typeof readRecords>>;
  try {
    read = await readRecords(graph, ctx);
  } finally {
    await graph.close();
  }
  const readMs = performance.now() - readStarted;
  if (ctx.signal.aborted) throw new CliError('interrupted', ExitCode.interrupted);
  if (read.records.length < MIN_TRAINING_RECORDS) {
    throw new CliError(
      `the graph holds ${formatCount(read.records.length)} records with attributes; training needs at least ${MIN_TRAINING_RECORDS}`,
      ExitCode.usage,
    );
  }
  if (read.progressShown) {
    ctx.io.stderr.write(
      `read ${formatCount(read.records.length)} records in ${formatDuration(readMs)}; training\n`,
    );
  }

  const trainStarted = performance.now();
  let result: ReturnType<typeof trainModelFile>;
  try {
    const u = await uForTraining(read.records, active, options);
    result = trainModelFile(read.records, active, {
      version,
      seed: options.seed,
      uPairs: options.uPairs,
      recall: options.recall,
      minTermFrequencyCount: options.minTfCount,
      trainedAt,
      u,
    });
  } catch (error) {
    if (error instanceof TrainingDataError) throw new CliError(error.message, ExitCode.usage);
    throw error;
  }
  const trainMs = performance.now() - trainStarted;

  // u comes from random pairs of the records read: the file says so (`idgraph model show`).
  const file: ModelFile = {
    ...result.file,
    uSource: {
      kind: 'estimated',
      records: read.records.length,
      at: trainedAt.toISOString(),
      pairs: result.report.uPairs,
    },
  };
  try {
    await saveModelFile(out, file);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    throw new CliError(
      printable(`cannot write ${out}${typeof code === 'string' ? ` (${code})` : ''}`),
      ExitCode.usage,
    );
  }

  const summary: TrainingSummary = {
    out,
    version,
    startedFrom: active.model.version,
    records: read.records.length,
    skipped: read.skipped,
    lambda: result.file.model.lambda,
    deterministicPairs: result.deterministicPairs,
    recall: options.recall,
    uPairs: result.report.uPairs,
    allPairs: result.report.uPairs < options.uPairs,
    seed: options.seed,
    sessions: result.report.sessions,
    termFrequencyValues: Object.fromEntries(
      termFrequencyAttributes(result.file.model).map((attribute) => [
        attribute,
        result.termFrequencyValues[attribute] ?? 0,
      ]),
    ),
    minTermFrequencyCount: options.minTfCount,
    withoutData: result.withoutData,
    readMs,
    trainMs,
  };
  ctx.io.stdout.write(formatTrainingSummary(summary));
  return ExitCode.ok;
}
