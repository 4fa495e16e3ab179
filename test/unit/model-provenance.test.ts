import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/cli-program.js';
import { describeUSource, formatModel } from '../../src/cli/model-summary.js';
import { DEFAULT_MODEL } from '../../src/matching/model/default-model.js';
import {
  parseModelFile,
  serializeModelFile,
  uSourceOf,
} from '../../src/matching/model/model-file.js';

/** Where a model's u values come from: the model file's `uSource`, and `idgraph model show`. */

describe('u provenance', () => {
  it('describes each source in a line', () => {
    expect(describeUSource({ kind: 'default' })).toBe(
      'built-in values, set by hand to be conservative for a regional customer base (not estimated from data)',
    );
    expect(describeUSource({ kind: 'file', path: '/srv/models/m.json' })).toBe(
      'as given in the model file /srv/models/m.json',
    );
    expect(
      describeUSource({
        kind: 'estimated',
        records: 50_578,
        at: '2026-12-03T14:00:00.000Z',
        pairs: 1_000_000,
      }),
    ).toBe('estimated from 50,578 records at 2026-12-03T14:00:00.000Z (1,000,000 random pairs)');
  });

  it('is what the file says, else the file itself, else the built-in values', () => {
    const estimated = { kind: 'estimated', records: 10, at: '2026-12-03T14:00:00.000Z' } as const;
    expect(uSourceOf({ uSource: estimated }, 'm.json')).toEqual(estimated);
    expect(uSourceOf({}, 'm.json')).toEqual({ kind: 'file', path: 'm.json' });
    expect(uSourceOf({}, undefined)).toEqual({ kind: 'default' });
  });

  it('travels in the model file, and a file cannot claim to be another file', () => {
    const file = {
      model: DEFAULT_MODEL,
      uSource: { kind: 'estimated', records: 12, at: '2026-12-03T14:00:00.000Z', pairs: 66 },
    } as const;
    expect(parseModelFile(JSON.parse(serializeModelFile(file)))).toEqual(file);
    const json = JSON.parse(serializeModelFile({ model: DEFAULT_MODEL })) as object;
    expect(() => parseModelFile({ ...json, uSource: { kind: 'file', path: 'x' } })).toThrow(
      /uSource/,
    );
    expect(() =>
      parseModelFile({ ...json, uSource: { kind: 'estimated', records: 1, at: 'yesterday' } }),
    ).toThrow(/uSource\.at/);
  });

  it('is shown under the prior, escaped', () => {
    const text = formatModel({ model: DEFAULT_MODEL }, 'test', {
      kind: 'file',
      path: 'm\u001b[31m.json',
    });
    expect(text).toContain(
      'lambda  1.00e-4 (prior weight -13.29 bits)\nu       as given in the model file m\\u001b[31m.json\n',
    );
  });

  it('model show says the built-in model’s u values are the hand-set defaults', async () => {
    let stdout = '';
    const code = await runCli(['model', 'show'], {
      stdout: { write: (s: string) => (stdout += s) },
      stderr: { write: () => true },
      // Off: the built-in values themselves, not a version estimated from a graph.
      env: { MATCH_U_REFRESH: 'off' },
    });
    expect(code).toBe(0);
    expect(stdout).toMatch(/^u {7}built-in values, set by hand/m);
  });
});
