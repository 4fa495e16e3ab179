import { describe, expect, it } from 'vitest';
import {
  privacyReportSchema,
  privacyRequestBodySchema,
} from '../../src/privacy/privacy-contract.js';

/** The request body every client sends (API and CLI): what it accepts and what it refuses, where. */

const identifiers = [{ type: 'email', value: 'ann@example.org' }];
const issues = (body: unknown) => {
  const parsed = privacyRequestBodySchema.safeParse(body);
  return parsed.success ? [] : parsed.error.issues.map((i) => i.path.join('.'));
};

describe('privacy request body', () => {
  it('accepts a person or identifiers as the subject, and a trimmed reason', () => {
    const person = privacyRequestBodySchema.parse({
      type: 'erase',
      subject: { personId: 'per_abc' },
      reason: '  ticket 1 ',
      requestId: 'crm:ticket-1',
    });
    expect(person).toEqual({
      type: 'erase',
      subject: { personId: 'per_abc' },
      reason: 'ticket 1',
      requestId: 'crm:ticket-1',
    });
    expect(issues({ type: 'access', subject: { identifiers }, reason: 'r' })).toEqual([]);
    expect(
      issues({ type: 'revoke', subject: { identifiers }, purposes: ['marketing'], reason: 'r' }),
    ).toEqual([]);
  });

  it('requires purposes for revoke and refuses them elsewhere', () => {
    expect(issues({ type: 'revoke', subject: { identifiers }, reason: 'r' })).toEqual(['purposes']);
    expect(
      issues({ type: 'erase', subject: { identifiers }, purposes: ['marketing'], reason: 'r' }),
    ).toEqual(['purposes']);
    expect(
      issues({
        type: 'revoke',
        subject: { identifiers },
        purposes: ['Not A Purpose'],
        reason: 'r',
      }),
    ).toEqual(['purposes.0']);
  });

  it('takes identifiers only for unsuppress: a suppressed identifier belongs to no person', () => {
    expect(issues({ type: 'unsuppress', subject: { personId: 'per_x' }, reason: 'r' })).toEqual([
      'subject',
    ]);
  });

  it('bounds the subject, the reason and the requestId, and refuses unknown fields', () => {
    const many = Array.from({ length: 1001 }, (_, i) => ({ type: 'user_id', value: `u${i}` }));
    const inSubject = [expect.stringMatching(/^subject/)];
    expect(issues({ type: 'erase', subject: { identifiers: many }, reason: 'r' })).toEqual(
      inSubject,
    );
    expect(issues({ type: 'erase', subject: { identifiers: [] }, reason: 'r' })).toEqual(inSubject);
    expect(issues({ type: 'erase', subject: { identifiers }, reason: '   ' })).toEqual(['reason']);
    expect(issues({ type: 'erase', subject: { identifiers }, reason: 'x'.repeat(501) })).toEqual([
      'reason',
    ]);
    expect(
      issues({ type: 'erase', subject: { identifiers }, reason: 'r', requestId: 'a b' }),
    ).toEqual(['requestId']);
    expect(issues({ type: 'erase', subject: { identifiers }, reason: 'r', extra: 1 })).toEqual([
      '',
    ]);
    expect(issues({ type: 'delete', subject: { identifiers }, reason: 'r' })).toEqual(['type']);
    expect(
      issues({ type: 'erase', subject: { personId: 'per_x', identifiers }, reason: 'r' }),
    ).toEqual(['subject']);
  });
});

describe('privacy report', () => {
  it('has room for every field the request types report, ids and counts only', () => {
    const report = {
      subject: { identifiers: 3, notFound: 1, invalid: { invalid_email: 1 }, personId: 'per_a' },
      linksWithdrawn: ['lnk_1'],
      purposesRemoved: { lnk_2: ['marketing'] },
      personsSplit: [{ personId: 'per_a', parts: ['per_b'] }],
      personsErased: ['per_c'],
      identifiersErased: 3,
      recordsErased: 1,
      eventsErased: 2,
      eventsScrubbed: 1,
      reviewsErased: 0,
      jobsScrubbed: 1,
      suppressionsAdded: 3,
      suppressionsLifted: 0,
      exported: { identifiers: 3 },
      webhooksDelivered: 2,
      truncated: { linksWithdrawn: 5000 },
      durationMs: 1200,
    };
    expect(privacyReportSchema.parse(report)).toEqual(report);
    expect(privacyReportSchema.safeParse({ identifiersErased: -1 }).success).toBe(false);
  });
});
