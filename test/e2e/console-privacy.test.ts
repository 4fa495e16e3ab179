import { describe, expect, it } from 'vitest';
import { privacyRequestViewSchema } from '../../src/privacy/privacy-contract.js';
import { ADMIN_KEY, http, resolve, serviceForTests } from '../integration/harness.js';
import { browserForTests, newPage, screenshot, signIn } from './browser.js';
import { buildScenario, JONATHAN_EMAIL, MATCHING_ENV } from './fixtures.js';

/** Privacy requests in the console: the form creates one; its status and report follow the API. */
const service = serviceForTests(MATCHING_ENV);
const browser = browserForTests();

describe('audit console: privacy requests', () => {
  it('creates an access request from the form and shows it completed, with its report', async () => {
    await buildScenario(service());
    const [resolved] = await resolve(service(), [JONATHAN_EMAIL]);
    const personId = resolved!.personId!;

    const { page, problems } = await newPage(browser());
    await signIn(page, service().baseUrl, ADMIN_KEY);
    await page.getByRole('link', { name: 'Privacy requests' }).click();
    const form = page.getByRole('form', { name: 'New privacy request' });
    await form.locator('select[name="type"]').selectOption('access');
    await form.locator('textarea[name="subject"]').fill(personId);
    await form.locator('input[name="reason"]').fill('ticket PRIV-1042');
    await form.getByRole('button', { name: 'Create request' }).click();

    const detail = page.locator('article.privacy-detail');
    await detail.waitFor();
    const requestId = await detail.getAttribute('data-request-id');
    expect(requestId).toMatch(/^prq_/);
    expect(page.url()).toContain(`#/privacy/${requestId}`);
    // The view polls until the request settles.
    await detail.locator('[data-testid="request-status"]', { hasText: 'completed' }).waitFor({
      timeout: 60_000,
    });
    const api = await http(
      service().baseUrl,
      'GET',
      `/v1/privacy/requests/${requestId}`,
      undefined,
      privacyRequestViewSchema,
    );
    expect(api.body).toMatchObject({ status: 'completed', type: 'access', actor: 'test-admin' });
    expect(api.body.report?.subject?.personId).toBe(personId);
    // The report as the API gives it, and the list row with its status.
    await expect(detail.getByRole('table', { name: 'Report' }).innerText()).resolves.toContain(
      personId,
    );
    const row = page.locator(`tr[data-request-id="${requestId}"]`);
    await row.locator('td.status', { hasText: 'completed' }).waitFor();
    await screenshot(page, 'privacy');
    expect(problems).toEqual([]);
  });
});
