import { describe, expect, it } from 'vitest';
import {
  countWarnings,
  dirtyAttributes,
} from '../../src/resolver/record-matching/attribute-warnings.js';

describe('attribute warnings', () => {
  it('names a date of birth that is not a real calendar date, and nothing else', () => {
    expect(dirtyAttributes({ dateOfBirth: '1856-86-18' })).toEqual(['dateOfBirth']);
    expect(dirtyAttributes({ dateOfBirth: '1845-00-01' })).toEqual(['dateOfBirth']);
    expect(dirtyAttributes({ dateOfBirth: '1990-02-30' })).toEqual(['dateOfBirth']);
    // Not a shape the normaliser reads (day first is ambiguous): kept as given, warned.
    expect(dirtyAttributes({ dateOfBirth: '01/02/1990' })).toEqual(['dateOfBirth']);
    // Calendar dates in the shapes the normaliser reads are clean.
    for (const clean of ['1984-03-17', '1984/3/17', '19840317', '2000-02-29T00:00:00Z'])
      expect(dirtyAttributes({ dateOfBirth: clean, firstName: 'x' })).toEqual([]);
    // Absent or blank: nothing kept, nothing to warn about.
    expect(dirtyAttributes({ firstName: 'Ann' })).toEqual([]);
    expect(dirtyAttributes({ dateOfBirth: '  ' })).toEqual([]);
  });

  it('counts by attribute name', () => {
    const counts: Record<string, number> = {};
    countWarnings(counts, ['dateOfBirth']);
    countWarnings(counts, []);
    countWarnings(counts, ['dateOfBirth']);
    expect(counts).toEqual({ dateOfBirth: 2 });
  });
});
