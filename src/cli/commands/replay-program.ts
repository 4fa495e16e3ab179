import type { Command } from 'commander';
import { MAX_EVENTS_PER_BATCH } from '../../events/event-schema.js';
import type { ModelCommandHooks } from './model.js';
import { integer, seconds } from '../option-parsers.js';
import { diffCommand, type DiffCommandOptions } from './diff.js';
import { replayCommand, type ReplayCommandOptions } from './replay.js';

/**
 * Registers `replay` (rebuild the event log into another graph with other rules) and `diff`
 * (compare two graphs' partitions): the dual run before a cutover (src/replay/).
 */
export function registerReplayCommands(program: Command, hooks: ModelCommandHooks): void {
  program
    .command('replay')
    .description(
      "rebuild the graph's event log into another, empty graph with other rules or another model (manual decisions and suppressions carried over)",
    )
    .requiredOption(
      '--target <uri | dir>',
      'a bolt:// / neo4j:// URI, or a new data directory (Neo4j is started on it for the run)',
    )
    .option(
      '--rules <file>',
      'JSON object of resolver settings (MERGE_LIMITS, MATCH_AUTO_THRESHOLD, ...)',
    )
    .option('--model <file>', 'model file to score with (as MATCH_MODEL_FILE)')
    .option('--until <time>', 'only events received (and decisions taken) up to this ISO-8601 time')
    .option('--force', 'wipe a target that holds data', false)
    .option(
      '--batch-size <n>',
      "most events per resolver batch (the source's batches are kept up to this size)",
      integer(1, MAX_EVENTS_PER_BATCH),
      MAX_EVENTS_PER_BATCH,
    )
    .option('--no-progress', 'no progress display on stderr')
    .option(
      '--progress-interval <seconds>',
      'between progress lines when stderr is not a terminal',
      seconds,
      5,
    )
    .option('--json', 'print the summary as JSON', false)
    .action(async (options: ReplayCommandOptions, command: Command) => {
      hooks.exit(await replayCommand(hooks.context(command), options));
    });

  program
    .command('diff')
    .description(
      'compare the partitions of two graphs: pairs gained and lost, persons merged and split, links by rule, precision / recall / F1',
    )
    .argument('<a>', 'the reference graph: a bolt:// / neo4j:// URI or a data directory')
    .argument('<b>', 'the graph compared with it: a URI or a data directory')
    .option(
      '--truth <file>',
      'CSV (identifier_type,identifier_value,entity_id) or NDJSON of the true entities: both graphs scored against it',
    )
    .option('--samples <n>', 'sample cases of merged and of split persons', integer(0, 1000), 5)
    .option(
      '--show-values',
      'print the identifier values of the sample cases (personal data)',
      false,
    )
    .option('--json', 'print the report as JSON', false)
    .action(async (a: string, b: string, options: DiffCommandOptions, command: Command) => {
      hooks.exit(await diffCommand(hooks.context(command), a, b, options));
    });
}
