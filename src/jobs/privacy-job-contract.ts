import { z } from 'zod';

/**
 * The privacy queue's contract: one job per privacy request, its id the request id, so enqueueing
 * a request twice (a client's repeat, a retried create) leaves one job. The producer validates the
 * data before it adds a job and the worker parses it again on every attempt.
 *
 * The data is the one place the subject's normalised identifier keys live (personal data): the
 * graph keeps only their keyed hashes. The job is removed when it completes, and with it the keys;
 * a job that failed for good keeps them in the failed set until it is retried or removed.
 */

export const PRIVACY_REQUEST_JOB = 'privacy-request';

export const privacyJobDataSchema = z.object({
  requestId: z.string().regex(/^prq_[A-Za-z0-9_-]{1,64}$/),
  /**
   * The subject's normalised identifier keys (`type:value`), sorted and distinct: given at creation
   * for a subject named by identifiers, written by the `resolve_subject` step for a person.
   */
  keys: z.array(z.string().min(1)).optional(),
  /** Given identifiers that could not be normalised, counted by reason (no values). */
  invalid: z.record(z.string(), z.number().int().min(0)).optional(),
});
export type PrivacyJobData = z.infer<typeof privacyJobDataSchema>;

/**
 * An error a job function throws when its message is fit to be stored with the job (no personal
 * data), and whether another attempt could succeed. Any other error is stored by class and code.
 */
export class JobFailure extends Error {
  constructor(
    message: string,
    readonly permanent = false,
  ) {
    super(message);
    this.name = 'JobFailure';
  }
}
