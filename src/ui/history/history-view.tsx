import { useState } from 'preact/hooks';
import { errorText } from '../api/api-client.js';
import type { HistoryItem, HistoryPage } from '../api/audit-types.js';
import { RevertForm } from '../manual/revert-form.js';
import { href } from '../router.js';
import { useSession } from '../session.js';
import { useLoad } from '../use-load.js';
import { PersonAtView } from './person-at-view.js';
import { TableHead } from '../table-head.js';

/**
 * A person's history (GET /v1/persons/{id}/history): how it came to be, oldest first, a page at a
 * time; "as of" a chosen time the person as it was then (?at=, needs persons:read too). A merge
 * entry offers its revert to a key with audit:write.
 */
const MERGE_KINDS = new Set(['merge', 'manual_merge']);

/** The fields of an item worth a line, beyond kind, time and actor (ids, rules, counts). */
function details(item: HistoryItem): string {
  return Object.entries(item)
    .filter(([name, value]) => !['kind', 'at', 'actor', 'auditId'].includes(name) && value !== null)
    .map(([name, value]) => `${name}: ${typeof value === 'string' ? value : JSON.stringify(value)}`)
    .join('; ');
}

export function HistoryView(props: { personId: string }) {
  const { api, can } = useSession();
  const [pages, setPages] = useState<HistoryPage[]>([]);
  const [more, setMore] = useState<string | undefined>();
  const [reverting, setReverting] = useState<string | undefined>();
  const [asOf, setAsOf] = useState('');
  const [round, setRound] = useState(0);
  const first = useLoad(
    () =>
      api.get<HistoryPage>(`/v1/persons/${encodeURIComponent(props.personId)}/history`, {
        limit: 100,
      }),
    [props.personId, round],
  );

  async function loadMore(cursor: string) {
    try {
      const page = await api.get<HistoryPage>(
        `/v1/persons/${encodeURIComponent(props.personId)}/history`,
        { limit: 100, cursor },
      );
      setPages([...pages, page]);
    } catch (e) {
      setMore(errorText(e));
    }
  }

  if (first.error)
    return (
      <p class="error" role="alert">
        {first.error}
      </p>
    );
  if (!first.data) return <p aria-busy="true">Loading the history…</p>;
  const all = [first.data, ...pages];
  const items = all.flatMap((p) => p.items);
  const next = all[all.length - 1]!.next;
  const personId = first.data.personId;

  return (
    <section class="history" aria-labelledby="history-title">
      <h2 id="history-title">
        History of <a href={href({ view: 'person', personId })}>{personId}</a>
      </h2>
      {personId !== first.data.requestedId && (
        <p class="note" role="status">
          {first.data.requestedId} was merged into {personId}; showing the survivor’s history.
        </p>
      )}
      {can('persons:read') && (
        <form class="as-of" aria-label="As of" onSubmit={(e) => e.preventDefault()}>
          <label>
            As of{' '}
            <input
              type="datetime-local"
              name="as-of"
              step="1"
              value={asOf}
              onInput={(e) => setAsOf(e.currentTarget.value)}
            />
          </label>
          {asOf && (
            <button type="button" onClick={() => setAsOf('')}>
              Now
            </button>
          )}
        </form>
      )}
      {asOf && !Number.isNaN(Date.parse(asOf)) && (
        <PersonAtView personId={personId} at={new Date(asOf).toISOString()} />
      )}
      <table aria-label="History" class="history-items">
        <TableHead columns={['When', 'What', 'By', 'Details']} />
        <tbody>
          {items.map((item, index) => (
            <tr key={`${item.auditId ?? ''}-${index}`} data-kind={item.kind}>
              <td>{item.at}</td>
              <td>{item.kind}</td>
              <td>{item.actor}</td>
              <td>
                {details(item)}
                {item.auditId && MERGE_KINDS.has(item.kind) && can('audit:write') && (
                  <>
                    {' '}
                    <button onClick={() => setReverting(item.auditId ?? undefined)}>Revert…</button>
                    {reverting === item.auditId && (
                      <RevertForm
                        auditId={item.auditId}
                        onDone={() => {
                          setPages([]);
                          setRound((r) => r + 1);
                        }}
                      />
                    )}
                  </>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {next && <button onClick={() => void loadMore(next)}>Older pages: load more</button>}
      {more && <p class="error">{more}</p>}
    </section>
  );
}
