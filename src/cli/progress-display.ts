import cliProgress from 'cli-progress';
import type { Output } from './cli-context.js';

/**
 * A long-running command's progress on stderr (`idgraph ingest`, `idgraph model rescore`): live
 * bars on a terminal, a plain line every few seconds otherwise (logs, CI), or nothing. A command
 * describes what it shows as a {@link ProgressView}; this module owns the timers and the terminal.
 */

export type ProgressMode = 'bar' | 'lines' | 'off';

export interface ProgressOptions {
  mode: ProgressMode;
  /** Between two plain lines (mode `lines`). */
  intervalMs: number;
}

export interface Progress {
  /** Prints a line on stderr without breaking the bars. */
  log(line: string): void;
  /** Stops timers, after a final render unless `render` is false (the run failed). Idempotent. */
  stop(render?: boolean): void;
}

/** What a command's progress shows, from a snapshot of its state taken at each render. */
export interface ProgressView<S> {
  snapshot(): S;
  /** The plain line (mode `lines`). */
  line(s: S): string;
  /** Creates the command's bars (mode `bar`) and returns what renders a snapshot on them. */
  bars(bars: cliProgress.MultiBar, first: S): (s: S) => void;
}

/** The progress display `options.mode` asks for. */
export function startProgressDisplay<S>(
  stderr: Output,
  view: ProgressView<S>,
  options: ProgressOptions,
): Progress {
  if (options.mode === 'bar') return startBars(stderr, view);
  let stopped = false;
  const timer =
    options.mode === 'lines'
      ? setInterval(() => stderr.write(`${view.line(view.snapshot())}\n`), options.intervalMs)
      : undefined;
  timer?.unref();
  return {
    log: (line) => void stderr.write(`${line}\n`),
    stop(final = true) {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      if (final && options.mode === 'lines') stderr.write(`${view.line(view.snapshot())}\n`);
    },
  };
}

function startBars<S>(stderr: Output, view: ProgressView<S>): Progress {
  const bars = new cliProgress.MultiBar(
    {
      stream: stderr as NodeJS.WritableStream,
      hideCursor: true,
      // Log lines printed above the bars shift them down a line: redraw every bar on every frame.
      forceRedraw: true,
      fps: 5,
      barsize: 30,
      autopadding: true,
      emptyOnZero: true,
      barCompleteChar: '\u2588',
      barIncompleteChar: '\u2591',
    },
    cliProgress.Presets.shades_classic,
  );
  const update = view.bars(bars, view.snapshot());
  const render = () => update(view.snapshot());
  render();
  const timer = setInterval(render, 200);
  timer.unref();
  let stopped = false;
  return {
    log: (line) => bars.log(`${line}\n`),
    stop(final = true) {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      if (final) render();
      // stop() renders the bars but not the pending log lines: flush those first.
      bars.update();
      bars.stop();
    },
  };
}
