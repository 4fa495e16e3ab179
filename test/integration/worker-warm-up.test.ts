import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { createRuntime, type Runtime } from '../../src/runtime.js';
import { clearGraph, startService, type TestService, testEnv, totals } from './harness.js';

/**
 * A worker plans the resolver's statements on a rolled-back batch before it reports ready
 * (src/resolver/resolver-warm-up.ts), so the first real batch after a start does not pay for
 * Neo4j planning them. Asserted by what the process ran, not by time: speed is measured by
 * `npm run bench`.
 */

let runtime: Runtime | undefined;
let api: TestService | undefined;
afterAll(async () => {
  await runtime?.close();
  await api?.close();
});

/** Statements of write transactions this process ran, by name (the runtime's own metrics). */
async function statementsRun(rt: Runtime): Promise<Set<string>> {
  const metric = rt.metrics.registry.getSingleMetric('idgraph_graph_statement_duration_seconds');
  const { values } = await metric!.get();
  return new Set(
    values
      .filter((v) => 'metricName' in v && String(v.metricName).endsWith('_count') && v.value > 0)
      .map((v) => String(v.labels.statement)),
  );
}

describe('worker warm-up', () => {
  beforeAll(async () => {
    // An API-only process warms nothing up: it clears the graph and reads it.
    api = await startService({}, 'api');
    await clearGraph(api.graph);
    const config = loadConfig(testEnv());
    runtime = await createRuntime(config, {
      role: 'worker',
      logger: createLogger(config.LOG_LEVEL),
    });
  });

  it('has run every statement of a batch once it is ready, and committed none of it', async () => {
    const ran = await statementsRun(runtime!);
    for (const statement of [
      'write/claim-batch',
      'write/record-consent',
      'write/claim-records',
      'write/lock-matching',
      'write/lock-persons',
      'write/apply-plan',
    ])
      expect(ran, statement).toContain(statement);
    expect(await totals(api!.graph)).toMatchObject({
      events: 0,
      identifiers: 0,
      activePersons: 0,
      links: 0,
      records: 0,
    });
  });
});
