import { useState } from 'preact/hooks';
import { ApiError, createApiClient, errorText } from '../api/api-client.js';
import type { Me } from '../api/api-types.js';

/**
 * Asks for an API key and checks it with GET /v1/me before keeping it. The field is a password
 * field with autocomplete off: the key is a secret and goes nowhere but the bearer header.
 */
export function KeyEntry(props: { onKey: (key: string, me: Me) => void; message?: string }) {
  const [key, setKey] = useState('');
  const [error, setError] = useState<string | undefined>(props.message);
  const [busy, setBusy] = useState(false);

  async function submit(event: Event) {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const me = await createApiClient(key.trim()).get<Me>('/v1/me');
      props.onKey(key.trim(), me);
    } catch (e) {
      setError(e instanceof ApiError && e.status === 401 ? 'This key is not valid.' : errorText(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <main class="key-entry">
      <h1>idgraph audit console</h1>
      <form onSubmit={(e) => void submit(e)} aria-label="Sign in with an API key">
        <label for="api-key">API key</label>
        <input
          id="api-key"
          name="api-key"
          type="password"
          autocomplete="off"
          required
          value={key}
          onInput={(e) => setKey(e.currentTarget.value)}
        />
        <button type="submit" disabled={busy || key.trim() === ''}>
          Use this key
        </button>
        <p class="hint">
          Kept in this tab's session storage only, and sent as the bearer header of API calls.
        </p>
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
      </form>
    </main>
  );
}
