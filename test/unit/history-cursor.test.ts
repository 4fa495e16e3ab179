import { describe, expect, it } from 'vitest';
import { decodeHistoryCursor, encodeHistoryCursor } from '../../src/history/history-cursor.js';
import { historyItem, type HistoryRow } from '../../src/history/history-items.js';

describe('history cursors', () => {
  it('name the position they were made from', () => {
    const position = { at: 1767225601000, rank: 1, key: 'lnk_AbC-12_x' };
    expect(decodeHistoryCursor(encodeHistoryCursor(position))).toEqual(position);
  });

  it('refuse anything this encoder did not make', () => {
    const good = encodeHistoryCursor({ at: 5, rank: 2, key: 'aud_x' });
    const forged = (value: unknown) =>
      Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
    for (const cursor of [
      'not-a-cursor',
      `${good}A`,
      good.slice(0, -2),
      forged(['h2', 5, 2, 'aud_x']),
      forged(['h1', 5.5, 2, 'aud_x']),
      forged(['h1', 5, 2, "aud_x' OR 1=1"]),
      forged(['h1', 5, 2]),
      forged({ at: 5, rank: 2, key: 'aud_x' }),
      'x'.repeat(600),
    ])
      expect(decodeHistoryCursor(cursor)).toBeUndefined();
  });
});

describe('history items', () => {
  const row = (over: Partial<HistoryRow>): HistoryRow => ({
    at: Date.UTC(2026, 0, 1),
    rank: 2,
    key: 'k',
    created: null,
    link: null,
    audit: null,
    ...over,
  });

  it('pass an audit record through with its kind and fields, the resolver as actor when it names none', () => {
    const item = historyItem(
      row({
        audit: {
          id: 'aud_1',
          kind: 'constraint_added',
          at: Date.UTC(2026, 0, 1),
          personIds: ['per_1'],
          constraintId: 'cst_1',
          requestId: null,
        },
      }),
    );
    expect(item).toEqual({
      kind: 'constraint_added',
      at: '2026-01-01T00:00:00.000Z',
      actor: 'resolver',
      auditId: 'aud_1',
      personIds: ['per_1'],
      constraintId: 'cst_1',
    });
  });

  it('count the identifiers a person was created with by type', () => {
    const item = historyItem(
      row({
        rank: 0,
        created: { id: 'per_1', splitFrom: null, identifierTypes: ['email', 'cookie_id', 'email'] },
      }),
    );
    expect(item).toEqual({
      kind: 'created',
      at: '2026-01-01T00:00:00.000Z',
      actor: 'resolver',
      auditId: null,
      personId: 'per_1',
      identifierCount: 3,
      identifierTypes: { cookie_id: 1, email: 2 },
    });
  });
});
