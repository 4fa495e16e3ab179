import type { Link, LinkExplanation } from '../api/api-types.js';
import { useSession } from '../session.js';
import { useLoad } from '../use-load.js';
import { PurposeBadges, percent } from './badges.js';
import { ContributionChart } from './contribution-chart.js';

/**
 * One link: rule, method, confidence, evidence events, consent purposes (from the person's links),
 * and with `audit:read` its explanation (GET /v1/links/{id}/explain): for a probabilistic link,
 * each attribute's contribution to the weight.
 */
export function LinkPanel(props: { link: Link; onClose: () => void }) {
  const { api, can } = useSession();
  const { link } = props;
  const explanation = useLoad(
    () =>
      can('audit:read')
        ? api.get<LinkExplanation>(`/v1/links/${encodeURIComponent(link.id)}/explain`)
        : Promise.resolve(undefined),
    [link.id],
  );
  return (
    <aside class="link-panel" aria-label="Link details" data-link-id={link.id}>
      <header>
        <h3>Link {link.id}</h3>
        <button onClick={props.onClose} aria-label="Close the link panel">
          ×
        </button>
      </header>
      <dl>
        <dt>Between</dt>
        <dd>
          {link.from.type}: {link.from.value} — {link.to.type}: {link.to.value}
        </dd>
        <dt>Method</dt>
        <dd class="link-method">{link.method}</dd>
        <dt>Rule</dt>
        <dd>{link.rule}</dd>
        <dt>Confidence</dt>
        <dd>{percent(link.confidence)}</dd>
        <dt>Status</dt>
        <dd>{link.status}</dd>
        <dt>Consent purposes</dt>
        <dd>
          <PurposeBadges purposes={link.purposes} />
        </dd>
        <dt>Evidence</dt>
        <dd>
          {link.evidenceCount} event(s), from {link.sources.join(', ')}; first {link.firstSeen},
          last {link.lastSeen}
          <ul class="evidence">
            {link.evidenceEvents.map((e) => (
              <li key={e}>{e}</li>
            ))}
          </ul>
        </dd>
        {link.modelVersion && (
          <>
            <dt>Model</dt>
            <dd>{link.modelVersion}</dd>
          </>
        )}
      </dl>
      {!can('audit:read') && <p class="muted">The explanation needs a key with audit:read.</p>}
      {explanation.error && <p class="error">{explanation.error}</p>}
      {explanation.data?.match && <ContributionChart match={explanation.data.match} />}
      {explanation.data && !explanation.data.match && (
        <p class="muted">No comparison vector: a {link.method} link.</p>
      )}
    </aside>
  );
}
