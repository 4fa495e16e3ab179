import { describe, expect, it } from 'vitest';
import { personSchema, reviewListSchema } from '../../src/api/schemas.js';
import { ADMIN_KEY, http, resolve, serviceForTests, testKeys } from '../integration/harness.js';
import { browserForTests, drawnGraph, newPage, screenshot, signIn } from './browser.js';
import { buildScenario, MARIA_EMAILS, MATCHING_ENV } from './fixtures.js';

/**
 * The review queue in the console: the two records side by side with their comparison levels, a
 * match decision that joins the persons, and no decision control for a key without audit:write.
 */
const AUDITOR = {
  name: 'test-auditor',
  key: 'test-auditor-key-0123456789',
  scopes: ['persons:read', 'audit:read'],
};
const service = serviceForTests({
  ...MATCHING_ENV,
  IDGRAPH_API_KEYS: JSON.stringify([...testKeys, AUDITOR]),
});
const browser = browserForTests();

async function pendingReview() {
  const list = await http(
    service().baseUrl,
    'GET',
    '/v1/reviews?status=pending',
    undefined,
    reviewListSchema,
  );
  expect(list.body.items).toHaveLength(1);
  return list.body.items[0]!;
}

describe('audit console: review queue', () => {
  it('shows a key without audit:write the records but no decision control', async () => {
    await buildScenario(service());
    const review = await pendingReview();
    const { page, problems } = await newPage(browser());
    await signIn(page, service().baseUrl, AUDITOR.key);
    await page.getByRole('link', { name: 'Review queue' }).click();
    const item = page.locator(`article[data-review-id="${review.id}"]`);
    await item.locator('table.review-compare').waitFor();
    expect(await item.getByRole('button').count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Match', exact: true }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'No match' }).count()).toBe(0);
    // Nor the privacy form, without privacy:write.
    await page.getByRole('link', { name: 'Privacy requests' }).click();
    await page.getByRole('table', { name: 'Privacy requests' }).waitFor();
    expect(await page.getByRole('form', { name: 'New privacy request' }).count()).toBe(0);
    expect(problems).toEqual([]);
  });

  it('shows the pair side by side with levels highlighted; a match joins the two persons', async () => {
    await buildScenario(service());
    const review = await pendingReview();
    const before = await resolve(service(), MARIA_EMAILS);
    expect(before[0]!.personId).not.toBe(before[1]!.personId);

    const { page, problems } = await newPage(browser());
    await signIn(page, service().baseUrl, ADMIN_KEY);
    await page.getByRole('link', { name: 'Review queue' }).click();
    const item = page.locator(`article[data-review-id="${review.id}"]`);
    await item.locator('table.review-compare').waitFor();
    // Every compared attribute's row is marked with the level the API's comparison vector gives:
    // the most similar level agrees, a lower one that still weighs for a match is partial.
    const comparisons = (
      review.explanation as { comparisons: { attribute: string; level: number; weight: number }[] }
    ).comparisons;
    const expected = (c: (typeof comparisons)[number]) =>
      c.level < 0
        ? 'level-missing'
        : c.weight <= 0
          ? 'level-disagree'
          : c.level === 0
            ? 'level-agree'
            : 'level-partial';
    for (const c of comparisons)
      await expect(
        item.locator(`tr[data-attribute="${c.attribute}"]`).getAttribute('class'),
      ).resolves.toBe(expected(c));
    // Same first names: agree; birth dates a fortnight apart: not the top level.
    expect(expected(comparisons.find((c) => c.attribute === 'firstName')!)).toBe('level-agree');
    expect(expected(comparisons.find((c) => c.attribute === 'dateOfBirth')!)).not.toBe(
      'level-agree',
    );
    const names = await item.locator('tr[data-attribute="lastName"] td').allTextContents();
    expect(names[0]!.toLowerCase()).toBe(names[1]!.toLowerCase());
    await screenshot(page, 'review');

    await item.locator('input[name="reason"]').fill('ticket REV-7: same customer moved');
    await item.getByRole('button', { name: 'Match', exact: true }).click();
    const result = item.locator('.decision-result');
    await result.waitFor();
    const shown = await result.locator('a[data-person-id]').getAttribute('data-person-id');

    const after = await resolve(service(), MARIA_EMAILS);
    expect(after[0]!.personId).toBe(after[1]!.personId);
    expect(shown).toBe(after[0]!.personId);

    // The joined person: both identifiers, and the manual link between them.
    await result.locator('a[data-person-id]').click();
    const person = await http(
      service().baseUrl,
      'GET',
      `/v1/persons/${shown}`,
      undefined,
      personSchema,
    );
    expect(person.body.identifiers).toHaveLength(2);
    expect(await drawnGraph(page)).toEqual({ nodes: 2, edges: 1 });
    expect(problems).toEqual([]);
  });
});
