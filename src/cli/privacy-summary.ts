import type { PrivacyReport, PrivacyRequestView } from '../privacy/privacy-contract.js';
import { formatCount, formatDuration, printable, table } from './format.js';

/**
 * A privacy request as `idgraph privacy` prints it: its fields, then its report, one line per
 * field (ids listed up to a few, then counted). Pure, so the text is unit-tested. The report holds
 * ids and counts only; the reason is the requester's text and goes through `printable`.
 */

const SHOWN_IDS = 5;

/** `suppressionsLifted` -> `suppressions lifted`. */
const words = (name: string) => name.replace(/[A-Z]/g, (c) => ` ${c.toLowerCase()}`);

/** Up to a few items; a longer list as its count and its first items. */
function idList(items: readonly string[], total: number | undefined): string {
  const count = total ?? items.length;
  if (count === 0) return '(none)';
  const shown = items.slice(0, SHOWN_IDS).join(', ');
  return count > SHOWN_IDS ? `${formatCount(count)}: ${shown}, ...` : shown;
}

function reportRows(report: PrivacyReport): string[][] {
  const rows: string[][] = [];
  const { subject, truncated, durationMs, ...rest } = report;
  if (subject) {
    rows.push(['identifiers', formatCount(subject.identifiers)]);
    rows.push(['not found', formatCount(subject.notFound)]);
    for (const [reason, n] of Object.entries(subject.invalid ?? {}))
      rows.push([`invalid (${reason})`, formatCount(n)]);
    if (subject.personId) rows.push(['person', subject.personId]);
  }
  for (const [field, value] of Object.entries(rest)) {
    const total = truncated?.[field];
    if (typeof value === 'number') rows.push([words(field), formatCount(value)]);
    else if (typeof value === 'string') rows.push([words(field), value]);
    else if (field === 'personsSplit')
      rows.push([
        'persons split',
        idList(
          (value as { personId: string; parts: string[] }[]).map(
            (s) => `${s.personId} -> ${s.parts.join(' ')}`,
          ),
          total,
        ),
      ]);
    else if (Array.isArray(value)) rows.push([words(field), idList(value as string[], total)]);
    else
      rows.push([
        words(field),
        idList(
          Object.entries(value as Record<string, unknown>).map(
            ([k, v]) => `${k} ${Array.isArray(v) ? v.join(' ') : String(v)}`,
          ),
          total,
        ),
      ]);
  }
  if (durationMs !== undefined) rows.push(['duration', formatDuration(durationMs)]);
  return rows;
}

export function formatPrivacyRequest(view: PrivacyRequestView): string {
  const fields: string[][] = [
    ['request', view.id],
    ['type', view.type],
    ['status', view.status],
  ];
  if (view.requestId) fields.push(['request id', printable(view.requestId)]);
  fields.push(
    ['created', view.createdAt],
    ['updated', view.updatedAt],
    ['actor', printable(view.actor)],
    ['reason', printable(view.reason)],
  );
  if (view.purposes) fields.push(['purposes', view.purposes.join(', ')]);
  fields.push(['steps done', view.stepsDone.length > 0 ? view.stepsDone.join(', ') : '(none)']);
  if (view.failure) fields.push(['failure', printable(view.failure)]);
  const report = view.report ? reportRows(view.report) : [];
  return report.length === 0
    ? `${table(fields)}\n`
    : `${table(fields)}\n\nreport\n${table(report.map(([k, v]) => [`  ${k}`, v!]))}\n`;
}
