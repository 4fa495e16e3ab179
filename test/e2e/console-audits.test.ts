import { describe, expect, it } from 'vitest';
import { personSchema } from '../../src/api/schemas.js';
import { ADMIN_KEY, http, resolve, serviceForTests } from '../integration/harness.js';
import { browserForTests, drawnGraph, newPage, openPerson, screenshot, signIn } from './browser.js';
import { buildScenario, JONATHAN_EMAIL, MARIA_EMAILS, MATCHING_ENV } from './fixtures.js';

/**
 * Issue 24's audits in the console: a split previewed then run, the person's history and the
 * person as it was before, and why / why not between two identifiers.
 */
const service = serviceForTests(MATCHING_ENV);
const browser = browserForTests();
const COOKIE = { type: 'cookie_id', value: 'ck-77aa' };

async function identifiersOf(personId: string) {
  const answer = await http(
    service().baseUrl,
    'GET',
    `/v1/persons/${personId}`,
    undefined,
    personSchema,
  );
  return answer.body.identifiers;
}

describe('audit console: manual operations, history, why / why not', () => {
  it('previews a split, changes nothing until it runs, then runs it; the history shows it and the person before it', async () => {
    await buildScenario(service());
    const [before] = await resolve(service(), [JONATHAN_EMAIL]);
    const personId = before!.personId!;
    const count = (await identifiersOf(personId)).length;

    const { page, problems } = await newPage(browser());
    await signIn(page, service().baseUrl, ADMIN_KEY);
    await openPerson(page, personId);
    await drawnGraph(page);
    await page.getByText('Manual operations').click();
    const form = page.getByRole('form', { name: 'Split off identifiers' });
    await form.locator(`input[name="split-identifier"][value="cookie_id:ck-77aa"]`).check();
    await form.locator('input[name="split-reason"]').fill('ticket OPS-3: shared device');
    expect(await form.getByRole('button', { name: 'Run split' }).isDisabled()).toBe(true);
    await form.getByRole('button', { name: 'Preview split' }).click();
    const preview = form.locator('.outcome.preview');
    await preview.waitFor();
    expect(await preview.locator('tbody tr').count()).toBe(2);
    // A preview changes nothing.
    const [still] = await resolve(service(), [COOKIE]);
    expect(still!.personId).toBe(personId);

    const splitAt = new Date();
    await form.getByRole('button', { name: 'Run split' }).click();
    await form.locator('.outcome.done').waitFor();
    const [moved] = await resolve(service(), [COOKIE]);
    expect(moved!.personId).not.toBe(personId);
    const [stays] = await resolve(service(), [JONATHAN_EMAIL]);
    expect(stays!.personId).toBe(personId);
    await page.waitForFunction(
      (n) =>
        (
          globalThis as unknown as { __idgraph?: { cy?: { nodes(): unknown[] } } }
        ).__idgraph?.cy?.nodes().length === n,
      count - 1,
    );

    // The history: the split is there, by this key; as of before it, the person had the cookie.
    await page.getByRole('link', { name: 'History' }).click();
    const history = page.getByRole('table', { name: 'History' });
    await history.locator('tr[data-kind="manual_split"]').waitFor();
    expect(await history.locator('tr[data-kind="manual_split"] td').nth(2).textContent()).toBe(
      'test-admin',
    );
    const earlier = new Date(splitAt.getTime() - 1000);
    const local = new Date(earlier.getTime() - earlier.getTimezoneOffset() * 60_000)
      .toISOString()
      .slice(0, 19);
    await page.locator('input[name="as-of"]').fill(local);
    await page.locator('input[name="as-of"]').press('Enter');
    await page.locator('.person-at [data-graph-state="drawn"]').waitFor();
    expect(await page.getByTestId('at-identifier-count').textContent()).toBe(String(count));
    await screenshot(page, 'history');
    expect(problems).toEqual([]);
  });

  it('explains why two identifiers are not one person, and the path when they are', async () => {
    await buildScenario(service());
    const { page, problems } = await newPage(browser());
    await signIn(page, service().baseUrl, ADMIN_KEY);
    await page.getByRole('link', { name: 'Why / why not' }).click();
    const fill = async (a: { type: string; value: string }, b: { type: string; value: string }) => {
      await page.getByLabel('Identifier A type').fill(a.type);
      await page.getByLabel('Identifier A value').fill(a.value);
      await page.getByLabel('Identifier B type').fill(b.type);
      await page.getByLabel('Identifier B value').fill(b.value);
      await page.getByRole('button', { name: 'Explain' }).click();
    };
    await fill(MARIA_EMAILS[0]!, MARIA_EMAILS[1]!);
    await page.locator('[data-same-person="false"]').waitFor();
    await page.locator('li.reason[data-code="review_pending"]').waitFor();

    await fill(JONATHAN_EMAIL, COOKIE);
    await page.locator('[data-same-person="true"]').waitFor();
    const explained = await http<{ path: unknown[] }>(service().baseUrl, 'POST', '/v1/explain', {
      a: JONATHAN_EMAIL,
      b: COOKIE,
    });
    expect(await page.locator('.explain-path li').count()).toBe(explained.body.path.length);
    expect(problems).toEqual([]);
  });
});
