import { userInfo } from 'node:os';
import type { Command } from 'commander';
import {
  PrivacyRequestNotFoundError,
  RequestIdConflictError,
  RequestTypeNotSupportedError,
  ValidationError,
} from '../../errors.js';
import { createPrivacyQueue } from '../../jobs/privacy-queue.js';
import { identifierHasherFromConfig } from '../../privacy/identifier-hash.js';
import {
  type PrivacyRequestType,
  type PrivacyRequestView,
  privacyRequestBodySchema,
  privacyRequestIdSchema,
} from '../../privacy/privacy-contract.js';
import { createPrivacyService, type PrivacyService } from '../../privacy/privacy-service.js';
import { privacySteps } from '../../privacy/privacy-steps.js';
import { identifierRegistry } from '../../resolver/resolver-config.js';
import { CliError, type CliContext, connectGraph, connectRedis, ExitCode } from '../cli-context.js';
import { printable } from '../format.js';
import { seconds } from '../option-parsers.js';
import { formatPrivacyRequest } from '../privacy-summary.js';

/**
 * `idgraph privacy <type> | status`: privacy requests from the command line, through the service
 * functions the API calls (same contract, same validation, same queue), on the CLI's
 * configuration. The actor is `cli:<os user>`. Requests run in the service's workers; `--wait`
 * polls until the request is completed or failed and prints its report.
 */

export interface PrivacyCommandHooks {
  context(command: Command): CliContext;
  exit(code: ExitCode): void;
}

export interface PrivacyCreateOptions {
  person?: string | undefined;
  identifier: string[];
  purpose: string[];
  reason: string;
  requestId?: string | undefined;
  wait: boolean;
  timeout: number;
  json: boolean;
}

export interface PrivacyStatusOptions {
  json: boolean;
}

const POLL_MS = 500;

const collect = (value: string, previous: string[]) => [...previous, value];

/** `type=value`, split at the first `=` (values may contain `=`). */
function parseIdentifier(raw: string): { type: string; value: string } {
  const at = raw.indexOf('=');
  if (at <= 0) throw new CliError('--identifier: write it as type=value', ExitCode.usage);
  return { type: raw.slice(0, at), value: raw.slice(at + 1) };
}

/** The option a body field comes from, for messages. */
function optionOf(path: readonly PropertyKey[]): string {
  const [field] = path;
  if (field === 'subject') return path.length > 1 ? '--identifier' : '--person';
  if (field === 'purposes') return '--purpose';
  if (field === 'requestId') return '--request-id';
  return `--${String(field)}`;
}

/** The request body from the options, checked with the API's schema. */
export function privacyBody(type: PrivacyRequestType, options: PrivacyCreateOptions) {
  if ((options.person === undefined) === (options.identifier.length === 0))
    throw new CliError(
      'name the subject: --person <id> or --identifier type=value',
      ExitCode.usage,
    );
  const parsed = privacyRequestBodySchema.safeParse({
    type,
    subject:
      options.person !== undefined
        ? { personId: options.person }
        : { identifiers: options.identifier.map(parseIdentifier) },
    ...(options.purpose.length > 0 ? { purposes: options.purpose } : {}),
    reason: options.reason,
    ...(options.requestId !== undefined ? { requestId: options.requestId } : {}),
  });
  if (!parsed.success)
    throw new CliError(
      parsed.error.issues.map((i) => `${optionOf(i.path)}: ${i.message}`).join('; '),
      ExitCode.usage,
    );
  return parsed.data;
}

function actor(ctx: CliContext): string {
  try {
    return `cli:${userInfo().username}`;
  } catch {
    return `cli:${ctx.io.env.USER ?? 'unknown'}`;
  }
}

/** Opens Neo4j and Redis, runs `work` with the privacy service, closes both. */
async function withService<T>(
  ctx: CliContext,
  work: (service: PrivacyService) => Promise<T>,
): Promise<T> {
  const graph = await connectGraph(ctx);
  try {
    const redis = await connectRedis(ctx);
    const queue = createPrivacyQueue({
      connection: redis,
      queueName: ctx.config.PRIVACY_QUEUE,
      prefix: ctx.config.QUEUE_PREFIX,
      attempts: ctx.config.JOB_ATTEMPTS,
    });
    try {
      return await work(
        createPrivacyService({
          graph,
          queue,
          registry: identifierRegistry(ctx.config),
          hasher: identifierHasherFromConfig(ctx.config),
          steps: privacySteps(),
        }),
      );
    } finally {
      await queue.close();
      await redis.quit().catch(() => redis.disconnect());
    }
  } finally {
    await graph.close();
  }
}

function print(ctx: CliContext, view: PrivacyRequestView, json: boolean): void {
  ctx.io.stdout.write(json ? `${JSON.stringify(view)}\n` : formatPrivacyRequest(view));
}

const exitFor = (view: PrivacyRequestView) =>
  view.status === 'failed' ? ExitCode.notFound : ExitCode.ok;

/** Polls until the request is completed or failed, or `timeoutMs` passes without it. */
async function waitFor(
  ctx: CliContext,
  service: PrivacyService,
  id: string,
  timeoutMs: number,
): Promise<PrivacyRequestView> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const view = await service.get(id);
    if (view.status === 'completed' || view.status === 'failed') return view;
    if (ctx.signal.aborted) throw new CliError('interrupted', ExitCode.interrupted);
    if (Date.now() > deadline)
      throw new CliError(
        `request ${id} still ${view.status} after ${timeoutMs / 1000} s; see idgraph privacy status ${id}`,
        ExitCode.timeout,
      );
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

export async function privacyCreateCommand(
  ctx: CliContext,
  type: PrivacyRequestType,
  options: PrivacyCreateOptions,
): Promise<ExitCode> {
  const body = privacyBody(type, options);
  return withService(ctx, async (service) => {
    let created;
    try {
      created = await service.create(body, actor(ctx));
    } catch (error) {
      if (error instanceof ValidationError)
        throw new CliError(
          error.errors.map((e) => `${e.path.replace('$.body.', '--')}: ${e.message}`).join('; '),
          ExitCode.usage,
        );
      if (error instanceof RequestTypeNotSupportedError || error instanceof RequestIdConflictError)
        throw new CliError(error.message, ExitCode.usage);
      throw error;
    }
    if (!options.wait) {
      ctx.io.stdout.write(
        options.json
          ? `${JSON.stringify({ id: created.id, status: created.status })}\n`
          : `${created.id} ${created.status}\n`,
      );
      return ExitCode.ok;
    }
    const view = await waitFor(ctx, service, created.id, options.timeout * 1000);
    print(ctx, view, options.json);
    return exitFor(view);
  });
}

export async function privacyStatusCommand(
  ctx: CliContext,
  id: string,
  options: PrivacyStatusOptions,
): Promise<ExitCode> {
  if (!privacyRequestIdSchema.safeParse(id).success)
    throw new CliError(`${printable(id)} is not a privacy request id (prq_...)`, ExitCode.usage);
  return withService(ctx, async (service) => {
    const view = await service.get(id).catch((error: unknown) => {
      if (error instanceof PrivacyRequestNotFoundError) return undefined;
      throw error;
    });
    if (!view) {
      ctx.io.stdout.write(options.json ? 'null\n' : 'not found\n');
      return ExitCode.notFound;
    }
    print(ctx, view, options.json);
    return ExitCode.ok;
  });
}

const descriptions: Record<PrivacyRequestType, string> = {
  revoke: 'withdraw the subject’s consent for --purpose (identity_linking withdraws its links)',
  erase: 'erase everything idgraph holds about the subject and suppress its identifiers',
  access: 'export everything idgraph holds about the subject as one JSON document',
  unsuppress: 'lift the suppression of erased identifiers (--identifier only)',
};

/** Registers `privacy` with a subcommand per request type and `status`. */
export function registerPrivacyCommand(program: Command, hooks: PrivacyCommandHooks): Command {
  const privacy = program
    .command('privacy')
    .description('create privacy requests (run by the workers) and show their status and report');
  for (const type of Object.keys(descriptions) as PrivacyRequestType[]) {
    privacy
      .command(type)
      .description(descriptions[type])
      .option('--person <id>', 'the subject: a person id (its identifiers when the request runs)')
      .option(
        '--identifier <type=value>',
        'the subject: an identifier (repeatable)',
        collect,
        [] as string[],
      )
      .option('--purpose <purpose>', 'revoke: a purpose withdrawn (repeatable)', collect, [])
      .requiredOption('--reason <text>', 'why (a ticket reference; no personal data)')
      .option('--request-id <id>', 'your id for the request: repeating it returns the same request')
      .option('--wait', 'wait until the request is completed or failed; print its report', false)
      .option('--timeout <seconds>', 'with --wait: give up after this long', seconds, 600)
      .option('--json', 'print JSON', false)
      .action(async (options: PrivacyCreateOptions, self: Command) =>
        hooks.exit(await privacyCreateCommand(hooks.context(self), type, options)),
      );
  }
  privacy
    .command('status')
    .description('print a privacy request: status, steps done, report')
    .argument('<id>', 'request id (prq_...)')
    .option('--json', 'print the request as JSON (the API’s view)', false)
    .action(async (id: string, options: PrivacyStatusOptions, self: Command) =>
      hooks.exit(await privacyStatusCommand(hooks.context(self), id, options)),
    );
  return privacy;
}
