import { type Browser, chromium } from 'playwright-core';
import { BENCH_API_KEY } from '../services/bench-env.js';

/** Headless Debian Chromium; root (containers) needs --no-sandbox. */
export async function launchChromium(executablePath: string): Promise<Browser> {
  return chromium.launch({
    executablePath,
    headless: true,
    args: process.getuid?.() === 0 ? ['--no-sandbox'] : [],
  });
}

export interface OpenTiming {
  /** From the navigation's start to the graph drawn (layout stopped, a frame painted), in ms. */
  drawnMs: number;
  /** From the navigation's start to the end of the person's last API answer, in ms. */
  dataMs: number;
  /** Elements Cytoscape drew. */
  nodes: number;
  edges: number;
}

interface ConsoleWindow {
  __idgraph?: { drawnAt?: number; cy?: { nodes(): unknown[]; edges(): unknown[] } };
  performance: {
    getEntriesByType(type: 'resource'): { name: string; responseEnd: number }[];
  };
}

/**
 * Opens the console's person view in a fresh context (cold page, empty cache: what a user opening
 * a link gets) with the key already in session storage, and reads the console's own mark: the
 * performance.now() at which the graph was drawn, i.e. the time since the navigation started.
 */
export async function openPerson(
  browser: Browser,
  apiUrl: string,
  personId: string,
): Promise<OpenTiming> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  try {
    await context.addInitScript((key) => {
      (
        globalThis as unknown as { sessionStorage: { setItem(k: string, v: string): void } }
      ).sessionStorage.setItem('idgraph.apiKey', key);
    }, BENCH_API_KEY);
    const page = await context.newPage();
    await page.goto(`${apiUrl}/ui/#/persons/${personId}`);
    await page.locator('[data-graph-state="drawn"]').waitFor({ timeout: 300_000 });
    return await page.evaluate(() => {
      const window = globalThis as unknown as ConsoleWindow;
      const state = window.__idgraph;
      if (state?.drawnAt === undefined || !state.cy) throw new Error('the graph was not drawn');
      const reads = window.performance
        .getEntriesByType('resource')
        .filter((e) => e.name.includes('/v1/persons/'));
      return {
        drawnMs: state.drawnAt,
        dataMs: Math.max(...reads.map((e) => e.responseEnd)),
        nodes: state.cy.nodes().length,
        edges: state.cy.edges().length,
      };
    });
  } finally {
    await context.close();
  }
}
