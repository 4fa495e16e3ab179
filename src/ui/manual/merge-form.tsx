import { useState } from 'preact/hooks';
import type { ManualOutcome } from '../api/audit-types.js';
import { useSession } from '../session.js';
import { PreviewRunControls } from './preview-run-controls.js';
import { usePreviewRun } from './use-preview-run.js';
import { ReasonInput } from './reason-input.js';

/**
 * Merge this person with others (POST /v1/persons/merge): their ids, a reason, the dry-run
 * preview, then the merge. The resolver's limits and constraints still apply (a 409 says which).
 */
export function MergeForm(props: { personId: string; onDone: (outcome: ManualOutcome) => void }) {
  const { api } = useSession();
  const [others, setOthers] = useState('');
  const [reason, setReason] = useState('');
  const ids = others.split(/[\s,]+/).filter((id) => id.length > 0);
  const body = { personIds: [props.personId, ...ids], reason: reason.trim() };
  const op = usePreviewRun(async (dryRun) => {
    const outcome = await api.post<ManualOutcome>('/v1/persons/merge', body, { dryRun });
    if (!dryRun) props.onDone(outcome);
    return outcome;
  }, JSON.stringify(body));
  return (
    <form class="manual merge" aria-label="Merge persons" onSubmit={(e) => e.preventDefault()}>
      <h3>Merge with other persons</h3>
      <label>
        Person ids{' '}
        <input
          name="merge-persons"
          value={others}
          placeholder="per_…, per_…"
          onInput={(e) => setOthers(e.currentTarget.value)}
        />
      </label>
      <ReasonInput name="merge-reason" value={reason} onInput={setReason} />
      <PreviewRunControls op={op} name="merge" ready={ids.length > 0 && body.reason !== ''} />
    </form>
  );
}
