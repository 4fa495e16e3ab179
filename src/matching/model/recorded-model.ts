import type { Graph } from '../../graph/graph-client.js';
import { modelTemplate } from '../scoring/explanation.js';
import type { FellegiSunterModel } from '../scoring/fellegi-sunter.js';

/**
 * Another model was recorded in the graph under this model's version: explanations stored by the
 * two could not be told apart, so a process refuses to start with it.
 */
export class ModelVersionConflictError extends Error {
  constructor(readonly version: string) {
    super(
      `matching model version "${version}" is recorded in the graph with other parameters; ` +
        'give this model a version of its own (the "version" field of the model file)',
    );
    this.name = 'ModelVersionConflictError';
  }
}

/**
 * Records the model's template in the graph (once per version) and checks that the version is
 * this model's: run by every process that scores pairs, before it scores any.
 */
export async function recordModel(
  graph: Pick<Graph, 'query'>,
  model: FellegiSunterModel,
  now = Date.now(),
): Promise<void> {
  const { json, checksum } = modelTemplate(model);
  const [row] = await graph.query<{ checksum: string }>('write/record-model', {
    version: model.version,
    checksum,
    template: json,
    now,
  });
  if (row?.checksum !== checksum) throw new ModelVersionConflictError(model.version);
}
