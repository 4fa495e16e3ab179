import type { PersonView } from '../persons/person-service.js';

/**
 * Plain-text rendering for the CLI: aligned tables, counts, sizes and durations. Pure functions,
 * so the output a person reads is unit-tested. Text that came from data goes through
 * {@link printable} so a value cannot move the cursor or recolour the terminal.
 */

export function formatCount(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** `850 ms`, `2.3 s`, `4 min 05 s`, `1 h 02 min`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '--';
  if (ms === 0) return '0 s';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const seconds = ms / 1000;
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const whole = Math.round(seconds);
  const pad = (n: number) => String(n).padStart(2, '0');
  if (whole < 3600) return `${Math.floor(whole / 60)} min ${pad(whole % 60)} s`;
  return `${Math.floor(whole / 3600)} h ${pad(Math.floor((whole % 3600) / 60))} min`;
}

/** SI units, as file managers show sizes: `41.2 kB`, `1.3 GB`. */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 'B';
  for (const next of units) {
    if (value < 1000) break;
    value /= 1000;
    unit = next;
  }
  return `${value.toFixed(1)} ${unit}`;
}

/** Events per second over `ms`; `0` before any time has passed. */
export function ratePerSecond(count: number, ms: number): number {
  return ms > 0 ? (count * 1000) / ms : 0;
}

// eslint-disable-next-line no-control-regex
const controlCharacters = /[\u0000-\u001f\u007f-\u009f]/g;

/** Control characters escaped (`\u001b`), so data cannot drive the terminal. */
export function printable(text: string): string {
  return text.replace(
    controlCharacters,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** Left-aligned columns separated by two spaces; trailing spaces trimmed. */
export function table(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const row of rows)
    row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows
    .map((row) =>
      row
        .map((cell, i) => cell.padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** A resolve reason for people: `not found`, or the code (`blocked`, `invalid_email`, ...). */
export function describeReason(reason: string | undefined): string {
  return reason === undefined || reason === 'not_found' ? 'not found' : reason;
}

/** The person as `idgraph person` prints it: fields, an identifier table, merged ids. */
export function formatPerson(person: PersonView): string {
  const fields: string[][] = [
    ['person', person.id],
    ['status', person.status],
    ['created', person.createdAt],
    ['updated', person.updatedAt],
  ];
  if (person.requestedId !== person.id) {
    fields.push([
      'note',
      `${person.requestedId} was merged into ${person.id}; showing the surviving person`,
    ]);
  }
  const identifiers =
    person.identifiers.length === 0
      ? '(no identifiers)'
      : table([
          ['TYPE', 'VALUE', 'FIRST SEEN', 'LAST SEEN'],
          ...person.identifiers.map((i) => [
            i.type,
            printable(i.value),
            i.firstSeen,
            i.lastSeen ?? '-',
          ]),
        ]);
  const merged = person.mergedFrom.length === 0 ? '(none)' : person.mergedFrom.join(', ');
  return `${table(fields)}\n\n${identifiers}\n\n${table([['merged ids', merged]])}\n`;
}
