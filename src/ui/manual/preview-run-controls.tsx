import { ManualOutcomeView } from './manual-outcome.js';
import type { usePreviewRun } from './use-preview-run.js';

/**
 * The end of every manual operation's form: "Preview …" (enabled once the request is complete),
 * "Run …" (enabled once a preview of this very request is shown), the error, the preview and the
 * outcome.
 */
export function PreviewRunControls(props: {
  op: ReturnType<typeof usePreviewRun>;
  name: string;
  ready: boolean;
}) {
  const { op, name } = props;
  return (
    <>
      <div class="buttons">
        <button type="button" disabled={!props.ready || op.busy} onClick={op.runPreview}>
          Preview {name}
        </button>
        <button type="button" disabled={!op.preview || op.busy} onClick={op.run}>
          Run {name}
        </button>
      </div>
      {op.error && (
        <p class="error" role="alert">
          {op.error}
        </p>
      )}
      {op.preview && <ManualOutcomeView outcome={op.preview} />}
      {op.done && <ManualOutcomeView outcome={op.done} />}
    </>
  );
}
