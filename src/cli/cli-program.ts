import { readFileSync } from 'node:fs';
import { Command, CommanderError, Option } from 'commander';
import { ServiceUnavailableError } from '../errors.js';
import { safeError } from '../logger.js';
import { MAX_EVENTS_PER_BATCH } from '../events/event-schema.js';
import {
  CliError,
  type CliContext,
  type CliIo,
  createContext,
  ExitCode,
  type GlobalOptions,
} from './cli-context.js';
import { EXPORT_PAGE_SIZE, exportCommand, type ExportCommandOptions } from './commands/export.js';
import { ingestCommand, type IngestOptions } from './commands/ingest.js';
import { registerModelCommand } from './commands/model.js';
import { personCommand, type PersonOptions } from './commands/person.js';
import { registerPrivacyCommand } from './commands/privacy.js';
import { resolveCommand, type ResolveOptions } from './commands/resolve.js';
import { integer, seconds } from './option-parsers.js';

/**
 * The `idgraph` command line: commander wiring, one exit code per outcome, and the one place that
 * turns errors into a line on stderr. `runCli` never exits the process, so tests can run it.
 */

/** package.json sits two levels up from both src/cli/ and dist/cli/. */
function packageVersion(): string {
  const raw = readFileSync(new URL('../../package.json', import.meta.url), 'utf8');
  return (JSON.parse(raw) as { version: string }).version;
}

const exitCodesHelp = `
Configuration comes from the same environment variables as the service (NEO4J_URI, REDIS_URL,
INGEST_QUEUE, ...; see the README).

Exit codes:
  0    success
  1    not found; ingest finished with rejected events or failed batches; a privacy request failed
  2    usage error, invalid configuration, unusable input or model file
  3    Neo4j or Redis unavailable
  4    gave up waiting: no batch finished (ingest), or the request did not (privacy --wait), within --timeout
  70   internal error (a bug)
  130  interrupted`;

export async function runCli(
  argv: readonly string[],
  io: CliIo,
  signal: AbortSignal = new AbortController().signal,
): Promise<number> {
  let exitCode: number = ExitCode.ok;
  let context: CliContext | undefined;
  const contextOf = (command: Command): CliContext => {
    context = createContext(io, command.optsWithGlobals<GlobalOptions>(), signal);
    return context;
  };

  const program = new Command('idgraph')
    .description(
      'Resolve identifiers, inspect persons, ingest event files, export the graph, train the matching model and make privacy requests in an idgraph deployment.',
    )
    .version(packageVersion(), '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help')
    .option('--verbose', 'log at debug level (JSON lines on stderr)', false)
    .option(
      '--connect-timeout <seconds>',
      'how long to wait for Neo4j / Redis to answer',
      seconds,
      10,
    )
    .addHelpText('after', exitCodesHelp)
    .showHelpAfterError('(idgraph --help for usage)')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => void io.stdout.write(text),
      writeErr: (text) => void io.stderr.write(text),
    });

  program
    .command('resolve')
    .description('print the person id of an identifier (normalised as ingestion does)')
    .argument('<type>', 'identifier type: email, phone, user_id, ...')
    .argument('<value>', 'identifier value')
    .option('--json', 'print the full result as JSON', false)
    .action(async (type: string, value: string, options: ResolveOptions, command: Command) => {
      exitCode = await resolveCommand(contextOf(command), type, value, options);
    });

  program
    .command('person')
    .description(
      'print a person: status, identifiers and merged ids (a merged id shows its survivor)',
    )
    .argument('<id>', 'person id (per_...)')
    .option('--json', 'print the person as JSON', false)
    .action(async (id: string, options: PersonOptions, command: Command) => {
      exitCode = await personCommand(contextOf(command), id, options);
    });

  program
    .command('ingest')
    .description('stream an NDJSON or CSV file of identity events into the ingest queue')
    .argument('<file>', 'events file: .ndjson / .jsonl / .json (one event per line) or .csv')
    .option(
      '--batch-size <n>',
      'events per queued batch',
      integer(1, MAX_EVENTS_PER_BATCH),
      MAX_EVENTS_PER_BATCH,
    )
    .option('--source <name>', 'source for events that have none')
    .addOption(
      new Option('--format <format>', 'file format (default: from the file name)').choices([
        'ndjson',
        'csv',
      ]),
    )
    .option('--delimiter <char>', 'CSV field delimiter', ',')
    .option('--no-wait', 'enqueue only; do not wait for the workers to resolve the batches')
    .option(
      '--timeout <seconds>',
      'give up waiting when no batch finishes for this long',
      seconds,
      300,
    )
    .option(
      '--max-pending <batches>',
      'batches queued ahead of the workers before reading pauses',
      integer(1, 10_000),
      20,
    )
    .option('--no-progress', 'no progress display on stderr')
    .option(
      '--progress-interval <seconds>',
      'between progress lines when stderr is not a terminal',
      seconds,
      5,
    )
    .option(
      '--show-errors <n>',
      'print at most n invalid lines (and n resolver rejections)',
      integer(0, 1_000_000),
      50,
    )
    .option('--json', 'print the summary as JSON (with the job ids)', false)
    .action(async (file: string, options: IngestOptions, command: Command) => {
      if (options.delimiter.length !== 1)
        throw new CliError('--delimiter: one character', ExitCode.usage);
      exitCode = await ingestCommand(contextOf(command), file, options);
    });

  program
    .command('export')
    .description(
      'stream the identifier -> person mapping (or with --links the links) as NDJSON or CSV',
    )
    .addOption(
      new Option('--format <format>', 'output format').choices(['ndjson', 'csv']).default('ndjson'),
    )
    .option('--links', 'export the links instead of the identifier mapping', false)
    .option('--output <file>', 'write to this file (default: stdout)')
    .option('--page-size <n>', 'identifiers read per query', integer(1, 100_000), EXPORT_PAGE_SIZE)
    .option('--progress', 'progress lines on stderr even when it is not a terminal', false)
    .option(
      '--progress-interval <seconds>',
      'between progress lines when stderr is not a terminal',
      seconds,
      5,
    )
    .action(async (options: ExportCommandOptions, command: Command) => {
      exitCode = await exportCommand(contextOf(command), options);
    });

  registerModelCommand(program, {
    context: contextOf,
    exit: (code) => void (exitCode = code),
  });
  registerPrivacyCommand(program, {
    context: contextOf,
    exit: (code) => void (exitCode = code),
  });

  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (error) {
    return reportError(error, io, context);
  }
}

function reportError(error: unknown, io: CliIo, context: CliContext | undefined): number {
  if (error instanceof CommanderError) {
    // Help and version end with code 0; commander has already printed any usage problem.
    return error.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
  }
  if (error instanceof CliError) {
    io.stderr.write(`idgraph: ${error.message}\n`);
    return error.exitCode;
  }
  if (error instanceof ServiceUnavailableError) {
    io.stderr.write(`idgraph: ${error.dependency} became unavailable\n`);
    return ExitCode.unavailable;
  }
  // Unexpected: class and code only (messages may quote personal data); the stack with --verbose.
  const { name, code } = safeError(error);
  io.stderr.write(`idgraph: unexpected error: ${name}${code ? ` (${code})` : ''}\n`);
  context?.logger.debug({ err: safeError(error) }, 'unexpected error');
  return ExitCode.internal;
}
