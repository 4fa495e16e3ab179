import { useState } from 'preact/hooks';
import type { ManualOutcome } from '../api/audit-types.js';
import { useSession } from '../session.js';
import { PreviewRunControls } from './preview-run-controls.js';
import { usePreviewRun } from './use-preview-run.js';
import { ReasonInput } from './reason-input.js';

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
      <ReasonInput name="revert-reason" value={reason} onInput={setReason} />
      <PreviewRunControls op={op} name="revert" ready={body.reason !== ''} />
    </form>
  );
}
