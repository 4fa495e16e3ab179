import type { Graph } from '../../graph/graph-client.js';
import { modelTemplate } from '../scoring/explanation.js';
import type { HashedTermFrequencies } from '../scoring/term-frequency-tables.js';
import {
  type ModelFile,
  ModelFileError,
  parseModelFile,
  serializeModelFile,
} from './model-file.js';

/**
 * The active model version in the graph: the version a u refresh last estimated from the graph's
 * records (src/matching/refresh/), recorded with everything a process needs to score with it, and
 * the pointer every process polls to switch to it (model-follower.ts).
 *
 * - `(:MatchModel {version, checksum, template, file, base, termFrequencyTables})`: the template
 *   explanations expand with, as for every version, and the whole model file (comparisons, m, u,
 *   lambda, blocking rules, `uSource`); no personal data.
 * - `(:TermFrequencies {version, attribute, hashes, shares})`: one per term-frequency attribute,
 *   the common values as keyed hashes (term-frequency-tables.ts). Kept for the active version and
 *   the one it replaced.
 * - `(:ActiveModel {name, version, base, graphRecords, sampled, pairs, estimatedAt, activatedAt})`:
 *   the pointer, one per refreshed model (`name`: {@link BUILT_IN_MODEL}); `graphRecords` is what
 *   the graph held when the estimate was made, which the next refresh compares with.
 */

/** The pointer's name for the built-in model: the only model refreshed from the graph. */
export const BUILT_IN_MODEL = 'built-in';

/** The active pointer and the graph's record count, as read together. */
export interface ActiveModelState {
  /** Records the graph holds now. */
  readonly records: number;
  readonly active?: ActiveVersion;
}

export interface ActiveVersion {
  readonly version: string;
  /** Version of the model whose u were replaced (the built-in model's version when estimated). */
  readonly base: string;
  /** Records the graph held when the estimate was made. */
  readonly graphRecords: number;
  /** Records the estimate was drawn from. */
  readonly sampled: number;
  readonly pairs: number;
  /** When the estimate was made, in ms since the epoch. */
  readonly estimatedAt: number;
}

/** The active version of `name` and the graph's record count: one cheap read. */
export async function readActiveModel(
  graph: Pick<Graph, 'query'>,
  name = BUILT_IN_MODEL,
): Promise<ActiveModelState> {
  const [row] = await graph.query<{
    records: number;
    version: string | null;
    base: string | null;
    graphRecords: number | null;
    sampled: number | null;
    pairs: number | null;
    estimatedAt: number | null;
  }>('read/active-model', { name });
  if (!row) return { records: 0 };
  const { records, version, base, graphRecords, sampled, pairs, estimatedAt } = row;
  if (version === null || base === null || estimatedAt === null) return { records };
  return {
    records,
    active: {
      version,
      base,
      graphRecords: graphRecords ?? 0,
      sampled: sampled ?? 0,
      pairs: pairs ?? 0,
      estimatedAt,
    },
  };
}

/** A recorded version as a process scores with it. */
export interface StoredModelVersion {
  readonly file: ModelFile;
  readonly termFrequencies: HashedTermFrequencies;
}

/**
 * A version recorded by {@link activateModelVersion}, or undefined when it has no model file (a
 * version only a template was recorded for) or its term-frequency tables are not all there (they
 * were pruned: a newer version is active). Throws `ModelFileError` when the stored file does not
 * parse.
 */
export async function readModelVersion(
  graph: Pick<Graph, 'query'>,
  version: string,
): Promise<StoredModelVersion | undefined> {
  const [row] = await graph.query<{
    file: string | null;
    expectedTables: number | null;
    tables: { attribute: string; hashes: number[]; shares: number[] }[];
  }>('read/model-version', { version });
  if (!row || row.file === null || row.tables.length !== (row.expectedTables ?? 0))
    return undefined;
  let json: unknown;
  try {
    json = JSON.parse(row.file);
  } catch (error) {
    throw new ModelFileError(`stored version ${version} is not JSON`, error);
  }
  const file = parseModelFile(json);
  const termFrequencies = Object.fromEntries(
    row.tables.map((t) => [t.attribute, { hashes: t.hashes, shares: t.shares }]),
  );
  return { file, termFrequencies };
}

export interface NewModelVersion {
  /** The model file: model (its version new), blocking rules, `uSource` of the estimate. */
  readonly file: ModelFile;
  readonly termFrequencies: HashedTermFrequencies;
  /** Version of the model whose u were replaced. */
  readonly base: string;
  /** Records the graph held when the estimate was made. */
  readonly graphRecords: number;
  /** Records the estimate was drawn from, random pairs counted, and when. */
  readonly sampled: number;
  readonly pairs: number;
  readonly estimatedAt: number;
}

/**
 * Records `next` and makes it the active version of {@link BUILT_IN_MODEL}, in one transaction, if
 * the active version is still `previous` (undefined: none); false when another refresh changed it
 * first (nothing is written then).
 */
export async function activateModelVersion(
  graph: Pick<Graph, 'query'>,
  previous: string | undefined,
  next: NewModelVersion,
  now = Date.now(),
): Promise<boolean> {
  const { model } = next.file;
  const { json, checksum } = modelTemplate(model);
  const rows = await graph.query<{ version: string }>('write/activate-model', {
    name: BUILT_IN_MODEL,
    previous: previous ?? null,
    version: model.version,
    checksum,
    template: json,
    file: serializeModelFile(next.file),
    base: next.base,
    tables: Object.entries(next.termFrequencies).map(([attribute, t]) => ({
      attribute,
      hashes: t.hashes,
      shares: t.shares,
    })),
    graphRecords: next.graphRecords,
    sampled: next.sampled,
    pairs: next.pairs,
    estimatedAt: next.estimatedAt,
    now,
  });
  return rows.length === 1;
}
