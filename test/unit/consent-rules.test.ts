import { describe, expect, it } from 'vitest';
import {
  type ConsentAssertion,
  foldConsent,
  outranks,
  PRIVACY_REQUEST_SOURCE,
} from '../../src/consent/consent-rules.js';
import { batchConsent } from '../../src/resolver/batch-consent.js';
import type { PreparedEvent } from '../../src/resolver/prepare-events.js';
import { planResolution } from '../../src/resolver/resolution-plan.js';

const event = (at: number, granted: boolean, key = `web/e${at}`): ConsentAssertion => ({
  purpose: 'marketing',
  granted,
  at,
  source: 'web',
  eventKey: key,
  requestId: null,
});
const request = (at: number, granted: boolean, id = `prq_${at}`): ConsentAssertion => ({
  purpose: 'marketing',
  granted,
  at,
  source: PRIVACY_REQUEST_SOURCE,
  eventKey: null,
  requestId: id,
});

describe('consent: the newest assertion wins', () => {
  it('an event replaces an older event, never a newer one', () => {
    expect(outranks(event(2, false), event(1, true))).toBe(true);
    expect(outranks(event(1, false), event(2, true))).toBe(false);
    expect(outranks(event(1, false), undefined)).toBe(true);
  });

  it('two events of the same instant: the larger event key wins, whichever comes first', () => {
    const a = event(5, true, 'crm/1');
    const b = event(5, false, 'web/1');
    expect(outranks(b, a)).toBe(true);
    expect(outranks(a, b)).toBe(false);
    expect(foldConsent(undefined, [a, b]).state).toBe(b);
    expect(foldConsent(b, [a]).state).toBeUndefined();
  });

  it('a request outranks events of its time or older; only a strictly newer event replaces it', () => {
    expect(outranks(request(5, false), event(5, true))).toBe(true);
    expect(outranks(request(5, false), event(4, true))).toBe(true);
    expect(outranks(request(5, false), event(6, true))).toBe(false);
    expect(outranks(event(5, true), request(5, false))).toBe(false);
    expect(outranks(event(6, true), request(5, false))).toBe(true);
    // A later request of the same instant replaces an earlier one.
    expect(outranks(request(5, true, 'prq_b'), request(5, false, 'prq_a'))).toBe(true);
  });

  it('history records the first assertion and each flip, not repeats of the same answer', () => {
    const fold = foldConsent(undefined, [
      event(1, true),
      event(2, true),
      event(3, false),
      event(4, false),
      event(5, true),
    ]);
    expect(fold.state).toEqual(event(5, true));
    expect(fold.changes).toEqual([event(1, true), event(3, false), event(5, true)]);
  });

  it('an older assertion changes nothing and records nothing', () => {
    expect(foldConsent(event(10, false), [event(3, true)])).toEqual({
      state: undefined,
      changes: [],
    });
  });

  it('the same request again changes nothing, so a request step run twice records once', () => {
    const first = foldConsent(event(1, true), [request(5, false)]);
    expect(first.changes).toEqual([request(5, false)]);
    expect(foldConsent(first.state, [request(5, false)])).toEqual({
      state: undefined,
      changes: [],
    });
  });
});

function prepared(
  key: string,
  occurredAt: number,
  identifiers: string[],
  consent?: Record<string, boolean>,
): PreparedEvent {
  return {
    key,
    eventId: key,
    source: 'web',
    occurredAt,
    identifiers: identifiers.map((k) => ({ key: k, type: 'email', value: k })),
    linking: consent?.identity_linking !== false,
    purposes: Object.keys(consent ?? {}).filter((p) => consent![p]),
    confidence: 1,
    payload: '{}',
    ...(consent ? { consent } : {}),
  };
}

const elementIds = (keys: string[]) => new Map(keys.map((k) => [k, `el-${k}`]));
const denied = (at: number, requestId: string | null = null) =>
  new Map([
    [
      'identity_linking',
      {
        purpose: 'identity_linking',
        granted: false,
        at,
        source: requestId ? PRIVACY_REQUEST_SOURCE : 'web',
        eventKey: requestId ? null : 'web/old',
        requestId,
      },
    ],
  ]);

describe("a batch's consent", () => {
  it('events without consent on identifiers without state: nothing to write, nothing unlinked', () => {
    const result = batchConsent([prepared('web/1', 1, ['a', 'b'])], new Map(), elementIds(['a']));
    expect(result).toEqual({ unlinked: new Map(), denied: new Set(), rows: [] });
  });

  it('an identifier denied before the batch is unlinked in events without consent', () => {
    const events = [prepared('web/1', 10, ['a', 'b', 'c'])];
    const result = batchConsent(events, new Map([['a', denied(5)]]), elementIds(['a', 'b', 'c']));
    expect(result.unlinked).toEqual(new Map([['web/1', ['a']]]));
    expect(result.denied).toEqual(new Set(['a']));
    expect(result.rows).toEqual([]);
    // The plan links b and c, and leaves a in a person of its own.
    const plan = planResolution({
      events: events.map((e) => ({ ...e, unlinked: result.unlinked.get(e.key) })),
      personOf: new Map([
        ['a', 'per_a'],
        ['b', null],
        ['c', null],
      ]),
      persons: new Map(),
      limits: {},
      now: 0,
      newPersonId: () => 'per_new',
    });
    expect(plan.links.map((l) => [l.fromKey, l.toKey])).toEqual([['b', 'c']]);
    expect(plan.personOf.get('a')).toBe('per_a');
    expect(plan.personOf.get('b')).toBe('per_new');
  });

  it('a newer event granting identity_linking grants it again and links; older events before it do not', () => {
    const events = [
      prepared('web/late', 20, ['a', 'c'], { identity_linking: true }),
      prepared('web/early', 8, ['a', 'b']),
    ];
    const result = batchConsent(events, new Map([['a', denied(5)]]), elementIds(['a', 'b', 'c']));
    expect(result.unlinked).toEqual(new Map([['web/early', ['a']]]));
    expect(result.denied).toEqual(new Set());
    // a's state replaced, c's first; each with its history entry.
    expect(result.rows.map((r) => r[0]).sort()).toEqual(['el-a', 'el-c']);
    const row = result.rows.find((r) => r[0] === 'el-a');
    expect(row!.slice(0, 7)).toEqual([
      'el-a',
      'identity_linking',
      true,
      20,
      'web',
      'web/late',
      null,
    ]);
    expect(row![7].map((c) => c.slice(1))).toEqual([[true, 20, 'web', 'web/late', null]]);
  });

  it('an event granting identity_linking no later than a request denying it stays unlinked', () => {
    const events = [prepared('web/1', 5, ['a', 'b'], { identity_linking: true })];
    const result = batchConsent(
      events,
      new Map([['a', denied(5, 'prq_1')]]),
      elementIds(['a', 'b']),
    );
    expect(result.unlinked).toEqual(new Map([['web/1', ['a']]]));
    expect(result.denied).toEqual(new Set(['a']));
    // b gets its first identity_linking state; a keeps the request's.
    expect(result.rows.map((r) => r[0])).toEqual(['el-b']);
  });

  it("an event refusing identity_linking denies it for the batch's later events", () => {
    const events = [
      prepared('web/2', 2, ['a', 'b']),
      prepared('web/1', 1, ['a'], { identity_linking: false }),
    ];
    const result = batchConsent(events, new Map(), elementIds(['a', 'b']));
    expect(result.unlinked).toEqual(new Map([['web/2', ['a']]]));
    expect(result.denied).toEqual(new Set(['a']));
  });
});
