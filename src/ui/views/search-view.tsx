import { useState } from 'preact/hooks';
import { errorText } from '../api/api-client.js';
import type { ResolveResult } from '../api/api-types.js';
import { navigate } from '../router.js';
import { useSession } from '../session.js';

/** Types offered in the search; any configured type may be typed in. */
export const COMMON_TYPES = [
  'email',
  'phone',
  'user_id',
  'crm_id',
  'device_id',
  'cookie_id',
  'maid',
  'hashed_email',
  'external_id',
];

/**
 * Search by identifier (type + value: POST /v1/resolve, so the value travels in the body, never in
 * a URL) or by person id (a merged id lands on its survivor, with a note in the person view).
 */
export function SearchView() {
  const { api } = useSession();
  const [type, setType] = useState('email');
  const [value, setValue] = useState('');
  const [personId, setPersonId] = useState('');
  const [message, setMessage] = useState<string | undefined>();

  async function byIdentifier(event: Event) {
    event.preventDefault();
    setMessage(undefined);
    try {
      const { results } = await api.post<{ results: ResolveResult[] }>('/v1/resolve', {
        identifiers: [{ type: type.trim(), value }],
      });
      const [result] = results;
      if (result?.personId) navigate({ view: 'person', personId: result.personId });
      else setMessage(`No person for this identifier (${result?.reason ?? 'not_found'}).`);
    } catch (e) {
      setMessage(errorText(e));
    }
  }

  function byPerson(event: Event) {
    event.preventDefault();
    if (personId.trim()) navigate({ view: 'person', personId: personId.trim() });
  }

  return (
    <section class="search" aria-labelledby="search-title">
      <h2 id="search-title">Find a person</h2>
      <form onSubmit={(e) => void byIdentifier(e)} aria-label="Search by identifier">
        <label for="search-type">Identifier type</label>
        <input
          id="search-type"
          list="identifier-types"
          value={type}
          onInput={(e) => setType(e.currentTarget.value)}
          required
        />
        <datalist id="identifier-types">
          {COMMON_TYPES.map((t) => (
            <option key={t} value={t} />
          ))}
        </datalist>
        <label for="search-value">Value</label>
        <input
          id="search-value"
          value={value}
          autocomplete="off"
          onInput={(e) => setValue(e.currentTarget.value)}
          required
        />
        <button type="submit">Search</button>
      </form>
      <form onSubmit={byPerson} aria-label="Open a person by id">
        <label for="search-person">Person id</label>
        <input
          id="search-person"
          value={personId}
          placeholder="per_…"
          onInput={(e) => setPersonId(e.currentTarget.value)}
          required
        />
        <button type="submit">Open</button>
      </form>
      {message && (
        <p class="error" role="alert">
          {message}
        </p>
      )}
    </section>
  );
}
