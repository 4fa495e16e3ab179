import { describe, expect, it } from 'vitest';
import { type Attributes, offlineProbability } from '../support/offline-score.js';
import { personLinksSchema } from '../../src/api/schemas.js';
import {
  event,
  http,
  ingest,
  invariants,
  noViolations,
  resolve,
  serviceForTests,
} from './harness.js';

/**
 * What a job reports about its attribute values and its blocking, in GET /v1/jobs/{id} and in
 * /metrics: dirty values kept and counted (never refused, never shown), blocks skipped for size
 * counted under their rule's name. The service runs the default model with a block size limit of
 * two records, so a third record sharing a block shows.
 */

const AUTO = 0.999;

const current = serviceForTests({
  MATCH_AUTO_THRESHOLD: String(AUTO),
  MATCH_REVIEW_THRESHOLD: '0.05',
  MATCH_MAX_BLOCK_SIZE: '2',
});

const email = (value: string) => ({ type: 'email', value });

/** A counter's value in /metrics (0 when the series is absent). */
async function metric(name: string, labels: string): Promise<number> {
  const answer = await http<string>(
    current().baseUrl,
    'GET',
    '/metrics',
    undefined,
    undefined,
    null,
  );
  expect(answer.status).toBe(200);
  const line = answer.body.split('\n').find((l) => l.startsWith(`${name}{${labels}} `));
  return line ? Number(line.split(' ')[1]) : 0;
}

describe('attribute warnings', () => {
  const ebenezer: Attributes = {
    firstName: 'Ebenezer',
    lastName: 'Hartwell',
    dateOfBirth: '1856-86-18',
    street: 'Mill Lane',
    streetNumber: '3',
    postcode: '2450',
    city: 'Coffs Harbour',
  };
  // The same person from the shop: the same names and (dirty) date, the street abbreviated.
  const ebenezerShop: Attributes = { ...ebenezer, street: 'Mill Ln' };

  it('accepts a batch with impossible dates of birth whole, counts them in the job, and still matches a duplicate', async () => {
    const p = offlineProbability(ebenezer, ebenezerShop);
    expect(p).toBeGreaterThanOrEqual(AUTO);
    const warnedBefore = await metric(
      'idgraph_attribute_warnings_total',
      'attribute="dateOfBirth"',
    );

    const job = await ingest(current(), [
      event([email('ebenezer@crm.example')], { source: 'crm', attributes: ebenezer }),
      event([email('ada@crm.example')], {
        source: 'crm',
        attributes: { firstName: 'Adaeze', lastName: 'Quinlan', dateOfBirth: '1845-00-01' },
      }),
      event([email('tomas@crm.example')], {
        source: 'crm',
        attributes: { firstName: 'Tomas', lastName: 'Lindgren', dateOfBirth: '1977-05-21' },
      }),
    ]);
    expect(job.state).toBe('completed');
    expect(job.counts).toEqual({ applied: 3, duplicates: 0, rejected: 0, suppressed: 0 });
    expect(job.rejected).toEqual([]);
    expect(job.attributeWarnings).toEqual({ dateOfBirth: 2 });
    expect(job.matching).toMatchObject({ records: 3 });
    // Names of attributes, never their values.
    expect(JSON.stringify(job)).not.toMatch(/1856|1845|Ebenezer|Hartwell/);
    expect(await metric('idgraph_attribute_warnings_total', 'attribute="dateOfBirth"')).toBe(
      warnedBefore + 2,
    );

    const second = await ingest(current(), [
      event([email('e.hartwell@shop.example')], { source: 'shop', attributes: ebenezerShop }),
    ]);
    expect(second.attributeWarnings).toEqual({ dateOfBirth: 1 });
    expect(second.matching).toMatchObject({ records: 1, matched: 1 });
    const [crm, shop] = await resolve(current(), [
      email('ebenezer@crm.example'),
      email('e.hartwell@shop.example'),
    ]);
    expect(shop!.personId).toBe(crm!.personId);
    // The link carries the pair's probability (an unscoped lookup answers 1: membership is certain).
    const links = await http(
      current().baseUrl,
      'GET',
      `/v1/persons/${crm!.personId}/links`,
      undefined,
      personLinksSchema,
    );
    expect(links.body.links).toHaveLength(1);
    expect(links.body.links[0]).toMatchObject({ method: 'probabilistic', status: 'active' });
    expect(links.body.links[0]!.confidence).toBeCloseTo(p, 12);
    expect(await invariants(current().graph)).toEqual(noViolations);
  });
});

describe('skipped blocks', () => {
  // Three people sharing only a birth date: the birth-date block (rule `dob`) holds three records,
  // one more than the limit.
  const people: [string, Attributes][] = [
    [
      'annabel@crm.example',
      {
        firstName: 'Annabel',
        lastName: 'Ostrowski',
        dateOfBirth: '1961-08-30',
        street: 'Elm Road',
        streetNumber: '7',
        postcode: '4000',
      },
    ],
    [
      'gregory@crm.example',
      {
        firstName: 'Gregory',
        lastName: 'Haddad',
        dateOfBirth: '1961-08-30',
        street: 'Quay Lane',
        streetNumber: '19',
        postcode: '7250',
      },
    ],
    [
      'yusuf@crm.example',
      {
        firstName: 'Yusuf',
        lastName: 'Brennan',
        dateOfBirth: '1961-08-30',
        street: 'Wattle Crescent',
        streetNumber: '2',
        postcode: '6100',
      },
    ],
  ];

  it('counts a block skipped for size under its rule name, in the job and in /metrics', async () => {
    const skippedBefore = await metric('idgraph_matching_blocks_skipped_total', 'rule="dob"');
    const first = await ingest(
      current(),
      people
        .slice(0, 2)
        .map(([address, attributes]) => event([email(address)], { source: 'crm', attributes })),
    );
    // Two records: the block is at the limit, not over it; they are each other's candidate.
    expect(first.matching).toMatchObject({ records: 2, candidates: 2, byRule: {} });

    const [address, attributes] = people[2]!;
    const third = await ingest(current(), [event([email(address)], { source: 'crm', attributes })]);
    expect(third.matching).toEqual({
      records: 1,
      candidates: 0,
      capped: 0,
      scored: 0,
      matched: 0,
      reviews: 0,
      identityHeld: 0,
      consentDenied: 0,
      byRule: { dob: { skippedBlocks: 1, cappedRecords: 0, cutCandidates: 0 } },
    });
    expect(await metric('idgraph_matching_blocks_skipped_total', 'rule="dob"')).toBe(
      skippedBefore + 1,
    );
  });
});
