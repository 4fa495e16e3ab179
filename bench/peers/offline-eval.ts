/**
 * Offline accuracy of the matching core on the peer benchmark sets, without the graph:
 * block -> train (lambda from deterministic rules, u from random pairs, m by EM) -> score ->
 * threshold -> cluster (connected components, as the service links) -> pairwise P/R/F1.
 *
 *   npx tsx bench/peers/offline-eval.ts [--data DIR] [--only febrl3,febrl4,fake_1000] [--json]
 *                                       [--threshold 0.5] [--cap 1000|none] [--default-model]
 *                                       [--blocking peer|default] [--show-model] [--save-model DIR]
 *                                       [--u-pairs 1000000] [--identity none|service|LIST]
 *                                       [--u-from-data]
 *
 * Settings mirror Splink's published examples for the same sets (same prediction blocking rules,
 * same EM rules, same deterministic rules for lambda, 1e6 random pairs for u), so the numbers sit
 * next to `splink_bench.py`'s. `--identity` applies the service's identity evidence
 * (`service`: its default MATCH_HOUSEHOLD_ATTRIBUTES, as the accuracy benchmark's service runs; or
 * a comma list of household attributes): pairs without it are held, not linked; by default
 * (`none`) the probability decides alone, as in Splink. Reads shared/data in place; writes only the
 * model files of --save-model. `--u-from-data` (with `--default-model`) scores with the built-in
 * model whose u and term frequencies are estimated from the data set's records, as the service's u
 * refresh estimates them from the graph's (src/matching/refresh/): what a graph holding only these
 * records would score with once the refresh has run.
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_BLOCKING_RULES, DEFAULT_MODEL } from '../../src/matching/model/default-model.js';
import { saveModelFile } from '../../src/matching/model/model-file.js';
import { estimateRefreshedModel } from '../../src/matching/refresh/u-estimate.js';
import { DEFAULT_HOUSEHOLD_ATTRIBUTES } from '../../src/matching/scoring/identity-evidence.js';
import { type Dataset, DEFAULT_DATA_DIR } from '../datasets/peer-datasets.js';
import { evaluateSetup } from './offline-scoring.js';
import { SETUPS, U_MAX_PAIRS } from './peer-setups.js';

const fmt = (x: number): string => x.toFixed(4);

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      data: { type: 'string', default: DEFAULT_DATA_DIR },
      only: { type: 'string', default: 'febrl3,febrl4,fake_1000' },
      threshold: { type: 'string', default: '0.5' },
      cap: { type: 'string', default: '1000' },
      'default-model': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      'show-model': { type: 'boolean', default: false },
      blocking: { type: 'string', default: 'peer' },
      'save-model': { type: 'string' },
      'u-pairs': { type: 'string', default: String(U_MAX_PAIRS) },
      identity: { type: 'string', default: 'none' },
      'u-from-data': { type: 'boolean', default: false },
    },
  });
  const cap = values.cap === 'none' ? undefined : Number(values.cap);
  for (const name of values.only.split(',') as Dataset['name'][]) {
    const setup = SETUPS[name];
    if (!setup) throw new Error(`unknown data set ${name}`);
    const dataset = setup.load(values.data);
    const householdAttributes =
      values.identity === 'service'
        ? DEFAULT_HOUSEHOLD_ATTRIBUTES
        : values.identity === 'none'
          ? []
          : values.identity.split(',');
    if (values.blocking !== 'peer' && values.blocking !== 'default')
      throw new Error(
        '--blocking is peer (the Splink example rules) or default (idgraph defaults)',
      );
    const effective =
      values.blocking === 'default'
        ? { ...setup, blockingRules: [...DEFAULT_BLOCKING_RULES] }
        : setup;
    if (values['u-from-data'] && !values['default-model'])
      throw new Error("--u-from-data estimates the default model's u: give --default-model too");
    const refreshed = values['u-from-data']
      ? (
          await estimateRefreshedModel(
            dataset.records,
            { model: DEFAULT_MODEL, blockingRules: DEFAULT_BLOCKING_RULES, mode: dataset.mode },
            { at: new Date(), uPairs: Number(values['u-pairs']), seed: effective.seed },
          )
        ).file.model
      : undefined;
    const { trained, ...result } = evaluateSetup(dataset, effective, {
      ...(refreshed ? { model: refreshed } : {}),
      threshold: Number(values.threshold),
      cap,
      useDefaultModel: values['default-model'],
      label: values.blocking === 'default' ? '+default-blocking' : '',
      uMaxPairs: Number(values['u-pairs']),
      householdAttributes,
    });
    if (values.json) {
      console.log(JSON.stringify(result));
    } else {
      const { pairwise: p, clustered: c, candidatesPerRecord: k } = result;
      console.log(
        `${result.dataset.padEnd(10)} ${result.model.padEnd(18)} pairs: P ${fmt(p.precision)} R ${fmt(p.recall)} F1 ${fmt(p.f1)} ` +
          `(tp ${p.truePositives} fp ${p.falsePositives} fn ${p.falseNegatives}) | clustered: P ${fmt(c.precision)} R ${fmt(c.recall)} F1 ${fmt(c.f1)} ` +
          `| candidates ${result.candidates} (per record mean ${k.mean.toFixed(1)} p99 ${k.p99} max ${k.max} capped ${k.capped}) ` +
          `| held ${result.held} | lambda ${result.lambda.toExponential(2)} | ${result.seconds.toFixed(2)}s (train ${result.trainSeconds.toFixed(2)}s)`,
      );
    }
    const saveDir = values['save-model'];
    if (saveDir !== undefined)
      await saveModelFile(join(saveDir, `${dataset.name}.model.json`), {
        model: trained,
        blockingRules: effective.blockingRules,
        training: { dataset: dataset.name, emRules: effective.emRules, seed: effective.seed },
      });
    if (values['show-model'])
      for (const comparison of trained.comparisons)
        console.log(
          `  ${comparison.name}: ${comparison.levels.map((l) => `${l.when.type}${'min' in l.when ? l.when.min : ''}${'max' in l.when ? l.when.max : ''} m=${l.m.toFixed(4)} u=${l.u.toExponential(2)} w=${Math.log2(l.m / l.u).toFixed(2)}`).join(' | ')}`,
        );
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
