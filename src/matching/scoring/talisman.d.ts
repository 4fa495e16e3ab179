/**
 * talisman ships CommonJS without type declarations; these are the two metrics we import, by their
 * deep paths (the package has no `exports` map, so deep imports are its public surface).
 */
declare module 'talisman/metrics/jaro-winkler.js' {
  /** Jaro–Winkler similarity in [0, 1]; prefix scale 0.1, boost threshold 0.7. */
  const jaroWinkler: (a: string, b: string) => number;
  export default jaroWinkler;
}

declare module 'talisman/metrics/damerau-levenshtein.js' {
  /** Optimal string alignment distance (adjacent transposition = one edit). */
  const damerauLevenshtein: (a: string, b: string) => number;
  export default damerauLevenshtein;
}
