import type { RecordMatcher } from '../record-matcher.js';

/**
 * The matcher a process scores with, replaced whole when the active model version changes (a u
 * refresh, see model-follower.ts). Whoever scores takes the matcher once and keeps it for the whole
 * unit of work: a batch takes it at the start of its transaction function, so every pair of the
 * batch is scored, explained and recorded under one model version, and a retry takes the matcher of
 * that moment. Replacing it is one assignment: no batch ever sees half a model.
 *
 * Matchers of one process differ only in their parameters (m, u, lambda, term frequencies): the
 * blocking rules, the key secret and normalisation stay, so the keys stored in the graph and the
 * records in the candidate cache stay valid across a replacement.
 */
export interface MatcherSource {
  /** The matcher to score with now. */
  current(): RecordMatcher;
}

export interface SwappableMatcher extends MatcherSource {
  /**
   * Makes `next` the current matcher. The one it replaces forgets its values at once (a batch still
   * scoring with it derives them again as it goes), so they do not outlive its sweep clock.
   */
  replace(next: RecordMatcher): void;
  /** Empties the current matcher's value memo (the sweep clock of resolver-factory.ts). */
  forgetValues(): void;
}

export function createMatcherSource(initial: RecordMatcher): SwappableMatcher {
  let matcher = initial;
  return {
    current: () => matcher,
    replace(next) {
      const previous = matcher;
      matcher = next;
      if (previous !== next) previous.forgetValues();
    },
    forgetValues: () => matcher.forgetValues(),
  };
}
