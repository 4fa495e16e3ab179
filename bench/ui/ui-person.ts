/**
 * The rows of a benchmark person of `size` identifiers (cypher/bench/write/ui-person): types cycle
 * through four, and identifier n links to identifier (n - 1) / 3, a tree of size - 1 links; every
 * tenth link is probabilistic with a confidence below 1, the rest deterministic.
 */
const TYPES = ['email', 'phone', 'cookie_id', 'device_id'];

export function uiPerson(size: number) {
  const prefix = `ui${size}`;
  const identifiers = Array.from({ length: size }, (_, n) => {
    const type = TYPES[n % TYPES.length]!;
    const value = `${prefix}-${n}`;
    return { key: `${type}:${value}`, type, value };
  });
  const links = identifiers.slice(1).map((to, index) => {
    const n = index + 1;
    const probabilistic = n % 10 === 0;
    return {
      fromKey: identifiers[Math.floor((n - 1) / 3)]!.key,
      toKey: to.key,
      id: `lnk_${prefix}_${n}`,
      method: probabilistic ? 'probabilistic' : 'deterministic',
      rule: probabilistic ? 'fellegi_sunter' : 'same_event',
      confidence: probabilistic ? 0.995 : 1,
      event: `bench/${prefix}-${n}`,
    };
  });
  return { identifiers, links, purposes: ['identity_linking', 'analytics'] };
}
