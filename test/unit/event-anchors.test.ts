import { describe, expect, it } from 'vitest';
import { reanchorRows } from '../../src/resolver/event-anchors.js';

const event = (
  key: string,
  occurredAt: number,
  ends: [string, string | null, string[]][],
  extra: { purposes?: string[]; payload?: string } = {},
) => ({
  key,
  source: key.split('/')[0]!,
  occurredAt,
  purposes: extra.purposes ?? ['identity_linking', 'marketing'],
  payload: extra.payload ?? '{}',
  ends,
});

describe('re-anchoring an event whose anchor leaves', () => {
  it('links the identifiers that stay to the first of them, per person, with the event’s provenance', () => {
    const rows = reanchorRows(
      [
        event(
          'web/1',
          5,
          [
            ['a', 'p1', []],
            ['b', 'p1', []],
            ['c', 'p1', ['marketing']],
            ['d', 'p1', ['identity_linking']],
            ['x', 'p2', []],
            ['y', 'p2', []],
          ],
          { payload: '{"confidence":0.7}' },
        ),
      ],
      new Set(['a']),
      (_key, person) => person ?? undefined,
    );
    expect([...rows.values()].map(([from, to, , ...rest]) => [from, to, ...rest])).toEqual([
      ['b', 'c', 5, 5, ['web'], ['identity_linking'], ['web/1'], 0.7],
      ['x', 'y', 5, 5, ['web'], ['identity_linking', 'marketing'], ['web/1'], 0.7],
    ]);
  });

  it('adds the evidence of every event that saw a pair to one row, oldest first', () => {
    const ends: [string, string, string[]][] = [
      ['b', 'p1', []],
      ['c', 'p1', []],
    ];
    const rows = reanchorRows(
      [event('crm/9', 9, ends, { purposes: ['analytics'] }), event('web/2', 2, ends)],
      new Set(),
      () => 'one side',
    );
    expect([...rows.values()].map(([from, to, , ...rest]) => [from, to, ...rest])).toEqual([
      [
        'b',
        'c',
        2,
        9,
        ['web', 'crm'],
        ['identity_linking', 'marketing', 'analytics'],
        ['web/2', 'crm/9'],
        1,
      ],
    ]);
  });

  it('links nothing where one identifier stays, or none has a side', () => {
    const ends: [string, string, string[]][] = [
      ['a', 'p1', []],
      ['b', 'p1', []],
    ];
    expect(reanchorRows([event('web/1', 1, ends)], new Set(['a']), () => 's').size).toBe(0);
    expect(reanchorRows([event('web/1', 1, ends)], new Set(), () => undefined).size).toBe(0);
  });
});
