import { describe, expect, it } from 'vitest';
import { CliError } from '../../src/cli/cli-context.js';
import { type PrivacyCreateOptions, privacyBody } from '../../src/cli/commands/privacy.js';
import { formatPrivacyRequest } from '../../src/cli/privacy-summary.js';
import type { PrivacyRequestView } from '../../src/privacy/privacy-contract.js';

/** `idgraph privacy`: options to the API's request body, and the request as it is printed. */

const options = (overrides: Partial<PrivacyCreateOptions>): PrivacyCreateOptions => ({
  identifier: [],
  purpose: [],
  reason: 'ticket 1',
  wait: false,
  timeout: 600,
  json: false,
  ...overrides,
});

const usage = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    if (error instanceof CliError) return `${error.exitCode} ${error.message}`;
    throw error;
  }
  return 'no error';
};

describe('idgraph privacy options', () => {
  it('builds the body the API takes: identifiers split at the first =, purposes for revoke', () => {
    expect(
      privacyBody(
        'revoke',
        options({
          identifier: ['email=a@b.org', 'external_id=crm:x=1'],
          purpose: ['marketing', 'identity_linking'],
          requestId: 'T-1',
        }),
      ),
    ).toEqual({
      type: 'revoke',
      subject: {
        identifiers: [
          { type: 'email', value: 'a@b.org' },
          { type: 'external_id', value: 'crm:x=1' },
        ],
      },
      purposes: ['marketing', 'identity_linking'],
      reason: 'ticket 1',
      requestId: 'T-1',
    });
    expect(privacyBody('erase', options({ person: 'per_a' })).subject).toEqual({
      personId: 'per_a',
    });
  });

  it('refuses what the API refuses, naming the option (exit code 2)', () => {
    expect(usage(() => privacyBody('erase', options({})))).toBe(
      '2 name the subject: --person <id> or --identifier type=value',
    );
    expect(
      usage(() =>
        privacyBody('erase', options({ person: 'per_a', identifier: ['email=a@b.org'] })),
      ),
    ).toMatch(/^2 name the subject/);
    expect(usage(() => privacyBody('erase', options({ identifier: ['email'] })))).toBe(
      '2 --identifier: write it as type=value',
    );
    expect(usage(() => privacyBody('revoke', options({ person: 'per_a' })))).toBe(
      '2 --purpose: required for revoke',
    );
    expect(
      usage(() => privacyBody('access', options({ person: 'per_a', purpose: ['marketing'] }))),
    ).toBe('2 --purpose: only revoke takes purposes');
    expect(usage(() => privacyBody('unsuppress', options({ person: 'per_a' })))).toMatch(
      /^2 --person: unsuppress names identifiers/,
    );
    expect(usage(() => privacyBody('erase', options({ person: 'per_a', reason: ' ' })))).toMatch(
      /^2 --reason: /,
    );
  });
});

describe('idgraph privacy output', () => {
  const view: PrivacyRequestView = {
    id: 'prq_a',
    type: 'erase',
    status: 'completed',
    requestId: 'T-1',
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:02.000Z',
    actor: 'cli:ann',
    reason: 'ticket\u001b[31m 1',
    stepsDone: ['resolve_subject', 'suppress'],
    report: {
      subject: { identifiers: 3, notFound: 1, invalid: { invalid_email: 2 }, personId: 'per_a' },
      personsErased: ['per_a', 'per_b', 'per_c', 'per_d', 'per_e', 'per_f'],
      truncated: { personsErased: 1500 },
      suppressionsAdded: 3,
      personsSplit: [{ personId: 'per_x', parts: ['per_y'] }],
      aofRewrite: 'started',
      durationMs: 2000,
    },
  };

  it('prints the fields, then the report: counts, lists cut to a few with their full count', () => {
    expect(formatPrivacyRequest(view)).toBe(
      [
        'request     prq_a',
        'type        erase',
        'status      completed',
        'request id  T-1',
        'created     2026-01-01T00:00:00.000Z',
        'updated     2026-01-01T00:00:02.000Z',
        'actor       cli:ann',
        'reason      ticket\\u001b[31m 1',
        'steps done  resolve_subject, suppress',
        '',
        'report',
        '  identifiers              3',
        '  not found                1',
        '  invalid (invalid_email)  2',
        '  person                   per_a',
        '  persons erased           1,500: per_a, per_b, per_c, per_d, per_e, ...',
        '  suppressions added       3',
        '  persons split            per_x -> per_y',
        '  aof rewrite              started',
        '  duration                 2.0 s',
        '',
      ].join('\n'),
    );
  });

  it('prints a request without a report, and a failure', () => {
    const failed = formatPrivacyRequest({
      ...view,
      status: 'failed',
      stepsDone: [],
      failure: 'suppress: GraphUnavailableError',
      report: undefined,
    });
    expect(failed).toContain('steps done  (none)\nfailure     suppress: GraphUnavailableError\n');
    expect(failed).not.toContain('report');
  });
});
