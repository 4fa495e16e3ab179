import { PersonNotFoundError } from '../../errors.js';
import { createPersonService } from '../../persons/person-service.js';
import { identifierRegistry } from '../../resolver/resolver-config.js';
import { CliError, type CliContext, connectGraph, ExitCode } from '../cli-context.js';
import { formatPerson } from '../format.js';

/**
 * `idgraph person <id>`: a person with its identifiers and the ids merged into it. A merged id
 * answers with its survivor, as the API does; the output says so.
 */

export interface PersonOptions {
  json: boolean;
}

/** The API's rule for person ids (`GET /v1/persons/:id`). */
const personIdPattern = /^[A-Za-z0-9_-]{1,64}$/;

export async function personCommand(
  ctx: CliContext,
  id: string,
  options: PersonOptions,
): Promise<ExitCode> {
  if (!personIdPattern.test(id)) {
    throw new CliError('a person id is 1-64 letters, digits, "_" or "-"', ExitCode.usage);
  }
  const graph = await connectGraph(ctx);
  try {
    const persons = createPersonService({ graph, registry: identifierRegistry(ctx.config) });
    const person = await persons.getPerson(id).catch((error: unknown) => {
      if (error instanceof PersonNotFoundError) return undefined;
      throw error;
    });
    if (!person) {
      ctx.io.stdout.write(options.json ? 'null\n' : 'not found\n');
      return ExitCode.notFound;
    }
    if (!options.json) {
      ctx.io.stdout.write(formatPerson(person));
      return ExitCode.ok;
    }
    ctx.io.stdout.write(`${JSON.stringify(person)}\n`);
    // The JSON carries `requestedId`; a person reading the terminal gets the same news in words.
    if (person.requestedId !== person.id) {
      ctx.io.stderr.write(
        `note: ${person.requestedId} was merged into ${person.id}; showing the surviving person\n`,
      );
    }
    return ExitCode.ok;
  } finally {
    await graph.close();
  }
}
