/**
 * The operator's reason of a manual operation or privacy request: kept in the audit trail, so the
 * placeholder says it must not hold personal data.
 */
export function ReasonInput(props: {
  name: string;
  value: string;
  onInput: (value: string) => void;
}) {
  return (
    <label>
      Reason{' '}
      <input
        name={props.name}
        required
        maxLength={500}
        value={props.value}
        placeholder="ticket reference (no personal data)"
        onInput={(e) => props.onInput(e.currentTarget.value)}
      />
    </label>
  );
}
