import { describe, expect, it } from 'vitest';
import { createCandidateCache } from '../../src/resolver/record-matching/candidate-cache.js';

const candidate = (key: string) => ({
  id: `rec_${key}`,
  key,
  anchorKey: `external_id:${key}`,
  record: { id: key, values: { firstName: 'ann' } },
});

describe('candidate cache', () => {
  it('keeps at most its size, dropping the least recently used', () => {
    const cache = createCandidateCache({ maxEntries: 2, ttlMs: 60_000 });
    cache.set('rec_a', candidate('a'));
    cache.set('rec_b', candidate('b'));
    expect(cache.get('rec_a')?.key).toBe('a'); // a is now the most recent
    cache.set('rec_c', candidate('c'));
    expect(cache.get('rec_b')).toBeUndefined();
    expect(cache.get('rec_a')?.key).toBe('a');
    expect(cache.size).toBe(2);
    cache.close();
  });

  // Values of a record deleted from the graph must not outlive it in memory for longer than this.
  it('forgets entries after their time to live', async () => {
    const cache = createCandidateCache({ maxEntries: 10, ttlMs: 20 });
    cache.set('rec_a', candidate('a'));
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(cache.get('rec_a')).toBeUndefined();
    cache.close();
  });

  it('stores nothing with size 0', () => {
    const cache = createCandidateCache({ maxEntries: 0, ttlMs: 60_000 });
    cache.set('rec_a', candidate('a'));
    expect(cache.get('rec_a')).toBeUndefined();
    expect(cache.size).toBe(0);
    cache.close();
  });
});
