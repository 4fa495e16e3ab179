import { useState } from 'preact/hooks';
import type { ManualOutcome } from '../api/audit-types.js';
import { useSession } from '../session.js';
import { ManualOutcomeView } from './manual-outcome.js';
import { usePreviewRun } from './use-preview-run.js';

/**
 * Revert one merge (POST /v1/audit/{id}/revert), from the merge's entry in a person's history:
 * a reason, the dry-run preview, then the revert (docs/audits.md has the rule).
 */
export function RevertForm(props: { auditId: string; onDone: () => void }) {
  const { api } = useSession();
  const [reason, setReason] = useState('');
  const body = { reason: reason.trim() };
  const op = usePreviewRun(async (dryRun) => {
    const outcome = await api.post<ManualOutcome>(
      `/v1/audit/${encodeURIComponent(props.auditId)}/revert`,
      body,
      { dryRun },
    );
    if (!dryRun) props.onDone();
    return outcome;
  }, JSON.stringify(body));
  return (
    <form
      class="manual revert"
      aria-label={`Revert merge ${props.auditId}`}
      onSubmit={(e) => e.preventDefault()}
    >
      <label>
        Reason{' '}
        <input
          name="revert-reason"
          maxLength={500}
          value={reason}
          placeholder="ticket reference (no personal data)"
          onInput={(e) => setReason(e.currentTarget.value)}
        />
      </label>
      <button type="button" disabled={body.reason === '' || op.busy} onClick={op.runPreview}>
        Preview revert
      </button>
      <button type="button" disabled={!op.preview || op.busy} onClick={op.run}>
        Run revert
      </button>
      {op.error && (
        <p class="error" role="alert">
          {op.error}
        </p>
      )}
      {op.preview && <ManualOutcomeView outcome={op.preview} />}
      {op.done && <ManualOutcomeView outcome={op.done} />}
    </form>
  );
}
