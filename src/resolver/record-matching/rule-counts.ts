import { type MatchingOutcome, ruleOutcome } from '../batch-outcome.js';

/**
 * Counts into a batch's matching outcome, by blocking rule name, what blocking left unscored:
 * blocks skipped as too large, and candidates the cap cut, each capped record once per rule
 * however many reads cut its candidates (the first read, then the recheck under the clock).
 */
export type RuleCounts = ReturnType<typeof createRuleCounts>;

export function createRuleCounts(matching: MatchingOutcome, ruleNames: readonly string[]) {
  const name = (rule: number) => ruleNames[rule] ?? `rule_${rule}`;
  const capped = new Set<string>();
  return {
    /** A record's block under `rule` was skipped as larger than the block size limit. */
    skipped(rule: number): void {
      ruleOutcome(matching, name(rule)).skippedBlocks += 1;
    },

    /** The cap left out candidates of the record at `position`: their number by rule. */
    cut(position: number, byRule: ReadonlyMap<number, number>): void {
      for (const [rule, n] of byRule) {
        if (n === 0) continue;
        const entry = ruleOutcome(matching, name(rule));
        entry.cutCandidates += n;
        const key = `${position}:${rule}`;
        if (capped.has(key)) continue;
        capped.add(key);
        entry.cappedRecords += 1;
      }
    },
  };
}
