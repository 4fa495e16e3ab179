/** Consent purposes of a link, as badges. */
export function PurposeBadges(props: { purposes: readonly string[] }) {
  if (props.purposes.length === 0) return <span class="muted">none</span>;
  return (
    <span class="badges">
      {props.purposes.map((p) => (
        <span key={p} class="badge">
          {p}
        </span>
      ))}
    </span>
  );
}

export const percent = (value: number) => `${(value * 100).toFixed(value >= 0.995 ? 0 : 1)}%`;
