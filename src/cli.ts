#!/usr/bin/env node
import { runCli } from './cli/cli-program.js';

/**
 * Entry of the `idgraph` command (package.json `bin`). The one place of the CLI that touches the
 * process: it reads `process.env` and argv, turns SIGINT / SIGTERM into an abort (a second signal
 * exits at once), and sets the exit code. Commands close their clients before they return, so the
 * process ends on its own; the unref'd timer only cuts short a library's leftover timers (ioredis
 * keeps a reconnect timer for a while after `disconnect()`).
 */

const controller = new AbortController();
const onSignal = () => {
  if (controller.signal.aborted) process.exit(130);
  controller.abort();
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

const code = await runCli(
  process.argv.slice(2),
  { stdout: process.stdout, stderr: process.stderr, env: process.env },
  controller.signal,
);
process.exitCode = code;
process.off('SIGINT', onSignal);
process.off('SIGTERM', onSignal);
setTimeout(() => process.exit(code), 500).unref();
