import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  cypherStatements,
  joinStatements,
  serviceStatements,
} from '../../src/graph/cypher-loader.js';
import { createGraph, type Graph } from '../../src/graph/graph-client.js';
import { createLogger } from '../../src/logger.js';

/**
 * Replay tests' graph client: the service's statements and the tests' own (test/support/cypher):
 * a keep-apart constraint as a manual split writes it, the links between two identifiers.
 */

const replayTestCypherNames = ['cypher/write/keep-apart', 'cypher/read/links-between'] as const;

export type ReplayTestGraph = Graph<
  Parameters<Graph['query']>[0] | (typeof replayTestCypherNames)[number]
>;

export function replayTestGraph(uri: string): ReplayTestGraph {
  return createGraph({
    uri,
    logger: createLogger('warn'),
    statements: joinStatements(
      serviceStatements(),
      cypherStatements(dirname(fileURLToPath(import.meta.url)), replayTestCypherNames),
    ),
  });
}
