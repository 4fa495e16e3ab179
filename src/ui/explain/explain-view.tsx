import { useState } from 'preact/hooks';
import { errorText } from '../api/api-client.js';
import type { Explanation } from '../api/audit-types.js';
import { href } from '../router.js';
import { useSession } from '../session.js';
import { COMMON_TYPES } from '../views/search-view.js';
import { ExplanationView } from './explanation-view.js';

/**
 * Why / why not (POST /v1/explain): two identifiers, and either the path of links that makes them
 * one person or every reason they are not, each with its stable code. The values travel in the
 * request body, never in the URL.
 */
export function ExplainView() {
  const { api } = useSession();
  const [a, setA] = useState({ type: 'email', value: '' });
  const [b, setB] = useState({ type: 'email', value: '' });
  const [answer, setAnswer] = useState<Explanation | undefined>();
  const [error, setError] = useState<string | undefined>();

  async function submit(event: Event) {
    event.preventDefault();
    setError(undefined);
    try {
      setAnswer(await api.post<Explanation>('/v1/explain', { a, b }));
    } catch (e) {
      setAnswer(undefined);
      setError(errorText(e));
    }
  }

  const side = (name: 'a' | 'b', value: typeof a, set: (v: typeof a) => void) => (
    <fieldset>
      <legend>Identifier {name.toUpperCase()}</legend>
      <input
        name={`${name}-type`}
        aria-label={`Identifier ${name.toUpperCase()} type`}
        list="explain-types"
        value={value.type}
        onInput={(e) => set({ ...value, type: e.currentTarget.value })}
        required
      />
      <input
        name={`${name}-value`}
        aria-label={`Identifier ${name.toUpperCase()} value`}
        autocomplete="off"
        value={value.value}
        onInput={(e) => set({ ...value, value: e.currentTarget.value })}
        required
      />
    </fieldset>
  );

  return (
    <section class="explain" aria-labelledby="explain-title">
      <h2 id="explain-title">Why / why not</h2>
      <form
        class="explain-form"
        onSubmit={(e) => void submit(e)}
        aria-label="Explain two identifiers"
      >
        {side('a', a, setA)}
        {side('b', b, setB)}
        <datalist id="explain-types">
          {COMMON_TYPES.map((t) => (
            <option key={t} value={t} />
          ))}
        </datalist>
        <button type="submit">Explain</button>
      </form>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {answer?.samePerson === true && (
        <p role="status" data-same-person="true">
          One person:{' '}
          <a href={href({ view: 'person', personId: answer.personId })}>{answer.personId}</a>.
        </p>
      )}
      {answer?.samePerson === false && (
        <p role="status" data-same-person="false">
          Not one person: {answer.persons.map((p) => p ?? 'unknown').join(' and ')}.
        </p>
      )}
      {answer && <ExplanationView answer={answer} />}
    </section>
  );
}
