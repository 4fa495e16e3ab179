import type { PairCounts } from '../replay/partition-diff.js';
import type { DiffReport, SamplePerson } from '../replay/graph-diff.js';
import { formatCount, printable, table } from './format.js';

/**
 * `idgraph diff`'s report for people: identifiers compared, persons merged and split, pairs gained
 * and lost, precision / recall / F1, links by method and rule, and sample cases by person id and
 * identifier types (values only when `--show-values` asked for them).
 */

const share = (x: number) => x.toFixed(4);

function pairRows(label: string, p: PairCounts): string[][] {
  return [
    [`${label} precision`, share(p.precision)],
    [`${label} recall`, share(p.recall)],
    [`${label} F1`, share(p.f1)],
  ];
}

function person(p: SamplePerson): string {
  const types = Object.entries(p.types)
    .sort(([x], [y]) => (x < y ? -1 : 1))
    .map(([type, n]) => `${type} x${n}`)
    .join(', ');
  const keys = p.keys ? `\n      ${p.keys.map(printable).join('\n      ')}` : '';
  return `${p.personId}: ${types || '(no identifiers)'}${keys}`;
}

export function formatDiffSummary(report: DiffReport, names: { a: string; b: string }): string {
  const { identifiers: ids, persons, pairs } = report;
  const out: string[] = [];
  out.push(
    table([
      ['a', names.a],
      ['b', names.b],
      ['result', report.identical ? 'identical partitions' : 'partitions differ'],
      ['identifiers in both', formatCount(ids.both)],
      ['only in a', formatCount(ids.onlyA)],
      ['only in b', formatCount(ids.onlyB)],
      ['persons in a / b', `${formatCount(persons.a)} / ${formatCount(persons.b)}`],
      [
        'merged in b',
        `${formatCount(persons.merged)} persons of b hold ${formatCount(persons.mergedFrom)} of a`,
      ],
      [
        'split in b',
        `${formatCount(persons.split)} persons of a spread over ${formatCount(persons.splitInto)} of b`,
      ],
      [
        'pairs in a / b / both',
        `${formatCount(pairs.reference)} / ${formatCount(pairs.compared)} / ${formatCount(pairs.both)}`,
      ],
      ['pairs gained (b only)', formatCount(pairs.gained)],
      ['pairs lost (a only)', formatCount(pairs.lost)],
      ...pairRows('b against a:', pairs),
    ]),
  );
  if (report.truth) {
    const t = report.truth;
    out.push(
      table([
        ['truth identifiers', formatCount(t.a.identifiers.truth)],
        ['  rejected by the rules', formatCount(t.rejected)],
        [
          '  in a / in b',
          `${formatCount(t.a.identifiers.inGraph)} / ${formatCount(t.b.identifiers.inGraph)}`,
        ],
        ...pairRows('a against truth:', t.a.pairs),
        ...pairRows('b against truth:', t.b.pairs),
      ]),
    );
  }
  out.push(
    table([
      ['METHOD', 'RULE', 'LINKS IN A', 'LINKS IN B'],
      ...report.links.map((l) => [l.method, l.rule, formatCount(l.a), formatCount(l.b)]),
    ]),
  );
  const cases = (title: string, list: DiffReport['samples']['merged']) => {
    if (list.length === 0) return;
    out.push(
      `${title}\n${list
        .map(
          (c, n) =>
            `  ${n + 1}. a: ${c.a.map(person).join('\n         ')}\n     b: ${c.b.map(person).join('\n         ')}`,
        )
        .join('\n')}`,
    );
  };
  cases('merged in b (sample):', report.samples.merged);
  cases('split in b (sample):', report.samples.split);
  return `${out.join('\n\n')}\n`;
}
