import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/cli-program.js';
import {
  alignedTable,
  formatModel,
  formatProbability,
  formatTrainingSummary,
  formatWeight,
  shellWord,
  type TrainingSummary,
} from '../../src/cli/model-summary.js';
import { DEFAULT_BLOCKING_RULES, DEFAULT_MODEL } from '../../src/matching/model/default-model.js';
import type { FellegiSunterModel } from '../../src/matching/scoring/fellegi-sunter.js';
import { type ModelFile, parseModelFile } from '../../src/matching/model/model-file.js';

/** `idgraph model show` / `train` output, and the parts of the command that run before connecting. */

async function run(args: string[], env: Record<string, string> = {}) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    env,
  });
  return { code, stdout, stderr };
}

const small: FellegiSunterModel = {
  version: 'small-v2',
  lambda: 0.001,
  comparisons: [
    {
      name: 'firstName',
      attribute: 'firstName',
      termFrequency: true,
      levels: [
        { when: { type: 'exact' }, m: 0.8, u: 0.01 },
        { when: { type: 'jaroWinkler', min: 0.92 }, m: 0.15, u: 0.00005 },
        { when: { type: 'else' }, m: 0.05, u: 0.98995 },
      ],
    },
    {
      name: 'dob',
      attribute: 'dateOfBirth',
      levels: [
        { when: { type: 'exact' }, m: 0.9, u: 0.0001 },
        { when: { type: 'else' }, m: 0.1, u: 0.9999 },
      ],
    },
  ],
};

describe('model show formatting', () => {
  it('formats probabilities and weights for reading', () => {
    expect(formatProbability(0.8)).toBe('0.8000');
    expect(formatProbability(0.0015)).toBe('0.0015');
    expect(formatProbability(0.001)).toBe('0.0010');
    expect(formatProbability(5e-5)).toBe('5.00e-5');
    expect(formatWeight(Math.log2(0.8 / 0.01))).toBe('+6.32');
    expect(formatWeight(Math.log2(0.03 / 0.897))).toBe('-4.90');
    expect(formatWeight(-0.001)).toBe('+0.00');
    expect(formatWeight(0)).toBe('+0.00');
  });

  it('right-aligns the numeric columns of a table', () => {
    expect(
      alignedTable(
        [
          ['NAME', 'N'],
          ['a', '5'],
          ['bbb', '123'],
        ],
        new Set([1]),
      ),
    ).toBe('NAME    N\na       5\nbbb   123');
  });

  it('prints one row per comparison level with m, u and log2(m/u), and marks term frequencies', () => {
    const text = formatModel({ model: small, blockingRules: DEFAULT_BLOCKING_RULES }, 'test');
    expect(text).toContain('model   small-v2\nsource  test\n');
    expect(text).toContain('lambda  0.0010 (prior weight -9.96 bits)');
    expect(text).toContain('mode    dedupe: any two records are compared');
    const table = text.slice(text.indexOf('COMPARISON'), text.indexOf('\n\nterm frequencies'));
    expect(table.split('\n')).toEqual([
      'COMPARISON  ATTRIBUTE    LEVEL                    M        U  WEIGHT (bits)  TF',
      'firstName   firstName    exact               0.8000   0.0100          +6.32  tf',
      '                         jaro_winkler>=0.92  0.1500  5.00e-5         +11.55',
      '                         else                0.0500   0.9899          -4.31',
      'dob         dateOfBirth  exact               0.9000  1.00e-4         +13.14',
      '                         else                0.1000   0.9999          -3.32',
    ]);
    expect(text).toContain(
      "term frequencies (tf: the exact level's u is the value's own share of records)\n  firstName  no values stored: the level u applies to every value\n",
    );
  });

  it('leaves out the attribute column when every comparison is named after its attribute', () => {
    const text = formatModel({ model: DEFAULT_MODEL, blockingRules: DEFAULT_BLOCKING_RULES }, 'x');
    expect(text).toMatch(/^COMPARISON +LEVEL +M +U +WEIGHT \(bits\) +TF$/m);
    expect(text).not.toContain('ATTRIBUTE');
    expect(text).toMatch(/^firstName +exact +0\.7800 +0\.0200 +\+5\.29 +tf$/m);
    for (const comparison of DEFAULT_MODEL.comparisons)
      expect(text).toMatch(new RegExp(`^${comparison.name} `, 'm'));
    expect(text).toContain(
      '  names_dm                firstName:dmetaphone + lastName:dmetaphone (any order)\n',
    );
    expect(text).toContain('  dob                     dateOfBirth\n');
  });

  it('counts stored term-frequency values and never prints them', () => {
    const file: ModelFile = {
      model: small,
      mode: 'link',
      attributeKinds: { nationalId: 'code' },
      termFrequencies: { firstName: { annabel: 0.01, zoltan: 0.02 } },
      training: {
        trainedAt: '2026-03-01T10:00:00.000Z',
        records: 12345,
        seed: 7,
        startedFrom: 'v1',
      },
    };
    const text = formatModel(file, 'test');
    expect(text).not.toMatch(/annabel|zoltan/);
    expect(text).toContain('  firstName  2 common values stored; rarer ones use the level u\n');
    expect(text).toContain('mode             link: only records of different sources are compared');
    expect(text).toContain(
      'trained          2026-03-01T10:00:00.000Z on 12,345 records (seed 7, comparisons of v1)',
    );
    expect(text).toContain('attribute kinds  nationalId: code');
    // A file without blocking rules blocks with the built-in ones, as the service does.
    expect(text).toContain('blocking rules (none in the file, so the built-in ones;');
    expect(text).toContain('  street_number           street + streetNumber\n');
  });

  it('escapes control characters that a hand-edited file could carry', () => {
    const text = formatModel({ model: { ...small, version: 'v\u001b[31m' } }, 'test');
    expect(text).toContain('model   v\\u001b[31m\n');
  });
});

describe('model train summary', () => {
  const summary: TrainingSummary = {
    out: '/models/person v3.json',
    version: 'person-v3',
    startedFrom: 'default-person-v1',
    records: 25_000,
    skipped: 2,
    lambda: 0.00042,
    deterministicPairs: 310,
    recall: 0.8,
    uPairs: 1_000_000,
    allPairs: false,
    seed: 1,
    sessions: [
      {
        rule: 'names_dm',
        pairs: 4200,
        iterations: 9,
        converged: true,
        lambda: 0.61,
        trained: ['dateOfBirth'],
      },
      { rule: 'dob', pairs: 12, iterations: 25, converged: false, lambda: 0.5, trained: [] },
    ],
    termFrequencyValues: { firstName: 120, city: 0 },
    minTermFrequencyCount: 5,
    withoutData: ['gender'],
    readMs: 2_300,
    trainMs: 41_000,
  };

  it('says what was trained, on what, and what to do next', () => {
    const text = formatTrainingSummary(summary);
    expect(text).toContain(
      'records      25,000 (read in 2.3 s); 2 with unreadable values skipped\n',
    );
    expect(text).toContain('model        person-v3, trained in 41.0 s from default-person-v1\n');
    expect(text).toContain(
      'lambda       4.20e-4 (prior weight -11.22 bits): 310 pairs share names and date of birth, assumed recall 0.8\n',
    );
    expect(text).toContain('u            1,000,000 random pairs (seed 1)\n');
    expect(text).toContain('EM sessions  2, 1 converged');
    expect(text).toContain(
      '  RULE      PAIRS  ITERATIONS  CONVERGED  MATCHES\n' +
        '  names_dm  4,200           9  yes          61.0%\n' +
        '  dob          12          25  no           50.0%\n',
    );
    expect(text).toContain(
      'term frequencies  firstName 120, city 0 values (held by at least 5 records each)\n',
    );
    expect(text).toContain(
      'no data           gender: no record has the attribute; starting values kept\n',
    );
    expect(text).toContain('written           /models/person v3.json\n');
    expect(text).toContain("`idgraph model show --file '/models/person v3.json'`");
    expect(text).toContain("MATCH_MODEL_FILE='/models/person v3.json' for the service and the CLI");
    expect(text).toContain('idgraph model rescore');
  });

  it('says when u came from every pair', () => {
    expect(formatTrainingSummary({ ...summary, uPairs: 19_900, allPairs: true })).toContain(
      'u            every pair of records (19,900): fewer than --u-pairs\n',
    );
  });

  it('quotes paths for the shell only when needed', () => {
    expect(shellWord('/srv/models/person-v3.json')).toBe('/srv/models/person-v3.json');
    expect(shellWord("it's here.json")).toBe("'it'\\''s here.json'");
  });
});

describe('idgraph model (before connecting)', () => {
  it('shows the built-in model when MATCH_MODEL_FILE is not set', async () => {
    const { code, stdout } = await run(['model', 'show'], { MATCH_U_REFRESH: 'off' });
    expect(code).toBe(0);
    expect(stdout).toContain(`model   ${DEFAULT_MODEL.version}\n`);
    expect(stdout).toContain('source  built-in default; MATCH_MODEL_FILE is not set\n');
  });

  it('shows the built-in model, and says so, when the graph holding u estimates does not answer', async () => {
    const { code, stdout, stderr } = await run(['--connect-timeout', '1', 'model', 'show'], {
      NEO4J_URI: 'bolt://127.0.0.1:9',
    });
    expect(code).toBe(0);
    expect(stdout).toContain(`model   ${DEFAULT_MODEL.version}\n`);
    expect(stderr).toContain('showing the built-in values: the service may score with u estimated');
  });

  it('prints the model file JSON with --json', async () => {
    const { code, stdout } = await run(['model', 'show', '--json'], { MATCH_U_REFRESH: 'off' });
    expect(code).toBe(0);
    const file = parseModelFile(JSON.parse(stdout));
    expect(file.model).toEqual(DEFAULT_MODEL);
    expect(file.blockingRules).toEqual(DEFAULT_BLOCKING_RULES);
  });

  it.each([
    [['model'], /Usage: idgraph model/],
    [
      ['model', 'show', '--file', 'no/such/model.json'],
      /--file no\/such\/model.json: model file rejected: cannot be read \(ENOENT\)/,
    ],
    [['model', 'train'], /required option '--out <path>' not specified/],
    [['model', 'train', '--out', 'm.json', '--recall', '0'], /greater than 0 and at most 1/],
    [['model', 'train', '--out', 'm.json', '--u-pairs', '10'], /an integer from 1000/],
    [['model', 'train', '--out', 'm.json', '--min-tf-count', '0'], /an integer from 1/],
    [['model', 'train', '--out', 'm.json', '--model-version', 'a b'], /--model-version: 1 to 100/],
    [
      ['model', 'train', '--out', 'm.json', '--model-version', DEFAULT_MODEL.version],
      /names the active model/,
    ],
    [
      ['model', 'train', '--out', 'no/such/dir/m.json'],
      /--out: cannot write in .*no\/such\/dir \(ENOENT\)/,
    ],
  ])('exits 2 before connecting: %j', async (args, message) => {
    // NEO4J_URI points at a port nothing listens on: every check must come first.
    const { code, stdout, stderr } = await run(args, { NEO4J_URI: 'bolt://127.0.0.1:9' });
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
    expect(stdout).toBe('');
  });

  it('exits 2 when MATCH_MODEL_FILE cannot be used', async () => {
    const { code, stderr } = await run(['model', 'show'], {
      MATCH_MODEL_FILE: 'no/such/file.json',
    });
    expect(code).toBe(2);
    expect(stderr).toContain('MATCH_MODEL_FILE no/such/file.json: model file rejected');
  });
});
