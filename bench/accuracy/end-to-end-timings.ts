import { benchLog } from '../harness/bench-log.js';
import { describeHost, describeSteal, measuringSteal } from '../host/machine-load.js';
import { clearDisposableGraph } from '../services/disposable-graph.js';
import type { AccuracyDeps } from './accuracy-service.js';
import { type DatasetResult, runDataset } from './dataset-run.js';
import { type TimedSplink, timedSplink } from './splink-runs.js';

/** One data set's end-to-end seconds over the runs of `--repeats`. */
export interface Timings {
  idgraph: number[];
  splink: number[];
  /**
   * Steal during each run, as {@link stealShare}: a ratio is only fair between runs at similar
   * steal. idgraph's covers its whole data-set run, service start and links read back included.
   */
  idgraphSteal: (number | undefined)[];
  splinkSteal: (number | undefined)[];
  /** Every idgraph run found the same links (precision and F1) as the first. */
  sameLinks: boolean;
}

/** A data set's first run through the service, with the steal share while it ran. */
export interface FirstRun {
  result: DatasetResult;
  steal: number | undefined;
}

/**
 * The end-to-end timings of each data set: its first run and Splink's first published-settings
 * run, then --repeats - 1 more runs of each, the two tools alternating per data set. A host's speed
 * drifts within minutes, so one run of each says little about their ratio; only the timings are
 * repeated, and every repeated run must find the same links.
 */
export async function endToEndTimings(
  deps: AccuracyDeps,
  python: string | undefined,
  first: readonly FirstRun[],
  splink: readonly TimedSplink[],
): Promise<Map<string, Timings>> {
  const timings = new Map<string, Timings>(
    first.map(({ result, steal }) => {
      const published = splink.filter(
        (x) => x.result.dataset === result.dataset && x.result.settings === 'published',
      );
      return [
        result.dataset,
        {
          idgraph: [result.totalSeconds],
          splink: published.map((x) => x.result.wallSeconds),
          idgraphSteal: [steal],
          splinkSteal: published.map((x) => x.steal),
          sameLinks: true,
        },
      ];
    }),
  );
  for (let round = 2; round <= deps.settings.repeats; round += 1)
    for (const { result: r } of first) {
      const t = timings.get(r.dataset)!;
      const [again, againSteal] = await measuringSteal(() => runDataset(deps, r.dataset));
      t.idgraph.push(again.totalSeconds);
      t.idgraphSteal.push(againSteal);
      t.sameLinks &&= again.links.f1 === r.links.f1 && again.links.precision === r.links.precision;
      if (python) {
        await clearDisposableGraph(deps.graph);
        const s = await timedSplink(deps, python, r.dataset, 'published');
        benchLog(
          `Splink ${r.dataset} published (round ${round}): ${s.result.wallSeconds.toFixed(2)} s wall (host ${describeHost(s.host)} before, steal during ${describeSteal(s.steal)})`,
        );
        t.splink.push(s.result.wallSeconds);
        t.splinkSteal.push(s.steal);
      }
    }
  return timings;
}
