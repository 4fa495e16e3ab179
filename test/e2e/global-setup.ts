import type { TestProject } from 'vitest/node';
import { buildUi } from '../../scripts/build-ui.mjs';
import integrationSetup from '../integration/global-setup.js';

/**
 * The e2e suite: the integration suite's Neo4j and Redis (shared when both run: see its global
 * setup), and the console built into dist/ui, which the service under test serves at /ui.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const teardown = await integrationSetup(project);
  try {
    await buildUi();
  } catch (error) {
    await teardown();
    throw error;
  }
  return teardown;
}
