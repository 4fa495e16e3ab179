import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import type { Graph } from '../../src/graph/graph-client.js';
import { createLogger } from '../../src/logger.js';
import { DEFAULT_BLOCKING_RULES, DEFAULT_MODEL } from '../../src/matching/model/default-model.js';
import { createMatcherSource } from '../../src/matching/model/matcher-source.js';
import { serializeModelFile } from '../../src/matching/model/model-file.js';
import {
  builtInMatcher,
  followActiveModel,
  followsActiveModel,
} from '../../src/matching/model/model-follower.js';

/**
 * Following the active model version: a process switches its matcher to the version the pointer
 * names, back to the built-in model when there is none, and ignores what it cannot use. The graph
 * is a fake answering the two reads the follower makes (the real reads run in the u-refresh
 * integration test).
 */

const config = loadConfig({ NODE_ENV: 'test' });

function version(name: string, base = DEFAULT_MODEL.version) {
  const model = {
    ...DEFAULT_MODEL,
    version: name,
    comparisons: DEFAULT_MODEL.comparisons.map((c) => ({
      ...c,
      levels: c.levels.map((l, i) => (i === 0 ? { ...l, u: l.u / 2 } : l)),
    })),
  };
  return {
    base,
    file: serializeModelFile({
      model,
      blockingRules: DEFAULT_BLOCKING_RULES,
      uSource: { kind: 'estimated', records: 1000, at: '2026-03-01T10:15:00.000Z', pairs: 499_500 },
    }),
    tables: [{ attribute: 'firstName', hashes: [1, 2], shares: [0.2, 0.1] }],
    expectedTables: 1,
  };
}

/** A graph whose pointer and versions the test sets. */
function fakeGraph() {
  const state: {
    pointer: { version: string; base: string } | undefined;
    versions: Map<string, ReturnType<typeof version>>;
  } = { pointer: undefined, versions: new Map() };
  const graph: Pick<Graph, 'query'> = {
    query: async <T extends object>(name: string, params?: Record<string, unknown>) => {
      if (name === 'read/active-model') {
        const p = state.pointer;
        return [
          {
            records: 1000,
            version: p?.version ?? null,
            base: p?.base ?? null,
            graphRecords: p ? 1000 : null,
            sampled: p ? 1000 : null,
            pairs: p ? 499_500 : null,
            estimatedAt: p ? 0 : null,
          },
        ] as unknown as T[];
      }
      if (name === 'read/model-version') {
        const v = state.versions.get(params!.version as string);
        return (v ? [v] : []) as unknown as T[];
      }
      throw new Error(`unexpected statement ${name}`);
    },
  };
  return { graph, state };
}

function follow(graph: Pick<Graph, 'query'>) {
  const matchers = createMatcherSource(builtInMatcher(config));
  const follower = followActiveModel({
    graph,
    config,
    matchers,
    logger: createLogger('silent'),
    intervalMs: 3_600_000,
  });
  return { matchers, follower };
}

describe('following the active model version', () => {
  it('follows only the built-in model with refreshes on', () => {
    expect(followsActiveModel(config)).toBe(true);
    expect(followsActiveModel(loadConfig({ MATCH_U_REFRESH: 'off' }))).toBe(false);
    expect(followsActiveModel(loadConfig({ MATCH_MODEL_FILE: 'm.json' }))).toBe(false);
  });

  it('switches to the active version, stays while it stays, and goes back without one', async () => {
    const { graph, state } = fakeGraph();
    const { matchers, follower } = follow(graph);
    expect(await follower.check()).toBe(false);
    expect(matchers.current().model.version).toBe(DEFAULT_MODEL.version);

    const name = `${DEFAULT_MODEL.version}+u20260301T101500Z`;
    state.versions.set(name, version(name));
    state.pointer = { version: name, base: DEFAULT_MODEL.version };
    const before = matchers.current();
    expect(await follower.check()).toBe(true);
    const switched = matchers.current();
    expect(switched.model.version).toBe(name);
    expect(switched.model.comparisons[0]!.levels[0]!.u).toBe(
      DEFAULT_MODEL.comparisons[0]!.levels[0]!.u / 2,
    );
    // A batch that took the old matcher keeps it; the source hands out the new one.
    expect(before.model.version).toBe(DEFAULT_MODEL.version);
    expect(await follower.check()).toBe(false);
    expect(matchers.current()).toBe(switched);

    state.pointer = undefined;
    expect(await follower.check()).toBe(true);
    expect(matchers.current().model.version).toBe(DEFAULT_MODEL.version);
    follower.close();
  });

  it('keeps its matcher when the version is of another build, or its tables are incomplete', async () => {
    const { graph, state } = fakeGraph();
    const { matchers, follower } = follow(graph);
    const other = 'default-person-v1+u20260301T101500Z';
    state.versions.set(other, version(other, 'default-person-v1'));
    state.pointer = { version: other, base: 'default-person-v1' };
    expect(await follower.check()).toBe(false);
    expect(matchers.current().model.version).toBe(DEFAULT_MODEL.version);

    const pruned = `${DEFAULT_MODEL.version}+u20260302T000000Z`;
    state.versions.set(pruned, { ...version(pruned), tables: [] });
    state.pointer = { version: pruned, base: DEFAULT_MODEL.version };
    expect(await follower.check()).toBe(false);
    expect(matchers.current().model.version).toBe(DEFAULT_MODEL.version);
    follower.close();
  });
});
