import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_BLOCKING_RULES, DEFAULT_MODEL } from '../../src/matching/model/default-model.js';
import {
  loadModelFile,
  MODEL_FILE_FORMAT,
  ModelFileError,
  parseModelFile,
  saveModelFile,
  serializeModelFile,
} from '../../src/matching/model/model-file.js';

describe('model file', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'idgraph-model-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('round-trips the default model with blocking rules and training notes', async () => {
    const path = join(dir, 'model.json');
    const file = {
      model: DEFAULT_MODEL,
      blockingRules: DEFAULT_BLOCKING_RULES,
      training: { note: 'hand-set' },
    };
    await saveModelFile(path, file);
    expect(await loadModelFile(path)).toEqual(file);
    const json = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
    expect(json).toMatchObject({
      format: MODEL_FILE_FORMAT,
      formatVersion: 1,
      model: { version: DEFAULT_MODEL.version },
    });
  });

  it('rejects a file of another format version, listing the problem', () => {
    const json = JSON.parse(serializeModelFile({ model: DEFAULT_MODEL })) as Record<
      string,
      unknown
    >;
    expect(() => parseModelFile({ ...json, formatVersion: 2 })).toThrow(ModelFileError);
    expect(() => parseModelFile({ ...json, formatVersion: 2 })).toThrow(/formatVersion/);
  });

  it('rejects probabilities out of range and levels without a final else', () => {
    const json = JSON.parse(serializeModelFile({ model: DEFAULT_MODEL })) as {
      model: { comparisons: { levels: { m: number; when: unknown }[] }[] };
    };
    const badM = structuredClone(json);
    badM.model.comparisons[0]!.levels[0]!.m = 1.5;
    expect(() => parseModelFile(badM)).toThrow(/model\.comparisons\.0\.levels\.0\.m/);
    const noElse = structuredClone(json);
    noElse.model.comparisons[0]!.levels.pop();
    expect(() => parseModelFile(noElse)).toThrow(/else/);
    const unknownLevel = structuredClone(json);
    unknownLevel.model.comparisons[0]!.levels[0]!.when = { type: 'soundex' };
    expect(() => parseModelFile(unknownLevel)).toThrow(ModelFileError);
  });

  it('reports unreadable and non-JSON files as model file errors', async () => {
    await expect(loadModelFile(join(dir, 'absent.json'))).rejects.toThrow(/cannot be read/);
    const path = join(dir, 'broken.json');
    await writeFile(path, '{ not json', 'utf8');
    await expect(loadModelFile(path)).rejects.toMatchObject({ code: 'MODEL_FILE_INVALID' });
  });
});
