import { useState } from 'preact/hooks';
import type { Link, PersonIdentifier } from '../api/api-types.js';
import { PurposeBadges, percent } from './badges.js';
import { TableHead } from '../table-head.js';

/**
 * The person as tables: its identifiers and its links, a page at a time (a person may hold
 * 10,000), for large persons and for keyboard and screen-reader users. Every link row has a button
 * that opens the same link panel as a click on the graph.
 */
const PAGE = 100;

function Pager(props: {
  total: number;
  page: number;
  onPage: (page: number) => void;
  label: string;
}) {
  const pages = Math.max(1, Math.ceil(props.total / PAGE));
  if (pages === 1) return null;
  return (
    <nav class="pager" aria-label={`${props.label} pages`}>
      <button disabled={props.page === 0} onClick={() => props.onPage(props.page - 1)}>
        Previous
      </button>
      <span>
        page {props.page + 1} of {pages}
      </span>
      <button disabled={props.page >= pages - 1} onClick={() => props.onPage(props.page + 1)}>
        Next
      </button>
    </nav>
  );
}

export function PersonTable(props: {
  identifiers: readonly PersonIdentifier[];
  links: readonly Link[];
  typeFilter?: string;
  onClearType: () => void;
  onSelectLink: (linkId: string) => void;
}) {
  const [idPage, setIdPage] = useState(0);
  const [linkPage, setLinkPage] = useState(0);
  const identifiers = props.typeFilter
    ? props.identifiers.filter((i) => i.type === props.typeFilter)
    : props.identifiers;
  const links = props.typeFilter
    ? props.links.filter((l) => l.from.type === props.typeFilter || l.to.type === props.typeFilter)
    : props.links;
  const idRows = identifiers.slice(idPage * PAGE, (idPage + 1) * PAGE);
  const linkRows = links.slice(linkPage * PAGE, (linkPage + 1) * PAGE);

  return (
    <div class="person-table">
      {props.typeFilter && (
        <p>
          Showing type <strong>{props.typeFilter}</strong> only.{' '}
          <button onClick={props.onClearType}>Show all types</button>
        </p>
      )}
      <table aria-label="Identifiers" class="identifiers">
        <caption>Identifiers ({identifiers.length})</caption>
        <TableHead columns={['Type', 'Value', 'Confidence', 'Sources', 'First seen']} />
        <tbody>
          {idRows.map((i) => (
            <tr key={`${i.type}:${i.value}`}>
              <td>{i.type}</td>
              <td>{i.value}</td>
              <td>{percent(i.confidence)}</td>
              <td>{i.sources.join(', ')}</td>
              <td>{i.firstSeen}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <Pager total={identifiers.length} page={idPage} onPage={setIdPage} label="Identifiers" />
      <table aria-label="Links" class="links">
        <caption>Links ({links.length})</caption>
        <TableHead
          columns={['From', 'To', 'Method', 'Confidence', 'Status', 'Consent purposes', 'Details']}
        />
        <tbody>
          {linkRows.map((l) => (
            <tr key={l.id} data-link-id={l.id}>
              <td>
                {l.from.type}: {l.from.value}
              </td>
              <td>
                {l.to.type}: {l.to.value}
              </td>
              <td>{l.method}</td>
              <td>{percent(l.confidence)}</td>
              <td>{l.status}</td>
              <td>
                <PurposeBadges purposes={l.purposes} />
              </td>
              <td>
                <button onClick={() => props.onSelectLink(l.id)}>Explain</button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <Pager total={links.length} page={linkPage} onPage={setLinkPage} label="Links" />
    </div>
  );
}
