import type { MatchExplanation } from '../api/api-types.js';

/**
 * Each attribute's contribution to a probabilistic link's match weight, in bits, as horizontal
 * bars around zero (agreeing evidence to the right, disagreeing to the left), with the prior and
 * the total. Plain SVG: no charting library needed for a handful of bars.
 */
const WIDTH = 420;
const ROW = 22;
const LABEL = 130;

export function ContributionChart(props: { match: MatchExplanation }) {
  const { match } = props;
  const rows = [
    { name: 'prior', label: 'prior (λ)', weight: match.priorWeight },
    ...match.comparisons.map((c) => ({
      name: c.attribute,
      label: `${c.attribute}: ${c.label}`,
      weight: c.weight,
    })),
  ];
  const max = Math.max(1, ...rows.map((r) => Math.abs(r.weight)));
  const half = (WIDTH - LABEL) / 2;
  const zero = LABEL + half;
  const height = ROW * (rows.length + 1);
  return (
    <figure class="contribution-chart">
      <svg
        width={WIDTH}
        height={height}
        viewBox={`0 0 ${WIDTH} ${height}`}
        role="img"
        aria-label="Contribution of each attribute to the match weight, in bits"
      >
        <line x1={zero} x2={zero} y1={0} y2={height} class="axis" />
        {rows.map((r, index) => {
          const length = (Math.abs(r.weight) / max) * (half - 30);
          const y = index * ROW + 4;
          return (
            <g key={r.name} class="contribution-bar" data-attribute={r.name}>
              <text x={0} y={y + 12} class="bar-label">
                {r.label.length > 22 ? `${r.label.slice(0, 21)}…` : r.label}
              </text>
              <rect
                x={r.weight >= 0 ? zero : zero - length}
                y={y}
                width={Math.max(1, length)}
                height={ROW - 8}
                class={r.weight >= 0 ? 'bar-for' : 'bar-against'}
              >
                <title>{`${r.label}: ${r.weight.toFixed(2)} bits`}</title>
              </rect>
              <text
                x={r.weight >= 0 ? zero + length + 3 : zero - length - 3}
                y={y + 12}
                text-anchor={r.weight >= 0 ? 'start' : 'end'}
                class="bar-value"
              >
                {r.weight.toFixed(1)}
              </text>
            </g>
          );
        })}
        <text x={LABEL} y={height - 6} class="bar-total">
          {`total ${match.matchWeight.toFixed(1)} bits → probability ${match.probability.toFixed(4)}`}
        </text>
      </svg>
      <figcaption>
        Match weight by attribute (bits; log2 m/u). {match.held ? `Held: ${match.held}.` : ''}
      </figcaption>
    </figure>
  );
}
