import { describe, expect, it } from 'vitest';
import { linkExplanationSchema, personLinksSchema, personSchema } from '../../src/api/schemas.js';
import { ADMIN_KEY, http, resolve, serviceForTests } from '../integration/harness.js';
import {
  browserForTests,
  drawnGraph,
  newPage,
  openPerson,
  screenshot,
  signIn,
  tapEdge,
} from './browser.js';
import { buildScenario, JONATHAN_EMAIL, MATCHING_ENV } from './fixtures.js';

/**
 * The audit console in Chromium against the real service: signing in with a key, searching an
 * identifier, and the person's graph and link panel, compared with what the API answers.
 */
const service = serviceForTests(MATCHING_ENV);
const browser = browserForTests();

async function personFromApi(personId: string) {
  const { baseUrl } = service();
  const person = await http(baseUrl, 'GET', `/v1/persons/${personId}`, undefined, personSchema);
  const links = await http(
    baseUrl,
    'GET',
    `/v1/persons/${personId}/links`,
    undefined,
    personLinksSchema,
  );
  return { person: person.body, links: links.body.links };
}

describe('audit console: person view', () => {
  it('is served at /ui with a strict CSP, and GET /v1/me answers the key’s name and scopes', async () => {
    const { baseUrl } = service();
    const page = await fetch(`${baseUrl}/ui/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<div id="app">');
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(page.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect((await fetch(`${baseUrl}/ui/console.js`)).status).toBe(200);

    const me = await http(baseUrl, 'GET', '/v1/me');
    expect(me.body).toEqual({
      name: 'test-admin',
      scopes: ['events:write', 'persons:read', 'audit:read', 'audit:write', 'privacy:write'],
    });
    expect((await http(baseUrl, 'GET', '/v1/me', undefined, undefined, null)).status).toBe(401);
    expect((await http(baseUrl, 'GET', '/v1/me', undefined, undefined, 'wrong-key')).status).toBe(
      401,
    );
  });

  it('searches an identifier and draws the person’s identifiers and links as the API lists them', async () => {
    await buildScenario(service());
    const [resolved] = await resolve(service(), [JONATHAN_EMAIL]);
    const api = await personFromApi(resolved!.personId!);
    expect(api.person.identifiers.length).toBeGreaterThanOrEqual(6);
    expect(api.links.some((l) => l.method === 'probabilistic')).toBe(true);

    const { page, problems } = await newPage(browser());
    await signIn(page, service().baseUrl, ADMIN_KEY);
    // The key is in session storage, never in the URL.
    expect(
      await page.evaluate(() =>
        (
          globalThis as unknown as { sessionStorage: { getItem(k: string): string | null } }
        ).sessionStorage.getItem('idgraph.apiKey'),
      ),
    ).toBe(ADMIN_KEY);
    expect(page.url()).not.toContain(ADMIN_KEY);

    await page.locator('#search-type').fill(JONATHAN_EMAIL.type);
    await page.locator('#search-value').fill(JONATHAN_EMAIL.value);
    await page.getByRole('button', { name: 'Search' }).click();
    const drawn = await drawnGraph(page);
    expect(drawn).toEqual({ nodes: api.person.identifiers.length, edges: api.links.length });
    expect(page.url()).toContain(`#/persons/${api.person.id}`);
    expect(page.url()).not.toContain(JONATHAN_EMAIL.value);
    expect(await page.getByTestId('identifier-count').textContent()).toBe(
      String(api.person.identifiers.length),
    );
    await screenshot(page, 'person-view');

    // Signing out forgets the key: the page asks for one again, even after a reload.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.locator('#api-key').waitFor();
    await page.reload();
    await page.locator('#api-key').waitFor();
    expect(
      await page.evaluate(
        () =>
          (globalThis as unknown as { sessionStorage: { length: number } }).sessionStorage.length,
      ),
    ).toBe(0);
    expect(problems).toEqual([]);
  });

  it('opens a probabilistic link’s explanation: each attribute’s contribution as a bar', async () => {
    await buildScenario(service());
    const [resolved] = await resolve(service(), [JONATHAN_EMAIL]);
    const api = await personFromApi(resolved!.personId!);
    const probabilistic = api.links.find((l) => l.method === 'probabilistic')!;
    const explained = await http(
      service().baseUrl,
      'GET',
      `/v1/links/${probabilistic.id}/explain`,
      undefined,
      linkExplanationSchema,
    );
    const comparisons = explained.body.match!.comparisons;

    const { page, problems } = await newPage(browser());
    await signIn(page, service().baseUrl, ADMIN_KEY);
    await openPerson(page, api.person.id);
    await drawnGraph(page);
    // A click on the edge in the graph, through the Cytoscape model.
    await tapEdge(page, probabilistic.id);
    const panel = page.getByRole('complementary', { name: 'Link details' });
    await panel.locator('.contribution-bar').first().waitFor();
    expect(await panel.locator('.link-method').textContent()).toBe('probabilistic');
    // The prior and one bar per comparison, named by attribute as the API explains it.
    const bars = await Promise.all(
      (await panel.locator('.contribution-bar').all()).map((bar) =>
        bar.getAttribute('data-attribute'),
      ),
    );
    expect(bars).toEqual(['prior', ...comparisons.map((c) => c.attribute)]);
    for (const purpose of probabilistic.purposes)
      await expect(panel.locator('.badge', { hasText: purpose }).count()).resolves.toBe(1);
    await screenshot(page, 'link-panel');

    // The same from the table view, by keyboard.
    await page.getByRole('tab', { name: 'Table' }).click();
    const rows = page.getByRole('table', { name: 'Links' }).locator('tbody tr');
    expect(await rows.count()).toBe(api.links.length);
    await page.getByRole('button', { name: 'Close the link panel' }).click();
    const explain = page.locator(`tr[data-link-id="${probabilistic.id}"] button`);
    await explain.focus();
    await page.keyboard.press('Enter');
    await panel.locator('.contribution-bar').first().waitFor();
    expect(problems).toEqual([]);
  });

  it('filters by purpose through the scoped view, as the API scopes the person', async () => {
    await buildScenario(service());
    const [resolved] = await resolve(service(), [JONATHAN_EMAIL]);
    const personId = resolved!.personId!;
    const all = await personFromApi(personId);
    const scoped = await http(
      service().baseUrl,
      'GET',
      `/v1/persons/${personId}?purpose=marketing`,
      undefined,
      personSchema,
    );
    // The web event refused marketing: its cookie is outside the marketing scope.
    expect(scoped.body.identifiers.length).toBeLessThan(all.person.identifiers.length);

    const { page, problems } = await newPage(browser());
    await signIn(page, service().baseUrl, ADMIN_KEY);
    await openPerson(page, personId);
    expect((await drawnGraph(page)).nodes).toBe(all.person.identifiers.length);
    await page.locator('input[name="purpose"]').fill('marketing');
    await page.locator('input[name="purpose"]').press('Enter');
    await page.getByText(`Scoped view`).waitFor();
    const drawn = await drawnGraph(page);
    expect(drawn.nodes).toBe(scoped.body.identifiers.length);
    const inScope = new Set(scoped.body.identifiers.map((i) => `${i.type}:${i.value}`));
    const qualifying = all.links.filter(
      (l) =>
        l.status === 'active' &&
        l.purposes.includes('marketing') &&
        inScope.has(`${l.from.type}:${l.from.value}`) &&
        inScope.has(`${l.to.type}:${l.to.value}`),
    );
    expect(drawn.edges).toBe(qualifying.length);

    // Method filter: without deterministic links only the probabilistic one is left.
    await page.locator('input[name="purpose"]').fill('');
    await page.locator('input[name="purpose"]').press('Enter');
    await page.locator('input[name="method-deterministic"]').uncheck();
    await page.waitForFunction(
      (n) =>
        (
          globalThis as unknown as { __idgraph?: { cy?: { edges(): unknown[] } } }
        ).__idgraph?.cy?.edges().length === n,
      all.links.filter((l) => l.method !== 'deterministic').length,
    );
    expect(problems).toEqual([]);
  });
});
