import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import type { PrivacyStep } from '../../src/privacy/privacy-step.js';
import { createRuntime } from '../../src/runtime.js';

/**
 * A worker process for the privacy crash tests: the service's worker role with two places to stop
 * in the middle of a request, so a test can kill the process there.
 *
 * - `hold`, a step added to unsuppress requests after the service's own: with PRIVACY_TEST_HOLD
 *   set it prints `holding <request id>` and never returns; without it, it does nothing.
 * - Erase requests' `delete_graph` step runs as it is, except that with
 *   PRIVACY_TEST_HOLD_ERASE_PAGE set the first of its page transactions to commit prints
 *   `holding <request id>` after its commit and never returns: the process stops in the middle of
 *   the step, with a page erased and the step not marked done.
 */

const config = loadConfig(process.env);
const holdForever = async (requestId: string): Promise<never> => {
  process.stdout.write(`holding ${requestId}\n`);
  return new Promise<never>(() => undefined);
};
const hold: PrivacyStep = {
  name: 'hold',
  run: async (ctx) => {
    if (process.env.PRIVACY_TEST_HOLD) await holdForever(ctx.request.id);
  },
};
const holdAfterFirstPage = (step: PrivacyStep): PrivacyStep => ({
  name: step.name,
  run: (ctx) =>
    step.run({
      ...ctx,
      write: async (name, work, options) => {
        const result = await ctx.write(name, work, options);
        if (process.env.PRIVACY_TEST_HOLD_ERASE_PAGE && name === 'privacy-erase-page')
          await holdForever(ctx.request.id);
        return result;
      },
    }),
});
const runtime = await createRuntime(config, {
  role: 'worker',
  logger: createLogger(config.LOG_LEVEL),
  privacySteps: (steps) => ({
    ...steps,
    unsuppress: [...(steps.unsuppress ?? []), hold],
    erase: (steps.erase ?? []).map((s) => (s.name === 'delete_graph' ? holdAfterFirstPage(s) : s)),
  }),
});
process.stdout.write('privacy worker ready\n');
process.once('SIGTERM', () => void runtime.close().then(() => process.exit(0)));
