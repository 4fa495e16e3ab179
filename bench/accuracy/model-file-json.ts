import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BlockingRule } from '../../src/matching/records/blocking.js';
import {
  type FellegiSunterModel,
  type TermFrequencies,
  termFrequencyAttributes,
} from '../../src/matching/scoring/fellegi-sunter.js';
import {
  MODEL_FILE_FORMAT,
  MODEL_FILE_FORMAT_VERSION,
} from '../../src/matching/model/model-file.js';
import { commonTermFrequencies } from '../../src/matching/training/model-training.js';
import type {
  AttributeKind,
  MatchRecord,
} from '../../src/matching/records/normalize-attributes.js';
import type { EvaluationMode } from '../datasets/evaluate.js';
import type { EventWorkload } from '../workloads/event-workload.js';

/**
 * The model file the service loads (format of src/matching/model/model-file.ts), with the blocking rules,
 * the kinds of extra attributes and the matching mode of the data set. Written as plain JSON here
 * so that the fields the service reads are visible in one place.
 */
export function modelFileJson(file: {
  model: FellegiSunterModel;
  blockingRules: readonly BlockingRule[];
  attributeKinds: Readonly<Record<string, AttributeKind>>;
  mode: EvaluationMode;
  termFrequencies: TermFrequencyTables | undefined;
  training: Record<string, unknown>;
}): string {
  const body = {
    format: MODEL_FILE_FORMAT,
    formatVersion: MODEL_FILE_FORMAT_VERSION,
    model: file.model,
    blockingRules: file.blockingRules,
    attributeKinds: file.attributeKinds,
    mode: file.mode,
    ...(file.termFrequencies === undefined ? {} : { termFrequencies: file.termFrequencies.file }),
    training: file.training,
  };
  return `${JSON.stringify(body, null, 2)}\n`;
}

export interface TermFrequencyTables {
  /** The model file's `termFrequencies`: attribute -> value -> share of the records holding a value. */
  readonly file: Record<string, Record<string, number>>;
  /** The same, as scoring takes it. */
  readonly tables: TermFrequencies;
  /** Values kept, over all attributes. */
  readonly values: number;
}

/**
 * Term-frequency tables of the model's term-frequency attributes, computed as offline-eval and
 * Splink compute them (share among the records that hold a value), keeping only values held by at
 * least `minCount` records. The service reads term frequencies only from its model file: a value
 * not in the table is scored without adjustment.
 */
export function termFrequencyTables(
  records: readonly MatchRecord[],
  model: FellegiSunterModel,
  minCount: number,
): TermFrequencyTables {
  // The same tables `idgraph model train` writes (values held by fewer than minCount are left out).
  const file = commonTermFrequencies(records, termFrequencyAttributes(model), minCount);
  const tables: Record<string, ReadonlyMap<string, number>> = {};
  let values = 0;
  for (const [attribute, table] of Object.entries(file)) {
    tables[attribute] = new Map(Object.entries(table));
    values += Object.keys(table).length;
  }
  return { file, tables, values };
}

/**
 * The model file the service under test loads, written to `dir` as `<name>.model.json`, with the
 * workload's attribute kinds and mode; returns its path.
 */
export function writeModelFile(
  dir: string,
  name: string,
  model: FellegiSunterModel,
  blockingRules: readonly BlockingRule[],
  workload: EventWorkload,
  termFrequencies: TermFrequencyTables | undefined,
  training: Record<string, unknown>,
): string {
  const path = join(dir, `${name}.model.json`);
  writeFileSync(
    path,
    modelFileJson({
      model,
      blockingRules,
      attributeKinds: workload.attributeKinds,
      mode: workload.mode,
      termFrequencies,
      training,
    }),
  );
  return path;
}

/**
 * The model file's term-frequency tables as --tf asks: values held by at least `minCount` records,
 * or none when `minCount` is undefined.
 */
export const modelTermFrequencies = (
  records: readonly MatchRecord[],
  model: FellegiSunterModel,
  minCount: number | undefined,
) => (minCount === undefined ? undefined : termFrequencyTables(records, model, minCount));
