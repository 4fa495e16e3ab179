import type { IdentifierGroup, ManualOutcome } from '../api/audit-types.js';
import { href } from '../router.js';
import { TableHead } from '../table-head.js';

/**
 * What a manual operation did, or would do (a dry run): each person touched with the identifiers
 * it gains and loses by type, the links withdrawn and the constraints added.
 */
function groups(list: IdentifierGroup[]): string {
  return list.length === 0 ? '—' : list.map((g) => `${g.count} ${g.type}`).join(', ');
}

export function ManualOutcomeView(props: { outcome: ManualOutcome }) {
  const { outcome } = props;
  return (
    <div class={outcome.dryRun ? 'outcome preview' : 'outcome done'} data-dry-run={outcome.dryRun}>
      <p>
        <strong>{outcome.dryRun ? 'Preview (nothing changed yet)' : 'Done'}</strong>
        {!outcome.dryRun && <> — audit record {outcome.auditId}</>}
      </p>
      <table aria-label={outcome.dryRun ? 'Preview' : 'Outcome'}>
        <TableHead columns={['Person', 'Status', 'Identifiers in', 'Identifiers out']} />
        <tbody>
          {outcome.persons.map((p) => (
            <tr key={p.personId} data-person-id={p.personId}>
              <td>
                {outcome.dryRun && p.created ? (
                  <>new person</>
                ) : (
                  <a href={href({ view: 'person', personId: p.personId })}>{p.personId}</a>
                )}
                {p.created && !outcome.dryRun && ' (new)'}
              </td>
              <td>{p.status}</td>
              <td>{groups(p.identifiersIn)}</td>
              <td>{groups(p.identifiersOut)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p>
        {outcome.linksWithdrawn.length} link(s) withdrawn
        {outcome.constraintsAdded.length > 0 &&
          `; keep-apart constraint ${outcome.constraintsAdded.map((c) => c.id).join(', ')}`}
        .
      </p>
    </div>
  );
}
