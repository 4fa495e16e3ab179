import { benchLog } from '../harness/bench-log.js';
import {
  describeHost,
  describeSteal,
  hostSpeed,
  measuringSteal,
  waitForIdle,
} from '../host/machine-load.js';
import { runSplink, type SplinkResult } from '../peers/splink-run.js';
import type { AccuracyDeps } from './accuracy-service.js';

const f4 = (x: number) => x.toFixed(4);

/** A Splink run with the host's speed before it and the steal share during it. */
export interface TimedSplink {
  result: SplinkResult;
  host: number;
  steal: number | undefined;
}

/**
 * One Splink process, once the machine is idle enough: the host speed is taken just before, and the
 * steal share while it runs, as for the service's timed runs.
 */
export async function timedSplink(
  deps: Pick<AccuracyDeps, 'processes' | 'settings'>,
  python: string,
  dataset: string,
  variant: 'published' | 'matched',
): Promise<TimedSplink> {
  await waitForIdle(deps.settings.waitIdle);
  const host = hostSpeed();
  const [result, steal] = await measuringSteal(() =>
    runSplink(deps.processes, python, deps.settings.dataDir, dataset, variant),
  );
  return { result, host, steal };
}

/**
 * Splink on every data set with every settings variant, one Python process each. Run after the
 * service is stopped, so that the two never share the CPU.
 */
export async function runSplinkPeers(
  deps: Pick<AccuracyDeps, 'processes' | 'settings'>,
  python: string,
): Promise<TimedSplink[]> {
  const runs: TimedSplink[] = [];
  for (const name of deps.settings.names)
    for (const variant of deps.settings.splinkSettings) {
      const run = await timedSplink(deps, python, name, variant);
      const { result } = run;
      benchLog(
        `Splink ${name} ${variant}: P ${f4(result.precision)} R ${f4(result.recall)} F1 ${f4(result.f1)} (clustered ${f4(result.clustered.f1)}); ` +
          `${result.wallSeconds.toFixed(2)} s wall (${result.seconds.toFixed(2)} s training + prediction; host ${describeHost(run.host)} before, steal during ${describeSteal(run.steal)})`,
      );
      runs.push(run);
    }
  return runs;
}
