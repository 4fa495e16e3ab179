import { useEffect, useState } from 'preact/hooks';
import type { PrivacyRequest, PrivacyRequestList } from '../api/api-types.js';
import { href } from '../router.js';
import { useSession } from '../session.js';
import { useLoad } from '../use-load.js';
import { PrivacyForm } from './privacy-form.js';
import { TableHead } from '../table-head.js';

/**
 * Privacy requests (issue 8): the list with status (GET /v1/privacy/requests), one request's
 * steps and report (GET /v1/privacy/requests/{id}, polled until it completes or fails), and, for a
 * key with privacy:write, the form to create one. Reports hold ids and counts only.
 */
export function PrivacyView(props: { requestId?: string }) {
  const { api, can } = useSession();
  const [round, setRound] = useState(0);
  const list = useLoad(
    () => api.get<PrivacyRequestList>('/v1/privacy/requests', { limit: 50 }),
    [round, props.requestId],
  );
  return (
    <section class="privacy" aria-labelledby="privacy-title">
      <h2 id="privacy-title">Privacy requests</h2>
      <div class="privacy-columns">
        <div>
          {list.error && <p class="error">{list.error}</p>}
          <table aria-label="Privacy requests" class="privacy-list">
            <TableHead columns={['Request', 'Type', 'Status', 'Created', 'By']} />
            <tbody>
              {list.data?.items.map((r) => (
                <tr key={r.id} data-request-id={r.id}>
                  <td>
                    <a href={href({ view: 'privacy', requestId: r.id })}>{r.id}</a>
                  </td>
                  <td>{r.type}</td>
                  <td class={`status status-${r.status}`}>{r.status}</td>
                  <td>{r.createdAt}</td>
                  <td>{r.actor}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {can('privacy:write') && <PrivacyForm onCreated={() => setRound((n) => n + 1)} />}
        </div>
        {props.requestId && (
          <RequestDetail
            key={props.requestId}
            requestId={props.requestId}
            onSettled={() => setRound((n) => n + 1)}
          />
        )}
      </div>
    </section>
  );
}

const POLL_MS = 1000;

function RequestDetail(props: { requestId: string; onSettled: () => void }) {
  const { api } = useSession();
  const [tick, setTick] = useState(0);
  const request = useLoad(
    () => api.get<PrivacyRequest>(`/v1/privacy/requests/${encodeURIComponent(props.requestId)}`),
    [props.requestId, tick],
  );
  const status = request.data?.status;
  useEffect(() => {
    if (status === undefined) return;
    if (status === 'completed' || status === 'failed') {
      props.onSettled();
      return;
    }
    const timer = setTimeout(() => setTick((t) => t + 1), POLL_MS);
    return () => clearTimeout(timer);
    // Polls while the request runs; the list refreshes once it settles.
  }, [status, tick]);
  const r = request.data;
  if (request.error) return <p class="error">{request.error}</p>;
  if (!r) return <p aria-busy="true">Loading…</p>;
  return (
    <article class="privacy-detail" aria-label={`Privacy request ${r.id}`} data-request-id={r.id}>
      <h3>{r.id}</h3>
      <dl>
        <dt>Type</dt>
        <dd>{r.type}</dd>
        <dt>Status</dt>
        <dd class={`status status-${r.status}`} data-testid="request-status">
          {r.status}
        </dd>
        <dt>Reason</dt>
        <dd>{r.reason}</dd>
        <dt>By</dt>
        <dd>{r.actor}</dd>
        {r.purposes && (
          <>
            <dt>Purposes</dt>
            <dd>{r.purposes.join(', ')}</dd>
          </>
        )}
        <dt>Steps done</dt>
        <dd>{r.stepsDone.join(' → ') || 'none yet'}</dd>
        {r.failure && (
          <>
            <dt>Failure</dt>
            <dd class="error">{r.failure}</dd>
          </>
        )}
      </dl>
      {r.report && (
        <>
          <h4>Report</h4>
          <ReportTable report={r.report} />
        </>
      )}
    </article>
  );
}

function ReportTable(props: { report: Record<string, unknown> }) {
  return (
    <table class="report" aria-label="Report">
      <tbody>
        {Object.entries(props.report).map(([name, value]) => (
          <tr key={name}>
            <th scope="row">{name}</th>
            <td>
              <code>{JSON.stringify(value)}</code>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
