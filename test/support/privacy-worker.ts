import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import type { PrivacyStep } from '../../src/privacy/privacy-step.js';
import { createRuntime } from '../../src/runtime.js';

/**
 * A worker process for the privacy crash test: the service's worker role with one step added to
 * unsuppress requests after the service's own, `hold`. With PRIVACY_TEST_HOLD set, `hold` prints
 * `holding <request id>` and never returns, so the test can kill the process in the middle of a
 * request whose real step has committed; without it, `hold` does nothing.
 */

const config = loadConfig(process.env);
const hold: PrivacyStep = {
  name: 'hold',
  run: async (ctx) => {
    if (!process.env.PRIVACY_TEST_HOLD) return;
    process.stdout.write(`holding ${ctx.request.id}\n`);
    await new Promise(() => undefined);
  },
};
const runtime = await createRuntime(config, {
  role: 'worker',
  logger: createLogger(config.LOG_LEVEL),
  privacySteps: (steps) => ({ ...steps, unsuppress: [...(steps.unsuppress ?? []), hold] }),
});
process.stdout.write('privacy worker ready\n');
process.once('SIGTERM', () => void runtime.close().then(() => process.exit(0)));
