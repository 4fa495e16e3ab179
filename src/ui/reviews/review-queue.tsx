import { useState } from 'preact/hooks';
import { errorText } from '../api/api-client.js';
import type { Review, ReviewDecisionResult } from '../api/api-types.js';
import { percent } from '../person/badges.js';
import { href } from '../router.js';
import { useSession } from '../session.js';
import { useLoad } from '../use-load.js';
import { ReviewCompare } from './review-compare.js';

/**
 * The review queue (GET /v1/reviews): pending record pairs, oldest first, each with the two
 * records side by side. With `audit:write` each has a match / no match decision with a reason
 * (POST /v1/reviews/{id}/decision); without it no decision control is drawn at all.
 */
export function ReviewQueue() {
  const { api } = useSession();
  const [status, setStatus] = useState<'pending' | 'decided'>('pending');
  const reviews = useLoad(
    () => api.get<{ items: Review[] }>('/v1/reviews', { status, limit: 50 }),
    [status],
  );
  return (
    <section class="reviews" aria-labelledby="reviews-title">
      <h2 id="reviews-title">Review queue</h2>
      <div class="view-switch" role="tablist" aria-label="Reviews">
        <button
          role="tab"
          aria-selected={status === 'pending'}
          onClick={() => setStatus('pending')}
        >
          Pending
        </button>
        <button
          role="tab"
          aria-selected={status === 'decided'}
          onClick={() => setStatus('decided')}
        >
          Decided
        </button>
      </div>
      {reviews.error && <p class="error">{reviews.error}</p>}
      {reviews.data?.items.length === 0 && <p>No {status} reviews.</p>}
      {reviews.data?.items.map((r) => (
        <ReviewItem key={r.id} review={r} />
      ))}
    </section>
  );
}

function ReviewItem(props: { review: Review }) {
  const { api, can } = useSession();
  const { review } = props;
  const [reason, setReason] = useState('');
  const [result, setResult] = useState<ReviewDecisionResult | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);

  async function decide(decision: 'match' | 'no_match') {
    setBusy(true);
    setError(undefined);
    try {
      setResult(
        await api.post<ReviewDecisionResult>(
          `/v1/reviews/${encodeURIComponent(review.id)}/decision`,
          { decision, ...(reason.trim() ? { reason: reason.trim() } : {}) },
        ),
      );
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <article class="review" data-review-id={review.id} aria-label={`Review ${review.id}`}>
      <header>
        <h3>{review.id}</h3>
        <span>
          probability {percent(review.probability)}, weight {review.matchWeight.toFixed(1)} bits,
          model {review.modelVersion}, since {review.createdAt}
        </span>
      </header>
      <ReviewCompare review={review} />
      {review.status === 'decided' && (
        <p>
          Decided <strong>{review.decision}</strong> by {review.decidedBy} at {review.decidedAt}
          {review.reason ? `: ${review.reason}` : ''}
        </p>
      )}
      {review.status === 'pending' && !result && can('audit:write') && (
        <form class="decision" onSubmit={(e) => e.preventDefault()} aria-label="Decision">
          <label>
            Reason{' '}
            <input
              name="reason"
              value={reason}
              maxLength={500}
              placeholder="ticket or rule reference (no personal data)"
              onInput={(e) => setReason(e.currentTarget.value)}
            />
          </label>
          <button type="button" disabled={busy} onClick={() => void decide('match')}>
            Match
          </button>
          <button type="button" disabled={busy} onClick={() => void decide('no_match')}>
            No match
          </button>
        </form>
      )}
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {result && (
        <p class="decision-result" role="status">
          Decided <strong>{result.decision}</strong>:{' '}
          {result.decision === 'match' ? (
            <>
              both records are now person{' '}
              <a
                href={href({ view: 'person', personId: result.personIds[0]! })}
                data-person-id={result.personIds[0]}
              >
                {result.personIds[0]}
              </a>
              {result.personIds.length > 1 && (
                <> (merged into it: {result.personIds.slice(1).join(', ')})</>
              )}
            </>
          ) : (
            <>kept apart: persons {result.personIds.join(' and ')}</>
          )}
        </p>
      )}
    </article>
  );
}
