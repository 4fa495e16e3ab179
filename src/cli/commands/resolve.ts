import { createPersonService } from '../../persons/person-service.js';
import { identifierRegistry } from '../../resolver/resolver-config.js';
import { CliError, type CliContext, connectGraph, ExitCode } from '../cli-context.js';
import { describeReason } from '../format.js';

/**
 * `idgraph resolve <type> <value>`: which person is this identifier? The value is normalised
 * exactly as ingestion and the API normalise it (`resolveMany`), so any accepted spelling finds it.
 */

export interface ResolveOptions {
  json: boolean;
}

export async function resolveCommand(
  ctx: CliContext,
  type: string,
  value: string,
  options: ResolveOptions,
): Promise<ExitCode> {
  const registry = identifierRegistry(ctx.config);
  if (!registry.has(type)) {
    throw new CliError(
      `unknown identifier type "${type}"; known types: ${registry.types.map((t) => t.name).join(', ')}`,
      ExitCode.usage,
    );
  }
  const graph = await connectGraph(ctx);
  try {
    const [result] = await createPersonService({ graph, registry }).resolveMany([{ type, value }]);
    if (!result) throw new Error('resolveMany answered no result');
    if (options.json) ctx.io.stdout.write(`${JSON.stringify(result)}\n`);
    else ctx.io.stdout.write(`${result.personId ?? describeReason(result.reason)}\n`);
    return result.personId === null ? ExitCode.notFound : ExitCode.ok;
  } finally {
    await graph.close();
  }
}
