import type { Comparison, MatchExplanation, Review } from '../api/api-types.js';

/**
 * The two records of a review side by side, one row per compared attribute, each row marked with
 * the comparison level the model found: agree (the most similar level), partial (a lower level
 * that still weighs for a match), disagree, or missing. The weight column is that level's
 * contribution in bits.
 */
export function levelClass(c: Comparison | undefined): string {
  if (!c) return 'level-none';
  if (c.level < 0) return 'level-missing';
  if (c.weight <= 0) return 'level-disagree';
  return c.level === 0 ? 'level-agree' : 'level-partial';
}

export function explanationOf(review: Review): MatchExplanation | undefined {
  const e = review.explanation as Partial<MatchExplanation> | null | undefined;
  return e && Array.isArray(e.comparisons) ? (e as MatchExplanation) : undefined;
}

export function ReviewCompare(props: { review: Review }) {
  const { review } = props;
  const [a, b] = review.records;
  const comparisons = explanationOf(review)?.comparisons ?? [];
  const byAttribute = new Map(comparisons.map((c) => [c.attribute, c]));
  const attributes = [
    ...new Set([
      ...comparisons.map((c) => c.attribute),
      ...Object.keys(a?.attributes ?? {}),
      ...Object.keys(b?.attributes ?? {}),
    ]),
  ];
  return (
    <table class="review-compare" aria-label={`Records of review ${review.id}`}>
      <thead>
        <tr>
          <th scope="col">Attribute</th>
          <th scope="col">
            Record A <small>{a?.source}</small>
          </th>
          <th scope="col">
            Record B <small>{b?.source}</small>
          </th>
          <th scope="col">Level</th>
          <th scope="col">Weight (bits)</th>
        </tr>
      </thead>
      <tbody>
        <tr>
          <th scope="row">identifier</th>
          <td>{a?.anchor ? `${a.anchor.type}: ${a.anchor.value}` : '—'}</td>
          <td>{b?.anchor ? `${b.anchor.type}: ${b.anchor.value}` : '—'}</td>
          <td colSpan={2} class="muted">
            persons {a?.personId ?? '—'} / {b?.personId ?? '—'}
          </td>
        </tr>
        {attributes.map((name) => {
          const c = byAttribute.get(name);
          return (
            <tr key={name} class={levelClass(c)} data-attribute={name}>
              <th scope="row">{name}</th>
              <td>{a?.attributes[name] ?? '—'}</td>
              <td>{b?.attributes[name] ?? '—'}</td>
              <td>{c ? c.label : 'not compared'}</td>
              <td>{c ? c.weight.toFixed(2) : ''}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
