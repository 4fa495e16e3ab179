import type {
  BestPair,
  Explanation,
  PathLink,
  Reason,
  ShownIdentifier,
} from '../api/audit-types.js';
import { PurposeBadges, percent } from '../person/badges.js';
import { ContributionChart } from '../person/contribution-chart.js';

/** The answer of POST /v1/explain: the path of links, or the reasons with their codes. */
const shown = (i: ShownIdentifier) => (i.value === undefined ? i.type : `${i.type}: ${i.value}`);

const REASON_TEXT: Record<string, string> = {
  no_evidence: 'No evidence has ever tied them together',
  suppressed: 'An identifier is erased and suppressed',
  below_threshold: 'Their best record pair scores below the link threshold',
  not_compared: 'Their records were never compared (no shared blocking key)',
  review_pending: 'A review of the pair is pending',
  no_match_decision: 'A reviewer decided they do not match',
  merge_refused: 'A merge was refused',
  withdrawn: 'The link that joined them was withdrawn',
  consent_withheld: 'Consent to identity linking was withheld',
  split_off: 'They were split apart by hand',
};

function PathView(props: { path: PathLink[] }) {
  return (
    <ol class="explain-path" aria-label="Path of links">
      {props.path.map((l) => (
        <li key={l.id} data-link-id={l.id}>
          {shown(l.from)} → {shown(l.to)}: <strong>{l.method}</strong> ({l.rule}),{' '}
          {percent(l.confidence)}, {l.evidenceCount} event(s){' '}
          <PurposeBadges purposes={l.purposes} />
        </li>
      ))}
    </ol>
  );
}

function ReasonView(props: { reason: Reason }) {
  const { reason } = props;
  const { code, ...rest } = reason;
  const pair =
    code === 'below_threshold' || code === 'not_compared'
      ? (reason as unknown as BestPair)
      : undefined;
  const fields = Object.entries(rest).filter(
    ([name, value]) => value !== null && (!pair || !['comparisons', 'recordIds'].includes(name)),
  );
  return (
    <li class="reason" data-code={code}>
      <strong>{REASON_TEXT[code] ?? code}</strong> <code>{code}</code>
      {fields.length > 0 && (
        <span class="muted">
          {' '}
          (
          {fields
            .map(([n, v]) => `${n}: ${typeof v === 'string' ? v : JSON.stringify(v)}`)
            .join('; ')}
          )
        </span>
      )}
      {pair && <ContributionChart match={pair} />}
    </li>
  );
}

export function ExplanationView(props: { answer: Explanation }) {
  const { answer } = props;
  if (answer.samePerson)
    return answer.path ? (
      <PathView path={answer.path} />
    ) : (
      <p class="muted">The path is longer than 64 links.</p>
    );
  return (
    <ul class="reasons" aria-label="Reasons">
      {answer.reasons.map((r, i) => (
        <ReasonView key={`${r.code}-${i}`} reason={r} />
      ))}
    </ul>
  );
}
