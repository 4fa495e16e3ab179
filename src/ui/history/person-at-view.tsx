import { useMemo } from 'preact/hooks';
import type { PersonAt } from '../api/audit-types.js';
import { GraphCanvas } from '../person/graph-canvas.js';
import { buildGraphModel } from '../person/graph-model.js';
import { useSession } from '../session.js';
import { useLoad } from '../use-load.js';

/** The person as it was at a time (GET /v1/persons/{id}/history?at=): its graph then. */
export function PersonAtView(props: { personId: string; at: string }) {
  const { api } = useSession();
  const then = useLoad(
    () =>
      api.get<PersonAt>(`/v1/persons/${encodeURIComponent(props.personId)}/history`, {
        at: props.at,
      }),
    [props.personId, props.at],
  );
  const model = useMemo(
    () =>
      then.data
        ? buildGraphModel(
            then.data.identifiers.map((i) => ({ ...i, confidence: 1 })),
            then.data.links.map((l) => ({ ...l, status: 'active', purposes: [] })),
          )
        : undefined,
    [then.data],
  );
  if (then.error) return <p class="error">{then.error}</p>;
  if (!then.data || !model) return <p aria-busy="true">Loading the person as it was…</p>;
  return (
    <div class="person-at" data-at={then.data.at}>
      <p>
        As of {then.data.at}: person <code>{then.data.personId}</code> held{' '}
        <span data-testid="at-identifier-count">{then.data.identifiers.length}</span> identifiers
        and <span data-testid="at-link-count">{then.data.links.length}</span> active links.
      </p>
      <GraphCanvas model={model} onSelectLink={() => undefined} onSelectGroup={() => undefined} />
    </div>
  );
}
