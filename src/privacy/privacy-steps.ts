import { type JobScrubber, rewriteAofStep, scrubQueueStep } from './erase-queue.js';
import { deleteGraphStep, suppressStep } from './erase-steps.js';
import type { StepRegistry } from './privacy-step.js';
import { revokeSteps } from './revoke-steps.js';
import { unsuppressStep } from './unsuppress-step.js';

/**
 * The steps of each request type the service runs (between `resolve_subject` and `finish`). A
 * type is supported once it has an entry here; steps that need dependencies of their own get
 * them through this function's parameters, wired in src/runtime.ts and the CLI.
 */
export function privacySteps(deps: { scrubIngestJobs?: JobScrubber } = {}): StepRegistry {
  return {
    unsuppress: [unsuppressStep],
    revoke: revokeSteps(),
    erase: [suppressStep, deleteGraphStep, scrubQueueStep(deps.scrubIngestJobs), rewriteAofStep],
  };
}
