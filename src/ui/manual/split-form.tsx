import { useState } from 'preact/hooks';
import type { PersonIdentifier } from '../api/api-types.js';
import type { ManualOutcome } from '../api/audit-types.js';
import { parseIdentifierLines } from '../privacy/privacy-form.js';
import { useSession } from '../session.js';
import { PreviewRunControls } from './preview-run-controls.js';
import { usePreviewRun } from './use-preview-run.js';
import { ReasonInput } from './reason-input.js';

/**
 * Split identifiers off a person (POST /v1/persons/{id}/split): pick them (checkboxes, or one
 * `type: value` a line for a person too large to list), give a reason, see the dry-run preview,
 * then run it. Drawn only for a key with audit:write.
 */
const LISTED = 300;

export function SplitForm(props: {
  personId: string;
  identifiers: readonly PersonIdentifier[];
  onDone: (outcome: ManualOutcome) => void;
}) {
  const { api } = useSession();
  const [picked, setPicked] = useState<Set<string>>(new Set());
  const [lines, setLines] = useState('');
  const [keepApart, setKeepApart] = useState(false);
  const [reason, setReason] = useState('');
  const listed = props.identifiers.length <= LISTED;
  const chosen = listed
    ? props.identifiers
        .filter((i) => picked.has(`${i.type}:${i.value}`))
        .map((i) => ({ type: i.type, value: i.value }))
    : parseIdentifierLines(lines);
  const body = { identifiers: chosen, keepApart, reason: reason.trim() };
  const op = usePreviewRun(async (dryRun) => {
    const outcome = await api.post<ManualOutcome>(
      `/v1/persons/${encodeURIComponent(props.personId)}/split`,
      body,
      { dryRun },
    );
    if (!dryRun) {
      setPicked(new Set());
      props.onDone(outcome);
    }
    return outcome;
  }, JSON.stringify(body));
  const toggle = (key: string, on: boolean) => {
    const next = new Set(picked);
    if (on) next.add(key);
    else next.delete(key);
    setPicked(next);
  };
  const ready = chosen.length > 0 && body.reason.length > 0;

  return (
    <form
      class="manual split"
      aria-label="Split off identifiers"
      onSubmit={(e) => e.preventDefault()}
    >
      <h3>Split off identifiers</h3>
      {listed ? (
        <fieldset class="pick">
          <legend>Identifiers to move to a new person</legend>
          {props.identifiers.map((i) => {
            const key = `${i.type}:${i.value}`;
            return (
              <label key={key}>
                <input
                  type="checkbox"
                  name="split-identifier"
                  value={key}
                  checked={picked.has(key)}
                  onChange={(e) => toggle(key, e.currentTarget.checked)}
                />{' '}
                {i.type}: {i.value}
              </label>
            );
          })}
        </fieldset>
      ) : (
        <label>
          Identifiers to move (one <code>type: value</code> a line){' '}
          <textarea name="split-lines" rows={4} onInput={(e) => setLines(e.currentTarget.value)} />
        </label>
      )}
      <label>
        <input
          type="checkbox"
          name="keep-apart"
          checked={keepApart}
          onChange={(e) => setKeepApart(e.currentTarget.checked)}
        />{' '}
        keep them apart (a constraint no rule overrides until it is deleted)
      </label>
      <ReasonInput name="split-reason" value={reason} onInput={setReason} />
      <PreviewRunControls op={op} name="split" ready={ready} />
    </form>
  );
}
