import { describe, expect, it } from 'vitest';
import {
  compareKeys,
  createPartitionDiff,
  mergeJoin,
  type PartitionRow,
} from '../../src/replay/partition-diff.js';
import { replayConfig, RulesFileError, rulesEnvironment } from '../../src/replay/replay-rules.js';

const rows = (partition: Record<string, string>): PartitionRow[] =>
  Object.entries(partition)
    .sort(([x], [y]) => compareKeys(x, y))
    .map(([key, personId]) => ({ key, type: key.split(':')[0]!, personId }));

async function* stream(items: PartitionRow[]) {
  yield* items;
}

/** Pairs put together by a partition, by brute force (the tests' independent count). */
function pairs(partition: Record<string, string>, keys: Set<string>): Set<string> {
  const out = new Set<string>();
  const ks = [...keys].sort();
  for (let i = 0; i < ks.length; i++)
    for (let j = i + 1; j < ks.length; j++)
      if (partition[ks[i]!] === partition[ks[j]!]) out.add(`${ks[i]}|${ks[j]}`);
  return out;
}

async function diffOf(a: Record<string, string>, b: Record<string, string>) {
  const acc = createPartitionDiff();
  await mergeJoin(stream(rows(a)), stream(rows(b)), (x, y) => acc.visit(x, y));
  return acc.result().diff;
}

describe('partition diff', () => {
  it('counts pairs gained and lost as a brute-force enumeration does, over identifiers in both', async () => {
    const a = {
      'e:1': 'A1',
      'e:2': 'A1',
      'e:3': 'A1',
      'e:4': 'A2',
      'e:5': 'A2',
      'e:6': 'A3',
      'x:only-a': 'A3',
    };
    const b = {
      'e:1': 'B1',
      'e:2': 'B1',
      'e:3': 'B2',
      'e:4': 'B2',
      'e:5': 'B2',
      'e:6': 'B2',
      'y:only-b': 'B9',
    };
    const diff = await diffOf(a, b);
    const common = new Set(Object.keys(a).filter((k) => k in b));
    const inA = pairs(a, common);
    const inB = pairs(b, common);
    expect(diff.pairs.gained).toBe([...inB].filter((p) => !inA.has(p)).length);
    expect(diff.pairs.lost).toBe([...inA].filter((p) => !inB.has(p)).length);
    expect(diff.pairs.both).toBe([...inA].filter((p) => inB.has(p)).length);
    expect(diff.identifiers).toEqual({ a: 7, b: 7, both: 6, onlyA: 1, onlyB: 1 });
    // B2 holds A1's e:3, A2 and A3: merged; A1 is split over B1 and B2.
    expect(diff.persons).toMatchObject({ merged: 1, mergedFrom: 3, split: 1, splitInto: 2 });
    expect(diff.pairs.precision).toBeCloseTo(diff.pairs.both / inB.size);
    expect(diff.pairs.recall).toBeCloseTo(diff.pairs.both / inA.size);
    expect(diff.identical).toBe(false);
  });

  it('finds two partitions identical when only the person ids differ', async () => {
    const diff = await diffOf(
      { 'e:1': 'A', 'e:2': 'A', 'e:3': 'C' },
      { 'e:1': 'X', 'e:2': 'X', 'e:3': 'Y' },
    );
    expect(diff.identical).toBe(true);
    expect(diff.pairs).toMatchObject({ gained: 0, lost: 0, precision: 1, recall: 1, f1: 1 });
  });

  it('orders keys by code point, as Neo4j does', () => {
    const keys = ['e:\u{1F600}', 'e:\uFFFD', 'e:a'];
    expect([...keys].sort(compareKeys)).toEqual(['e:a', 'e:\uFFFD', 'e:\u{1F600}']);
  });
});

describe('replay rules file', () => {
  it('takes resolver settings as JSON or as environment strings, over the running environment', () => {
    const env = rulesEnvironment({
      MERGE_LIMITS: { email: 1 },
      IDENTIFIER_BLOCKLIST: ['shared@example.org', 'x@y.z'],
      MATCH_AUTO_THRESHOLD: 0.99,
      EMAIL_REMOVE_PLUS_TAGS: 'true',
    });
    const config = replayConfig({ NODE_ENV: 'test', MATCH_AUTO_THRESHOLD: '0.9' }, env);
    expect(config.MERGE_LIMITS).toEqual({ email: 1 });
    expect(config.IDENTIFIER_BLOCKLIST).toEqual(['shared@example.org', 'x@y.z']);
    expect(config.MATCH_AUTO_THRESHOLD).toBe(0.99);
    expect(config.EMAIL_REMOVE_PLUS_TAGS).toBe(true);
  });

  it('refuses unknown keys and settings that are not the resolver’s', () => {
    expect(() => rulesEnvironment({ MERGE_LIMIT: {} })).toThrow(/unknown setting MERGE_LIMIT/);
    expect(() => rulesEnvironment({ NEO4J_URI: 'bolt://x' })).toThrow(/not a resolver setting/);
    expect(() => rulesEnvironment(['MERGE_LIMITS'])).toThrow(RulesFileError);
  });

  it('lets the config schema reject a bad value', () => {
    expect(() => replayConfig({}, rulesEnvironment({ MATCH_AUTO_THRESHOLD: 2 }))).toThrow(
      /MATCH_AUTO_THRESHOLD/,
    );
  });
});
