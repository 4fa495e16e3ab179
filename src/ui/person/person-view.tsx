import { useMemo, useState } from 'preact/hooks';
import { MergeForm } from '../manual/merge-form.js';
import { SplitForm } from '../manual/split-form.js';
import { href } from '../router.js';
import { useSession } from '../session.js';
import { useLoad } from '../use-load.js';
import { PurposeBadges } from './badges.js';
import { GraphCanvas } from './graph-canvas.js';
import { buildGraphModel, expandable, filterLinks } from './graph-model.js';
import { colourOf, METHOD_LINE } from './graph-style.js';
import { LinkPanel } from './link-panel.js';
import { loadPerson } from './person-data.js';
import { FilterBar, type Filters, noFilters, scopeOf } from './person-filters.js';
import { PersonTable } from './person-table.js';

/**
 * A person: its identifiers and links as a graph (or a table), filtered by purpose and minimum
 * confidence (the API's scoped views) and by method, with a link panel for the selected link.
 * Large persons are drawn grouped by identifier type (graph-model.ts).
 */
export function PersonView(props: { personId: string }) {
  const { api, can } = useSession();
  const [filters, setFilters] = useState<Filters>(noFilters);
  const [mode, setMode] = useState<'graph' | 'table'>('graph');
  const [selected, setSelected] = useState<string | undefined>();
  const [expanded, setExpanded] = useState<Set<string>>(new Set());
  const [typeFilter, setTypeFilter] = useState<string | undefined>();
  const scope = scopeOf(filters);
  const scopeKey = JSON.stringify(scope);
  const data = useLoad(() => loadPerson(api, props.personId, scope), [props.personId, scopeKey]);

  const view = useMemo(() => {
    if (!data.data) return undefined;
    const { person, links, scoped } = data.data;
    const identifiers = scoped ? scoped.identifiers : person.identifiers;
    const scopedKeys = scoped ? new Set(identifiers.map((i) => `${i.type}:${i.value}`)) : undefined;
    const shownLinks = filterLinks(links, {
      methods: filters.methods,
      ...(scopedKeys ? { scopedKeys } : {}),
      ...scope,
    });
    const model = buildGraphModel(identifiers, shownLinks, { expandedTypes: expanded });
    return { person, scoped, identifiers, links: shownLinks, model };
    // scopeKey stands for scope.
  }, [data.data, filters.methods, expanded, scopeKey]);

  if (data.error)
    return (
      <p class="error" role="alert">
        {data.error}
      </p>
    );
  if (!view) return <p aria-busy="true">Loading the person…</p>;
  const { person, scoped, identifiers, links, model } = view;
  const selectedLink = selected ? data.data?.links.find((l) => l.id === selected) : undefined;
  const types = [...new Set(identifiers.map((i) => i.type))].sort();

  function selectGroup(type: string) {
    const count = identifiers.filter((i) => i.type === type).length;
    if (expandable(count)) setExpanded(new Set([...expanded, type]));
    else {
      setTypeFilter(type);
      setMode('table');
    }
  }

  return (
    <section class="person" aria-labelledby="person-title">
      <h2 id="person-title">
        Person <code>{person.id}</code>
      </h2>
      {person.id !== person.requestedId && (
        <p class="note" role="status">
          {person.requestedId} was merged into {person.id}; showing the survivor.
        </p>
      )}
      <p class="summary">
        <span data-testid="identifier-count">{person.identifiers.length}</span> identifiers,{' '}
        <span data-testid="link-count">{data.data?.links.length ?? 0}</span> links; created{' '}
        {person.createdAt}, updated {person.updatedAt}
        {person.mergedFrom.length > 0 && <>; merged from {person.mergedFrom.join(', ')}</>}.{' '}
        {can('audit:read') && <a href={href({ view: 'history', personId: person.id })}>History</a>}
      </p>
      <FilterBar filters={filters} onChange={setFilters} />
      {scoped && (
        <p class="note" role="status">
          Scoped view <code>{scoped.id}</code>: {scoped.identifiers.length} of{' '}
          {person.identifiers.length} identifiers, joined by links that qualify for{' '}
          <PurposeBadges purposes={scope.purpose ? [scope.purpose] : []} />
          {scope.minConfidence !== undefined && <> with confidence ≥ {scope.minConfidence}</>}.
        </p>
      )}
      <div class="view-switch" role="tablist" aria-label="View">
        <button role="tab" aria-selected={mode === 'graph'} onClick={() => setMode('graph')}>
          Graph
        </button>
        <button role="tab" aria-selected={mode === 'table'} onClick={() => setMode('table')}>
          Table
        </button>
      </div>
      <div class="person-body">
        {mode === 'graph' ? (
          <div class="graph-area">
            {model.grouped && (
              <p class="note">
                {identifiers.length} identifiers: drawn as one node per type. Click a group to
                expand it (up to 300) or to list it in the table.
              </p>
            )}
            <GraphCanvas model={model} onSelectLink={setSelected} onSelectGroup={selectGroup} />
            <Legend types={types} />
          </div>
        ) : (
          <PersonTable
            identifiers={identifiers}
            links={links}
            typeFilter={typeFilter}
            onClearType={() => setTypeFilter(undefined)}
            onSelectLink={setSelected}
          />
        )}
        {selectedLink && <LinkPanel link={selectedLink} onClose={() => setSelected(undefined)} />}
      </div>
      {can('audit:write') && (
        <details class="manual-ops">
          <summary>Manual operations</summary>
          <SplitForm personId={person.id} identifiers={person.identifiers} onDone={data.reload} />
          <MergeForm personId={person.id} onDone={data.reload} />
        </details>
      )}
    </section>
  );
}

function Legend(props: { types: string[] }) {
  return (
    <div class="legend" aria-hidden="true">
      {props.types.map((t) => (
        <span key={t} class="legend-type">
          {/* Preact sets style through the CSSOM, which the CSP's style-src allows. */}
          <span class="swatch" style={{ backgroundColor: colourOf(t) }} />
          {t}
        </span>
      ))}
      {Object.entries(METHOD_LINE).map(([method, line]) => (
        <span key={method} class={`legend-line line-${line}`}>
          {method}
        </span>
      ))}
      <span class="legend-line line-refused">refused</span>
      <span class="muted">width: confidence</span>
    </div>
  );
}
