import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';

/**
 * Debian's Chromium (never a downloaded browser), headless, driven by playwright-core:
 * CHROMIUM_PATH overrides /usr/bin/chromium. Root (CI containers) needs --no-sandbox.
 */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: process.getuid?.() === 0 ? ['--no-sandbox'] : [],
  });
}

/** One browser for the tests of a file; call the returned function for it. */
export function browserForTests(): () => Browser {
  let browser: Browser | undefined;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });
  return () => browser!;
}

/** A fresh page (its own session storage) that fails the test on a page error or a CSP report. */
export async function newPage(browser: Browser): Promise<{ page: Page; problems: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' && /Content Security Policy|Refused to/i.test(message.text()))
      problems.push(`console: ${message.text()}`);
  });
  return { page, problems };
}

/** Opens the console and signs in with the key. */
export async function signIn(page: Page, baseUrl: string, key: string): Promise<void> {
  await page.goto(`${baseUrl}/ui/`);
  await page.locator('#api-key').fill(key);
  await page.getByRole('button', { name: 'Use this key' }).click();
  await page.getByTestId('key-name').waitFor();
}

interface ConsoleWindow {
  __idgraph?: {
    cy?: {
      nodes(): { length: number };
      edges(): { length: number };
      $id(id: string): { length: number; emit(event: string): void };
    };
  };
}

/** Waits until the person graph is laid out and painted; returns its model's element counts. */
export async function drawnGraph(page: Page): Promise<{ nodes: number; edges: number }> {
  await page.locator('[data-graph-state="drawn"]').waitFor();
  return page.evaluate(() => {
    // The console exposes its Cytoscape instance for tests (src/ui/person/graph-canvas.tsx).
    const cy = (globalThis as unknown as ConsoleWindow).__idgraph?.cy;
    if (!cy) throw new Error('no graph');
    return { nodes: cy.nodes().length, edges: cy.edges().length };
  });
}

/** Opens a person by id through the search view's person-id form. */
export async function openPerson(page: Page, personId: string): Promise<void> {
  await page.locator('#search-person').fill(personId);
  await page.getByRole('button', { name: 'Open' }).click();
}

/** A tap on a link's edge, through the Cytoscape model (what a click on the drawn edge emits). */
export async function tapEdge(page: Page, linkId: string): Promise<void> {
  await page.evaluate((id) => {
    const cy = (globalThis as unknown as ConsoleWindow).__idgraph?.cy;
    const edge = cy?.$id(`l:${id}`);
    if (!edge || edge.length !== 1) throw new Error('no such edge');
    edge.emit('tap');
  }, linkId);
}

const SCREENSHOTS = fileURLToPath(new URL('../../docs/ui/', import.meta.url));

/** Saves a screenshot into docs/ui/<name>.png (docs/ui.md shows them): regenerated every run. */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: `${SCREENSHOTS}${name}.png`, fullPage: false });
}
