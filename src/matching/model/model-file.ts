import { readFile, rename, writeFile } from 'node:fs/promises';
import { z } from 'zod';
import { AppError } from '../../errors.js';
import type { BlockingRule } from '../records/blocking.js';
import { ADDRESS_MATCHES, type LevelPredicate } from '../scoring/comparison-levels.js';
import type { AttributeKind } from '../records/normalize-attributes.js';
import { assertValidModel, type FellegiSunterModel } from '../scoring/fellegi-sunter.js';

/**
 * The versioned model file: a trained (or hand-set) model plus the blocking rules it was trained
 * with, as JSON. `formatVersion` is the version of this file layout; `model.version` names the
 * parameters and is what explanations record. A file that does not parse, or whose parameters are
 * not probabilities, is rejected whole: a half-loaded model would score silently wrong.
 */

export const MODEL_FILE_FORMAT = 'idgraph/fellegi-sunter';
export const MODEL_FILE_FORMAT_VERSION = 1;

const probability = z.number().gt(0).lte(1);

const predicateSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('exact') }),
  z.object({ type: z.literal('jaroWinkler'), min: z.number().min(0).max(1) }),
  z.object({ type: z.literal('phonetic') }),
  z.object({ type: z.literal('levenshtein'), max: z.number().int().min(0) }),
  z.object({ type: z.literal('damerauLevenshtein'), max: z.number().int().min(0) }),
  z.object({ type: z.literal('dayMonthSwap') }),
  z.object({ type: z.literal('dateWithinDays'), days: z.number().int().min(0) }),
  z.object({ type: z.literal('yearWithin'), years: z.number().int().min(0) }),
  z.object({
    type: z.literal('swapped'),
    with: z.string().min(1),
    min: z.number().gt(0).lte(1).optional(),
  }),
  z.object({
    type: z.literal('address'),
    match: z.enum(ADDRESS_MATCHES),
    streetMin: z.number().min(0).max(1).optional(),
  }),
  z.object({ type: z.literal('else') }),
]) satisfies z.ZodType<LevelPredicate>;

const comparisonSchema = z.object({
  name: z.string().min(1).describe('Unique comparison name, shown in explanations'),
  attribute: z.string().min(1).describe('Normalised record attribute compared'),
  termFrequency: z.boolean().optional().describe('Term-frequency adjustment on the exact level'),
  levels: z
    .array(z.object({ when: predicateSchema, m: probability, u: probability }))
    .min(2)
    .describe('Ordered most similar first; the last level is else'),
});

/**
 * Where a model's u values come from, as `idgraph model show` reports it: the built-in values
 * (set by hand, for a national population), the values a model file gives (`file`: derived from
 * where it was loaded, never stored), or values estimated from the records of a graph (`estimated`:
 * `idgraph model train` writes it, and so does a refresh that estimates u from the graph). A file
 * without it gives its u values as they are.
 */
export type USource =
  | { readonly kind: 'default' }
  | { readonly kind: 'file'; readonly path: string }
  | {
      readonly kind: 'estimated';
      /** Records the estimate was drawn from. */
      readonly records: number;
      /** When, as an ISO 8601 time. */
      readonly at: string;
      /** Random record pairs counted, when known. */
      readonly pairs?: number;
    };

/** The provenance a model file may carry. */
export type StoredUSource = Exclude<USource, { kind: 'file' }>;

const uSourceSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('default') }),
  z.object({
    kind: z.literal('estimated'),
    records: z.number().int().min(0),
    at: z.iso.datetime({ offset: true }),
    pairs: z.number().int().min(0).optional(),
  }),
]) satisfies z.ZodType<StoredUSource>;

/** A model's u provenance: what its file says, else the file's (`path`) or the built-in values'. */
export function uSourceOf(file: Pick<ModelFile, 'uSource'>, path: string | undefined): USource {
  return file.uSource ?? (path === undefined ? { kind: 'default' } : { kind: 'file', path });
}

const blockingRuleSchema = z.object({
  name: z.string().regex(/^[A-Za-z0-9_]+$/),
  keys: z.array(z.string().min(1)).min(1),
  unordered: z.boolean().optional(),
}) satisfies z.ZodType<BlockingRule>;

export const modelFileSchema = z.object({
  format: z.literal(MODEL_FILE_FORMAT),
  formatVersion: z.literal(MODEL_FILE_FORMAT_VERSION),
  model: z.object({
    version: z.string().min(1).describe('Names these parameters; recorded in every explanation'),
    lambda: z.number().gt(0).lt(1).describe('Prior probability that two random records match'),
    comparisons: z.array(comparisonSchema).min(1),
  }),
  blockingRules: z.array(blockingRuleSchema).optional(),
  attributeKinds: z
    .record(z.string(), z.enum(['name', 'text', 'code', 'date', 'gender']))
    .optional()
    .describe('How extra attributes (beyond the standard ones) are normalised; default code'),
  mode: z
    .enum(['dedupe', 'link'])
    .optional()
    .describe('link: only records of different sources are compared (each source is clean)'),
  termFrequencies: z
    .record(z.string(), z.record(z.string(), z.number().gt(0).lte(1)))
    .optional()
    .describe(
      'attribute -> value -> share of records; only values common enough not to identify anyone',
    ),
  uSource: uSourceSchema.optional().describe('Where the u values come from'),
  /** Free-form provenance: when and on what the model was trained, EM sessions, etc. */
  training: z.record(z.string(), z.unknown()).optional(),
});

export interface ModelFile {
  readonly model: FellegiSunterModel;
  readonly blockingRules?: readonly BlockingRule[];
  readonly attributeKinds?: Readonly<Record<string, AttributeKind>>;
  readonly mode?: 'dedupe' | 'link';
  readonly termFrequencies?: Readonly<Record<string, Readonly<Record<string, number>>>>;
  readonly uSource?: StoredUSource;
  readonly training?: Readonly<Record<string, unknown>>;
}

export class ModelFileError extends AppError {
  constructor(reason: string, cause?: unknown) {
    super(`model file rejected: ${reason}`, 500, 'MODEL_FILE_INVALID');
    if (cause !== undefined) this.cause = cause;
  }
}

/** Validates parsed JSON; throws {@link ModelFileError} listing every problem. */
export function parseModelFile(input: unknown): ModelFile {
  const parsed = modelFileSchema.safeParse(input);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (i) => `${i.path.join('.') || '(root)'}: ${i.message}`,
    );
    throw new ModelFileError(problems.join('; '), parsed.error);
  }
  const { model, blockingRules, training, attributeKinds, mode, termFrequencies, uSource } =
    parsed.data;
  try {
    assertValidModel(model);
  } catch (error) {
    throw new ModelFileError(error instanceof Error ? error.message : 'invalid model', error);
  }
  return {
    model,
    ...(blockingRules === undefined ? {} : { blockingRules }),
    ...(attributeKinds === undefined ? {} : { attributeKinds }),
    ...(mode === undefined ? {} : { mode }),
    ...(termFrequencies === undefined ? {} : { termFrequencies }),
    ...(uSource === undefined ? {} : { uSource }),
    ...(training === undefined ? {} : { training }),
  };
}

/** Stable, human-diffable JSON (two-space indent, trailing newline). */
export function serializeModelFile(file: ModelFile): string {
  assertValidModel(file.model);
  const body = {
    format: MODEL_FILE_FORMAT,
    formatVersion: MODEL_FILE_FORMAT_VERSION,
    model: file.model,
    ...(file.blockingRules === undefined ? {} : { blockingRules: file.blockingRules }),
    ...(file.attributeKinds === undefined ? {} : { attributeKinds: file.attributeKinds }),
    ...(file.mode === undefined ? {} : { mode: file.mode }),
    ...(file.termFrequencies === undefined ? {} : { termFrequencies: file.termFrequencies }),
    ...(file.uSource === undefined ? {} : { uSource: file.uSource }),
    ...(file.training === undefined ? {} : { training: file.training }),
  };
  return `${JSON.stringify(body, null, 2)}\n`;
}

export async function loadModelFile(path: string): Promise<ModelFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ModelFileError('cannot be read', error);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ModelFileError('is not JSON', error);
  }
  return parseModelFile(json);
}

/** Writes atomically (temporary file, then rename), so a reader never sees half a model. */
export async function saveModelFile(path: string, file: ModelFile): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, serializeModelFile(file), 'utf8');
  await rename(temporary, path);
}
