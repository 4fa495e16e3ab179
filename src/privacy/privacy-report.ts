import type { PrivacyReport } from './privacy-contract.js';

/**
 * Builds a request's report as its steps go. The report is stored on the request and answered by
 * the API, so it stays small whatever the subject's size: id lists keep their first
 * {@link REPORT_LIST_CAP} entries and count the rest (`truncated`), and the purposes removed are
 * kept for as many links. It holds ids and counts only.
 */

export const REPORT_LIST_CAP = 1000;

export type ReportCount =
  | 'identifiersErased'
  | 'recordsErased'
  | 'eventsErased'
  | 'eventsScrubbed'
  | 'reviewsErased'
  | 'jobsScrubbed'
  | 'suppressionsAdded'
  | 'suppressionsLifted'
  | 'webhooksDelivered';

export type ReportIdList = 'linksWithdrawn' | 'personsErased';

type CappedList = ReportIdList | 'personsSplit' | 'purposesRemoved';

export class ReportBuilder {
  private constructor(private readonly report: PrivacyReport) {}

  static from(report: PrivacyReport | undefined): ReportBuilder {
    return new ReportBuilder(structuredClone(report ?? {}));
  }

  /** An independent copy: what a transaction adds to it is adopted only if it commits. */
  clone(): ReportBuilder {
    return ReportBuilder.from(this.report);
  }

  subject(subject: NonNullable<PrivacyReport['subject']>): this {
    this.report.subject = { ...subject };
    return this;
  }

  /** Adds `n` (0 included: the field then shows that the step ran and found nothing). */
  count(field: ReportCount, n = 1): this {
    this.report[field] = (this.report[field] ?? 0) + n;
    return this;
  }

  ids(field: ReportIdList, ids: Iterable<string>): this {
    const before = this.total(field);
    const list = (this.report[field] ??= []);
    let added = 0;
    for (const id of ids) {
      if (list.length < REPORT_LIST_CAP) list.push(id);
      added += 1;
    }
    return this.grow(field, before + added);
  }

  personSplit(personId: string, parts: readonly string[]): this {
    const before = this.total('personsSplit');
    const list = (this.report.personsSplit ??= []);
    if (list.length < REPORT_LIST_CAP) list.push({ personId, parts: [...parts] });
    return this.grow('personsSplit', before + 1);
  }

  /**
   * Records that a link lost these purposes, merged with what it lost earlier in the request. Past
   * the cap a link is counted each time it is named.
   */
  purposesRemoved(linkId: string, purposes: readonly string[]): this {
    const before = this.total('purposesRemoved');
    const removed = (this.report.purposesRemoved ??= {});
    const known = removed[linkId];
    if (known) {
      removed[linkId] = [...new Set([...known, ...purposes])].sort();
      return this;
    }
    if (before < REPORT_LIST_CAP) removed[linkId] = [...new Set(purposes)].sort();
    return this.grow('purposesRemoved', before + 1);
  }

  exported(counts: Record<string, number>): this {
    this.report.exported = { ...this.report.exported, ...counts };
    return this;
  }

  aofRewrite(outcome: NonNullable<PrivacyReport['aofRewrite']>): this {
    this.report.aofRewrite = outcome;
    return this;
  }

  durationMs(ms: number): this {
    this.report.durationMs = Math.max(0, Math.round(ms));
    return this;
  }

  toJSON(): PrivacyReport {
    return structuredClone(this.report);
  }

  /** A capped list's full count: its length until it was cut, then the count kept aside. */
  private total(field: CappedList): number {
    const cut = this.report.truncated?.[field];
    if (cut !== undefined) return cut;
    const value = this.report[field];
    if (value === undefined) return 0;
    return Array.isArray(value) ? value.length : Object.keys(value).length;
  }

  private grow(field: CappedList, total: number): this {
    if (total > REPORT_LIST_CAP)
      this.report.truncated = { ...this.report.truncated, [field]: total };
    return this;
  }
}
