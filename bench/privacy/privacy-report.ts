import { describeHost, describeSteal } from '../host/machine-load.js';
import { describeCpu } from '../host/process-cpu.js';
import { fmt, table } from '../report/result-tables.js';
import type { FeedResult } from './feed-run.js';
import type { PrivacySettings } from './privacy-settings.js';
import type { RequestResult, TimedStep } from './request-run.js';

/** The report's body: a table per request type (every round), the ratios, the feed reads. */
export function privacySections(
  requests: readonly RequestResult[],
  feed: FeedResult,
  settings: PrivacySettings,
): string[] {
  const step = (name: string, s: TimedStep) => [
    name,
    s.seconds.toFixed(2),
    describeCpu(s.cpu, 1000),
    `${Math.round(s.idleBefore * 100)} %`,
    describeHost(s.hostBefore),
    describeSteal(s.steal),
  ];
  const header = ['round', 'seconds', 'CPU ms (whole step)', 'idle before', 'host before', 'steal'];
  return [
    `A person of ${fmt(settings.identifiers)} identifiers (a ring of links, emails and cookie ids) built from ` +
      `${fmt(settings.events)} events (identity_linking and marketing granted; a record per identifier) through the service, ` +
      `afresh for every timed step; requests by person id, timed from the POST to the poll (20 ms) that sees \`completed\`.`,
    ...requests.map((r) =>
      [
        `${r.type}${r.type === 'revoke' ? ' (identity_linking)' : ''}:`,
        table(
          header,
          r.rounds.flatMap((round) => [
            step(`${round.round} request`, round.request),
            step(`${round.round} raw Cypher`, round.raw),
          ]),
        ),
      ].join('\n'),
    ),
    requests
      .map(
        (r) =>
          `${r.type}: median ${r.requestMedian.toFixed(2)} s to completed, raw Cypher ${r.rawMedian.toFixed(2)} s: ` +
          `ratio ${r.ratio.toFixed(2)} (target <= 3)`,
      )
      .join('\n'),
    `Change feed: ${fmt(feed.entries)} person.created entries in ${fmt(feed.batches)} batches, read whole ${settings.feedRounds} times each way ` +
      `(API: GET /v1/changes?limit=${settings.pageSize} following cursors; raw: batches by seq range, entries parsed).\n` +
      table(
        ['read', 'median entries/s', 'runs (entries/s)'],
        [
          [
            'GET /v1/changes',
            fmt(feed.apiMedian),
            feed.api.map((r) => fmt(r.entriesPerSecond)).join(', '),
          ],
          [
            'raw Cypher by seq',
            fmt(feed.rawMedian),
            feed.raw.map((r) => fmt(r.entriesPerSecond)).join(', '),
          ],
        ],
      ) +
      `\nAPI rate / raw rate: ${feed.ratio.toFixed(2)}`,
  ];
}
