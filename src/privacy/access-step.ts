import type { Graph } from '../graph/graph-client.js';
import type { PrivacyExport } from './access-export-contract.js';
import { readExportContent } from './access-export-read.js';
import type { PrivacyStep } from './privacy-step.js';
import { SUBJECT_PAGE_SIZE } from './resolve-subject.js';

/**
 * `access`: the `export` step reads everything idgraph holds about the subject
 * (access-export-read.ts) and stores it as one document, `(:PrivacyExport {requestId,
 * subjectHashes, document, createdAt, expiresAt})`, in one transaction with its `access_export`
 * audit record (the persons it concerns, by id), the report's `exported` counts and the step's
 * mark. It changes no person, so it takes no lock and writes no feed entry. Run again after a
 * crash, it reads again and replaces the document. The document holds personal data: it lives
 * until `expiresAt` (PRIVACY_EXPORT_TTL_HOURS after it was made), when the sweep deletes it
 * ({@link sweepExports}), or until the subject is erased.
 */

export const DEFAULT_EXPORT_TTL_HOURS = 168;

export function exportStep(ttlHours = DEFAULT_EXPORT_TTL_HOURS, pageSize = SUBJECT_PAGE_SIZE) {
  const step: PrivacyStep = {
    name: 'export',
    async run(ctx) {
      const content = await readExportContent(ctx.graph, ctx.registry, ctx.subject.keys, pageSize);
      const subject = ctx.report.subject;
      await ctx.write(
        'privacy-export',
        async ({ tx, report, audit }) => {
          const now = ctx.now();
          const expiresAt = now + Math.round(ttlHours * 3600_000);
          const document: PrivacyExport = {
            requestId: ctx.request.id,
            createdAt: new Date(now).toISOString(),
            expiresAt: new Date(expiresAt).toISOString(),
            subject: {
              ...(ctx.subject.personId ? { personId: ctx.subject.personId } : {}),
              identifiers: subject?.identifiers ?? ctx.subject.keys.length,
              notFound: subject?.notFound ?? 0,
            },
            ...content,
          };
          await tx.run('write/privacy-export-save', {
            requestId: ctx.request.id,
            subjectHashes: [...ctx.subject.hashes],
            document: JSON.stringify(document),
            now,
            expiresAt,
          });
          const exported = {
            identifiers: content.identifiers.length,
            persons: content.persons.length,
            links: content.links.length,
            records: content.records.length,
            events: content.events.length,
            reviews: content.reviews.length,
            auditRecords: content.audit.length,
          };
          report.exported(exported);
          await audit([
            {
              kind: 'access_export',
              personIds: content.persons.map((p) => p.id),
              reason: 'access',
              count: exported.identifiers,
            },
          ]);
        },
        { done: true },
      );
    },
  };
  return step;
}

/** Page size of the sweep's deletes. */
const SWEEP_PAGE = 1000;

/** Deletes the exports that have expired by `now`; answers how many. */
export async function sweepExports(
  graph: Pick<Graph, 'writeTransaction'>,
  now: number,
): Promise<number> {
  let deleted = 0;
  for (;;) {
    const page = await graph.writeTransaction('privacy-export-sweep', async (tx) => {
      const [row] = await tx.run<{ deleted: number }>('write/privacy-export-sweep', {
        now,
        limit: SWEEP_PAGE,
      });
      return row?.deleted ?? 0;
    });
    deleted += page;
    if (page < SWEEP_PAGE) return deleted;
  }
}

/** The export of an access request, unless it expired by `now` (undefined then, or if none). */
export async function findExport(
  graph: Pick<Graph, 'query'>,
  requestId: string,
  now: number,
): Promise<PrivacyExport | undefined> {
  const [row] = await graph.query<{ document: string }>('read/privacy-export', { requestId, now });
  return row ? (JSON.parse(row.document) as PrivacyExport) : undefined;
}
