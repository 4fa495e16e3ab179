import { event, ingest, type TestService } from '../integration/harness.js';
import { jonathan, jonathanTypo, maria, mariaElsewhere } from '../support/sample-people.js';

/**
 * The e2e scenario: persons with deterministic links, a probabilistic link and a pending review,
 * built through the real pipeline (POST /v1/events -> worker -> graph). The service runs the
 * built-in model with the thresholds test/integration/matching.test.ts checks its pairs against.
 */
export const MATCHING_ENV = { MATCH_AUTO_THRESHOLD: '0.999', MATCH_REVIEW_THRESHOLD: '0.05' };

export const JONATHAN_EMAIL = { type: 'email', value: 'jw@crm.example' };
export const MARIA_EMAILS = [
  { type: 'email', value: 'maria@crm.example' },
  { type: 'email', value: 'mk90@shop.example' },
];

export async function buildScenario(service: Pick<TestService, 'baseUrl'>): Promise<void> {
  const purposes = { consent: { purposes: { marketing: true, analytics: true } } };
  await ingest(service, [
    event(
      [
        JONATHAN_EMAIL,
        { type: 'phone', value: '+61 2 6123 4567' },
        { type: 'crm_id', value: 'C-1001' },
      ],
      { source: 'crm', attributes: jonathan, ...purposes },
    ),
    event(
      [
        { type: 'crm_id', value: 'C-1001' },
        { type: 'cookie_id', value: 'ck-77aa' },
      ],
      {
        source: 'web',
        consent: { purposes: { marketing: false, analytics: true } },
      },
    ),
  ]);
  await ingest(service, [
    event(
      [
        { type: 'email', value: 'jonathon.w@shop.example' },
        { type: 'device_id', value: 'dev-9f' },
      ],
      {
        source: 'shop',
        attributes: jonathanTypo,
        ...purposes,
      },
    ),
  ]);
  await ingest(service, [
    event([MARIA_EMAILS[0]!], { source: 'crm', attributes: maria }),
    event([MARIA_EMAILS[1]!], { source: 'shop', attributes: mariaElsewhere }),
  ]);
}
