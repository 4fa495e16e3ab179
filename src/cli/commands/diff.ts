import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Graph } from '../../graph/graph-client.js';
import { redactUri } from '../../logger.js';
import { diffGraphs } from '../../replay/graph-diff.js';
import {
  type GraphLocation,
  type OpenedLocation,
  openGraphLocation,
  parseGraphLocation,
} from '../../replay/graph-location.js';
import { readTruthFile, type Truth, TruthFileError } from '../../replay/truth-file.js';
import { identifierRegistry } from '../../resolver/resolver-config.js';
import { CliError, type CliContext, connectGraph, ExitCode } from '../cli-context.js';
import { formatDiffSummary } from '../diff-summary.js';

/**
 * `idgraph diff <a> <b>`: compares two graphs' partitions (src/replay/graph-diff.ts); each graph is
 * a Neo4j URI or a data directory a replay wrote (the embedded Neo4j is started on it for the
 * diff and stopped after). Exit 0 whether or not they differ: the report says how.
 */

export interface DiffCommandOptions {
  truth?: string | undefined;
  json: boolean;
  samples: number;
  showValues: boolean;
}

const PAGE_SIZE = 10_000;

function locationOf(argument: string): GraphLocation {
  const location = parseGraphLocation(argument);
  if (location.kind === 'dir' && !existsSync(join(location.dir, 'neo4j')))
    throw new CliError(`${location.dir}: no graph there (not a data directory)`, ExitCode.usage);
  return location;
}

async function truthOf(ctx: CliContext, file: string | undefined): Promise<Truth | undefined> {
  if (file === undefined) return undefined;
  try {
    return await readTruthFile(file, identifierRegistry(ctx.config));
  } catch (error) {
    if (error instanceof TruthFileError)
      throw new CliError(`--truth ${file}: ${error.message}`, ExitCode.usage);
    const code = (error as { code?: string }).code;
    if (code) throw new CliError(`--truth ${file}: cannot read (${code})`, ExitCode.usage);
    if ((error as { name?: string }).name === 'CsvError')
      throw new CliError(`--truth ${file}: not valid CSV`, ExitCode.usage);
    throw error;
  }
}

export async function diffCommand(
  ctx: CliContext,
  first: string,
  second: string,
  options: DiffCommandOptions,
): Promise<ExitCode> {
  const locations = [locationOf(first), locationOf(second)] as const;
  const truth = await truthOf(ctx, options.truth);
  const opened: OpenedLocation[] = [];
  const graphs: Graph[] = [];
  try {
    for (const location of locations) {
      const o = await openGraphLocation(location, {
        heap: ctx.config.NEO4J_HEAP,
        pageCache: ctx.config.NEO4J_PAGECACHE,
        log: (line) => void ctx.io.stderr.write(`idgraph: ${line}\n`),
        signal: ctx.signal,
      });
      opened.push(o);
      graphs.push(await connectGraph(ctx, o.uri));
    }
    const report = await diffGraphs(graphs[0]!, graphs[1]!, {
      pageSize: PAGE_SIZE,
      samples: options.samples,
      showValues: options.showValues,
      ...(truth ? { truth } : {}),
    });
    const names = opened.map((o) => o.dir ?? redactUri(o.uri));
    ctx.io.stdout.write(
      options.json
        ? `${JSON.stringify({ a: names[0], b: names[1], ...report })}\n`
        : formatDiffSummary(report, { a: names[0]!, b: names[1]! }),
    );
    return ExitCode.ok;
  } finally {
    for (const g of graphs) await g.close();
    for (const o of opened) await o.stop();
  }
}
