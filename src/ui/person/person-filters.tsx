/**
 * The person view's filters. Purpose and minimum confidence are the API's scoped views (GET
 * /v1/persons/{id}?purpose=&minConfidence=): under them the view shows the scoped component the
 * API answers, as a client with that scope would see it. Method is a plain filter on the links.
 */
export const METHODS = ['deterministic', 'probabilistic', 'manual'] as const;

export interface Filters {
  purpose: string;
  minConfidence: string;
  methods: Set<string>;
}

export const noFilters = (): Filters => ({
  purpose: '',
  minConfidence: '',
  methods: new Set(METHODS),
});

export function scopeOf(filters: Filters): { purpose?: string; minConfidence?: number } {
  const min = Number.parseFloat(filters.minConfidence);
  return {
    ...(filters.purpose.trim() ? { purpose: filters.purpose.trim() } : {}),
    ...(Number.isFinite(min) && min > 0 ? { minConfidence: Math.min(1, min) } : {}),
  };
}

export function FilterBar(props: { filters: Filters; onChange: (filters: Filters) => void }) {
  const { filters, onChange } = props;
  const toggle = (method: string, on: boolean) => {
    const methods = new Set(filters.methods);
    if (on) methods.add(method);
    else methods.delete(method);
    onChange({ ...filters, methods });
  };
  return (
    <form class="filters" aria-label="Filters" onSubmit={(e) => e.preventDefault()}>
      <label>
        Purpose{' '}
        <input
          name="purpose"
          value={filters.purpose}
          placeholder="any"
          pattern="[a-z][a-z0-9_]*"
          onChange={(e) => onChange({ ...filters, purpose: e.currentTarget.value })}
        />
      </label>
      <label>
        Minimum confidence{' '}
        <input
          name="minConfidence"
          type="number"
          min="0"
          max="1"
          step="0.05"
          value={filters.minConfidence}
          placeholder="0"
          onChange={(e) => onChange({ ...filters, minConfidence: e.currentTarget.value })}
        />
      </label>
      <fieldset>
        <legend>Method</legend>
        {METHODS.map((m) => (
          <label key={m}>
            <input
              type="checkbox"
              name={`method-${m}`}
              checked={filters.methods.has(m)}
              onChange={(e) => toggle(m, e.currentTarget.checked)}
            />{' '}
            {m}
          </label>
        ))}
      </fieldset>
    </form>
  );
}
