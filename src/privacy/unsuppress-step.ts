import type { PrivacyStep } from './privacy-step.js';

/**
 * `unsuppress`: lifts the suppression of the subject's identifiers (an erase request suppresses
 * them): their `Suppression` nodes, found by keyed hash, are deleted in one transaction with the
 * step's mark, counted in the report (`suppressionsLifted`, 0 when none was suppressed) and, when
 * any was, audited as one `suppression_lifted` record with the count. From the commit on, events
 * carrying those identifiers are applied again.
 */
export const unsuppressStep: PrivacyStep = {
  name: 'unsuppress',
  async run(ctx) {
    await ctx.write(
      'privacy-unsuppress',
      async ({ tx, report, audit }) => {
        let lifted = 0;
        for (let i = 0; i < ctx.subject.hashes.length; i += 1000) {
          const [row] = await tx.run<{ lifted: number }>('write/lift-suppressions', {
            hashes: ctx.subject.hashes.slice(i, i + 1000),
          });
          lifted += row?.lifted ?? 0;
        }
        report.count('suppressionsLifted', lifted);
        if (lifted > 0)
          await audit([{ kind: 'suppression_lifted', count: lifted, reason: 'unsuppress' }]);
      },
      { done: true },
    );
  },
};
