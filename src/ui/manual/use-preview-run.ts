import { useState } from 'preact/hooks';
import { errorText } from '../api/api-client.js';
import type { ManualOutcome } from '../api/audit-types.js';

/**
 * Preview first, then run: `preview` calls the operation with ?dryRun=true; `run` is allowed only
 * once a preview of the same request has been shown, and calls it for real. Changing the request
 * (`key`) drops the preview.
 */
export function usePreviewRun(call: (dryRun: boolean) => Promise<ManualOutcome>, key: string) {
  const [state, setState] = useState<{
    key?: string;
    preview?: ManualOutcome;
    done?: ManualOutcome;
    error?: string;
    busy: boolean;
  }>({ busy: false });
  const preview = state.key === key ? state.preview : undefined;

  async function go(dryRun: boolean) {
    setState((s) => ({ ...s, busy: true, error: undefined }));
    try {
      const outcome = await call(dryRun);
      setState(
        dryRun
          ? { key, preview: outcome, busy: false }
          : { key, preview: undefined, done: outcome, busy: false },
      );
    } catch (e) {
      setState((s) => ({ ...s, busy: false, error: errorText(e) }));
    }
  }
  return {
    preview,
    done: state.done,
    error: state.error,
    busy: state.busy,
    runPreview: () => void go(true),
    run: () => void (preview ? go(false) : undefined),
  };
}
