import type { BlockingRule } from '../matching/records/blocking.js';
import { levelLabel } from '../matching/scoring/comparison-levels.js';
import { DEFAULT_BLOCKING_RULES } from '../matching/model/default-model.js';
import type { TrainingReport } from '../matching/training/train-model.js';
import { levelWeight, priorWeight } from '../matching/scoring/fellegi-sunter.js';
import type { ModelFile, USource } from '../matching/model/model-file.js';
import { formatCount, formatDuration, printable, table } from './format.js';

/**
 * Plain-text rendering of `idgraph model show` and `idgraph model train`. Pure, so what a person
 * reads is unit-tested. A model file holds names, rules and numbers, plus (in `termFrequencies`)
 * common attribute values: those are personal data and never rendered, only counted. Text from the
 * file goes through {@link printable}, since a hand-edited file could hold control characters.
 */

/** `0.8000`, `0.0015`; below 0.001 in exponent form (`5.00e-5`), where the size is what matters. */
export function formatProbability(p: number): string {
  return p >= 0.001 ? p.toFixed(4) : p.toExponential(2);
}

/** Bits with a sign and two decimals: `+6.32`, `-4.90`, `+0.00`. */
export function formatWeight(bits: number): string {
  const rounded = Number(bits.toFixed(2));
  return `${rounded >= 0 ? '+' : ''}${(rounded === 0 ? 0 : rounded).toFixed(2)}`;
}

/** {@link table} with the given columns right-aligned (numbers line up on their last digit). */
export function alignedTable(
  rows: readonly (readonly string[])[],
  rightAligned: ReadonlySet<number>,
): string {
  const widths: number[] = [];
  for (const row of rows)
    row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return table(
    rows.map((row) =>
      row.map((cell, i) => (rightAligned.has(i) ? cell.padStart(widths[i]!) : cell)),
    ),
  );
}

function describeRule(rule: BlockingRule): string {
  return `${rule.keys.join(' + ')}${rule.unordered ? ' (any order)' : ''}`;
}

/** The training provenance a model file carries, as far as it has the usual fields. */
function describeTraining(training: Readonly<Record<string, unknown>>): string | undefined {
  const parts: string[] = [];
  if (typeof training.trainedAt === 'string') parts.push(training.trainedAt);
  if (typeof training.records === 'number')
    parts.push(`on ${formatCount(training.records)} records`);
  const details: string[] = [];
  if (typeof training.seed === 'number') details.push(`seed ${training.seed}`);
  if (typeof training.startedFrom === 'string')
    details.push(`comparisons of ${training.startedFrom}`);
  if (details.length > 0) parts.push(`(${details.join(', ')})`);
  return parts.length === 0 ? undefined : printable(parts.join(' '));
}

/** Where a model's u values come from, in a line. */
export function describeUSource(source: USource): string {
  switch (source.kind) {
    case 'default':
      return 'built-in values, set by hand to be conservative for a regional customer base (not estimated from data)';
    case 'file':
      return printable(`as given in the model file ${source.path}`);
    case 'estimated':
      return printable(
        `estimated from ${formatCount(source.records)} records at ${source.at}` +
          (source.pairs === undefined ? '' : ` (${formatCount(source.pairs)} random pairs)`),
      );
  }
}

/**
 * The model as `idgraph model show` prints it: version and origin, lambda and its prior weight,
 * where the u values come from (`uSource`, else what the file says), mode, provenance, blocking
 * rules, one table row per comparison level (m, u and the weight log2(m/u) in bits), and which
 * comparisons adjust their exact level by term frequency.
 */
export function formatModel(
  file: ModelFile,
  origin: string,
  uSource: USource | undefined = file.uSource,
  /** Values per term-frequency attribute, where the tables are stored apart from the file (hashed). */
  termFrequencyCounts?: Readonly<Record<string, number>>,
): string {
  const { model } = file;
  const fields: string[][] = [
    ['model', printable(model.version)],
    ['source', printable(origin)],
    [
      'lambda',
      `${formatProbability(model.lambda)} (prior weight ${formatWeight(priorWeight(model.lambda))} bits)`,
    ],
    ...(uSource === undefined ? [] : [['u', describeUSource(uSource)]]),
    [
      'mode',
      file.mode === 'link'
        ? 'link: only records of different sources are compared'
        : 'dedupe: any two records are compared',
    ],
  ];
  const training = file.training && describeTraining(file.training);
  if (training) fields.push(['trained', training]);
  const kinds = Object.entries(file.attributeKinds ?? {});
  if (kinds.length > 0)
    fields.push([
      'attribute kinds',
      printable(kinds.map(([attribute, kind]) => `${attribute}: ${kind}`).join(', ')),
    ]);

  const rules = file.blockingRules ?? DEFAULT_BLOCKING_RULES;
  const blocking = `blocking rules (${
    file.blockingRules === undefined ? 'none in the file, so the built-in ones; ' : ''
  }a pair is scored when both records share a key; earlier rules first)\n${table(
    rules.map((rule) => ['', printable(rule.name), printable(describeRule(rule))]),
  )}`;

  const showAttribute = model.comparisons.some((c) => c.attribute !== c.name);
  const rows: string[][] = [
    [
      'COMPARISON',
      ...(showAttribute ? ['ATTRIBUTE'] : []),
      'LEVEL',
      'M',
      'U',
      'WEIGHT (bits)',
      'TF',
    ],
  ];
  for (const comparison of model.comparisons) {
    comparison.levels.forEach((level, index) => {
      const first = index === 0;
      rows.push([
        first ? printable(comparison.name) : '',
        ...(showAttribute ? [first ? printable(comparison.attribute) : ''] : []),
        printable(levelLabel(level.when)),
        formatProbability(level.m),
        formatProbability(level.u),
        formatWeight(levelWeight(level.m, level.u)),
        comparison.termFrequency && level.when.type === 'exact' ? 'tf' : '',
      ]);
    });
  }
  const numeric = showAttribute ? new Set([3, 4, 5]) : new Set([2, 3, 4]);

  const tfComparisons = model.comparisons.filter((c) => c.termFrequency);
  const tfLines =
    tfComparisons.length === 0
      ? 'term frequencies: none (no comparison adjusts for how common a value is)'
      : `term frequencies (tf: the exact level's u is the value's own share of records)\n${table(
          tfComparisons.map((c) => {
            const stored =
              termFrequencyCounts?.[c.attribute] ??
              Object.keys(file.termFrequencies?.[c.attribute] ?? {}).length;
            return [
              '',
              printable(c.name),
              stored === 0
                ? 'no values stored: the level u applies to every value'
                : `${formatCount(stored)} common value${stored === 1 ? '' : 's'} stored; rarer ones use the level u`,
            ];
          }),
        )}`;

  return `${table(fields)}\n\n${blocking}\n\n${alignedTable(rows, numeric)}\n\n${tfLines}\n`;
}

/** What `idgraph model train` did, for {@link formatTrainingSummary}. Names and counts only. */
export interface TrainingSummary {
  /** Absolute path of the written file. */
  readonly out: string;
  readonly version: string;
  readonly startedFrom: string;
  readonly records: number;
  /** Records whose stored values could not be read. */
  readonly skipped: number;
  readonly lambda: number;
  readonly deterministicPairs: number;
  readonly recall: number;
  readonly uPairs: number;
  /** u came from every pair, there being fewer than the random pairs asked for. */
  readonly allPairs: boolean;
  readonly seed: number;
  readonly sessions: TrainingReport['sessions'];
  /** Every term-frequency attribute of the model, with the number of values kept (0: none). */
  readonly termFrequencyValues: Readonly<Record<string, number>>;
  readonly minTermFrequencyCount: number;
  readonly withoutData: readonly string[];
  readonly readMs: number;
  readonly trainMs: number;
}

/** A path as a shell word: as is when it needs no quoting, in single quotes otherwise. */
export function shellWord(text: string): string {
  return /^[A-Za-z0-9_./:@%+=,-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}

export function formatTrainingSummary(s: TrainingSummary): string {
  const converged = s.sessions.filter((session) => session.converged).length;
  const fields: string[][] = [
    [
      'records',
      `${formatCount(s.records)} (read in ${formatDuration(s.readMs)})${
        s.skipped > 0 ? `; ${formatCount(s.skipped)} with unreadable values skipped` : ''
      }`,
    ],
    [
      'model',
      printable(`${s.version}, trained in ${formatDuration(s.trainMs)} from ${s.startedFrom}`),
    ],
    [
      'lambda',
      `${formatProbability(s.lambda)} (prior weight ${formatWeight(priorWeight(s.lambda))} bits): ` +
        `${formatCount(s.deterministicPairs)} pairs share names and date of birth, assumed recall ${s.recall}`,
    ],
    [
      'u',
      s.allPairs
        ? `every pair of records (${formatCount(s.uPairs)}): fewer than --u-pairs`
        : `${formatCount(s.uPairs)} random pairs (seed ${s.seed})`,
    ],
    [
      'EM sessions',
      `${s.sessions.length}, ${converged} converged (one per blocking rule; MATCHES: estimated share of matches among its pairs)`,
    ],
  ];
  const sessions =
    s.sessions.length === 0
      ? ''
      : `\n${alignedTable(
          [
            ['', 'RULE', 'PAIRS', 'ITERATIONS', 'CONVERGED', 'MATCHES'],
            ...s.sessions.map((session) => [
              '',
              printable(session.rule),
              formatCount(session.pairs),
              String(session.iterations),
              session.converged ? 'yes' : 'no',
              `${(session.lambda * 100).toFixed(1)}%`,
            ]),
          ],
          new Set([2, 3, 5]),
        )}\n`;
  const tf = Object.entries(s.termFrequencyValues);
  const after: string[][] = [];
  if (tf.length > 0)
    after.push([
      'term frequencies',
      `${tf
        .map(([attribute, count]) => `${printable(attribute)} ${formatCount(count)}`)
        .join(', ')} values (held by at least ${s.minTermFrequencyCount} records each)`,
    ]);
  if (s.withoutData.length > 0)
    after.push([
      'no data',
      `${printable(s.withoutData.join(', '))}: no record has the attribute; starting values kept`,
    ]);
  after.push(['written', printable(s.out)]);
  const out = printable(shellWord(s.out));
  return (
    `${table(fields)}\n${sessions}\n${table(after)}\n\n` +
    `next: review it with \`idgraph model show --file ${out}\`; then set\n` +
    `      MATCH_MODEL_FILE=${out} for the service and the CLI,\n` +
    `      and run \`idgraph model rescore\` to re-score existing probabilistic links with it.\n`
  );
}
