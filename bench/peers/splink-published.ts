import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const PUBLISHED_FILES: Readonly<Record<string, string>> = {
  febrl3: 'splink_febrl3_dedupe_accuracy.csv',
  febrl4: 'splink_febrl4_link_only_accuracy.csv',
  fake_1000: 'splink_fake1000_dedupe_accuracy.csv',
};

export interface PublishedAccuracy {
  file: string;
  /** The row used: the lowest match probability at or above the threshold. */
  matchProbability: number;
  precision: number;
  recall: number;
  f1: number;
}

/**
 * Splink's published accuracy table (one row per score at which the counts change; each row counts
 * the pairs scoring at least that much) read at `threshold`: the row with the lowest match
 * probability at or above it.
 */
export function publishedAccuracy(
  dataDir: string,
  dataset: string,
  threshold: number,
): PublishedAccuracy | undefined {
  const file = PUBLISHED_FILES[dataset];
  if (!file) return undefined;
  const path = join(dataDir, 'published', file);
  if (!existsSync(path)) return undefined;
  const [header, ...lines] = readFileSync(path, 'utf8').trim().split(/\r?\n/);
  const columns = header!.split(',');
  const column = (name: string) => {
    const index = columns.indexOf(name);
    if (index < 0) throw new Error(`${path}: no column ${name}`);
    return index;
  };
  const [mp, p, r, f] = ['match_probability', 'precision', 'recall', 'f1'].map(column) as [
    number,
    number,
    number,
    number,
  ];
  let best: PublishedAccuracy | undefined;
  for (const line of lines) {
    const cells = line.split(',').map(Number);
    const probability = cells[mp]!;
    if (probability < threshold || (best && probability >= best.matchProbability)) continue;
    best = {
      file,
      matchProbability: probability,
      precision: cells[p]!,
      recall: cells[r]!,
      f1: cells[f]!,
    };
  }
  return best;
}
