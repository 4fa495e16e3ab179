import { useState } from 'preact/hooks';
import { errorText } from '../api/api-client.js';
import type { PrivacyRequest, PrivacyRequestType } from '../api/api-types.js';
import { navigate } from '../router.js';
import { useSession } from '../session.js';
import { ReasonInput } from '../manual/reason-input.js';

/**
 * Creates a privacy request (POST /v1/privacy/requests; drawn only for a key with privacy:write).
 * The subject is a person id or identifiers, one `type: value` per line; the reason goes to the
 * audit trail, so the form says it must not hold personal data.
 */
export function parseIdentifierLines(text: string): { type: string; value: string }[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.length > 0)
    .map((line) => {
      const at = line.indexOf(':');
      return at < 0
        ? { type: '', value: line }
        : { type: line.slice(0, at).trim(), value: line.slice(at + 1).trim() };
    });
}

export function PrivacyForm(props: { onCreated: () => void }) {
  const { api } = useSession();
  const [type, setType] = useState<PrivacyRequestType>('access');
  const [subjectKind, setSubjectKind] = useState<'person' | 'identifiers'>('person');
  const [subject, setSubject] = useState('');
  const [purposes, setPurposes] = useState('');
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | undefined>();

  async function submit(event: Event) {
    event.preventDefault();
    setError(undefined);
    const body = {
      type,
      subject:
        subjectKind === 'person'
          ? { personId: subject.trim() }
          : { identifiers: parseIdentifierLines(subject) },
      ...(type === 'revoke'
        ? { purposes: purposes.split(/[\s,]+/).filter((p) => p.length > 0) }
        : {}),
      reason: reason.trim(),
    };
    try {
      const created = await api.post<Pick<PrivacyRequest, 'id' | 'status'>>(
        '/v1/privacy/requests',
        body,
      );
      props.onCreated();
      navigate({ view: 'privacy', requestId: created.id });
    } catch (e) {
      setError(errorText(e));
    }
  }

  return (
    <form class="privacy-form" onSubmit={(e) => void submit(e)} aria-label="New privacy request">
      <h3>New request</h3>
      <label>
        Type{' '}
        <select
          name="type"
          value={type}
          onChange={(e) => setType(e.currentTarget.value as PrivacyRequestType)}
        >
          <option value="access">access (export)</option>
          <option value="revoke">revoke consent</option>
          <option value="erase">erase</option>
          <option value="unsuppress">unsuppress</option>
        </select>
      </label>
      <fieldset>
        <legend>Subject</legend>
        <label>
          <input
            type="radio"
            name="subject-kind"
            checked={subjectKind === 'person'}
            onChange={() => setSubjectKind('person')}
          />{' '}
          person id
        </label>
        <label>
          <input
            type="radio"
            name="subject-kind"
            checked={subjectKind === 'identifiers'}
            onChange={() => setSubjectKind('identifiers')}
          />{' '}
          identifiers (one <code>type: value</code> a line)
        </label>
        <textarea
          name="subject"
          rows={subjectKind === 'person' ? 1 : 4}
          required
          value={subject}
          onInput={(e) => setSubject(e.currentTarget.value)}
        />
      </fieldset>
      {type === 'revoke' && (
        <label>
          Purposes{' '}
          <input
            name="purposes"
            required
            value={purposes}
            placeholder="marketing, advertising"
            onInput={(e) => setPurposes(e.currentTarget.value)}
          />
        </label>
      )}
      <ReasonInput name="reason" value={reason} onInput={setReason} />
      <button type="submit">Create request</button>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}
