import { describe, expect, it } from 'vitest';
import { privacyReportSchema } from '../../src/privacy/privacy-contract.js';
import { REPORT_LIST_CAP, ReportBuilder } from '../../src/privacy/privacy-report.js';

/** The report a request accumulates: counts, capped id lists, and copies per transaction. */

const ids = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}_${i}`);

describe('report builder', () => {
  it('adds counts, showing a field a step touched even at 0', () => {
    const report = ReportBuilder.from(undefined)
      .subject({ identifiers: 2, notFound: 0 })
      .count('suppressionsLifted', 0)
      .count('identifiersErased', 2)
      .count('identifiersErased', 3)
      .toJSON();
    expect(report).toEqual({
      subject: { identifiers: 2, notFound: 0 },
      suppressionsLifted: 0,
      identifiersErased: 5,
    });
    expect(privacyReportSchema.parse(report)).toEqual(report);
  });

  it('keeps the first 1,000 ids of a list and its full count across pages', () => {
    const builder = ReportBuilder.from(undefined);
    builder.ids('linksWithdrawn', ids('lnk', 600));
    expect(builder.toJSON().truncated).toBeUndefined();
    builder.ids('linksWithdrawn', ids('more', 600)).ids('linksWithdrawn', ['last']);
    const report = builder.toJSON();
    expect(report.linksWithdrawn).toHaveLength(REPORT_LIST_CAP);
    expect(report.linksWithdrawn?.slice(598, 601)).toEqual(['lnk_598', 'lnk_599', 'more_0']);
    expect(report.truncated).toEqual({ linksWithdrawn: 1201 });
    // Resumed from the stored report, the count goes on.
    const resumed = ReportBuilder.from(report).ids('linksWithdrawn', ['again']).toJSON();
    expect(resumed.truncated).toEqual({ linksWithdrawn: 1202 });
    expect(resumed.linksWithdrawn).toHaveLength(REPORT_LIST_CAP);
  });

  it('caps splits and purposes removed the same way, merging the purposes of a link', () => {
    const builder = ReportBuilder.from(undefined)
      .purposesRemoved('lnk_a', ['marketing'])
      .purposesRemoved('lnk_a', ['analytics', 'marketing'])
      .personSplit('per_a', ['per_b', 'per_c']);
    expect(builder.toJSON()).toEqual({
      purposesRemoved: { lnk_a: ['analytics', 'marketing'] },
      personsSplit: [{ personId: 'per_a', parts: ['per_b', 'per_c'] }],
    });
    for (const id of ids('lnk', REPORT_LIST_CAP)) builder.purposesRemoved(id, ['marketing']);
    for (const id of ids('per', REPORT_LIST_CAP)) builder.personSplit(id, ['per_z']);
    const report = builder.toJSON();
    expect(Object.keys(report.purposesRemoved!)).toHaveLength(REPORT_LIST_CAP);
    expect(report.personsSplit).toHaveLength(REPORT_LIST_CAP);
    expect(report.truncated).toEqual({
      purposesRemoved: REPORT_LIST_CAP + 1,
      personsSplit: REPORT_LIST_CAP + 1,
    });
  });

  it('gives each transaction a copy: a rolled-back one leaves the report as it was', () => {
    const committed = ReportBuilder.from({ suppressionsAdded: 1 });
    const attempt = committed.clone().count('suppressionsAdded', 5).ids('personsErased', ['per_a']);
    expect(committed.toJSON()).toEqual({ suppressionsAdded: 1 });
    expect(attempt.toJSON()).toEqual({ suppressionsAdded: 6, personsErased: ['per_a'] });
    const stored = { exported: { identifiers: 1 } };
    ReportBuilder.from(stored).exported({ links: 2 }).durationMs(12.4);
    expect(stored).toEqual({ exported: { identifiers: 1 } });
    expect(ReportBuilder.from(stored).exported({ links: 2 }).durationMs(12.4).toJSON()).toEqual({
      exported: { identifiers: 1, links: 2 },
      durationMs: 12,
    });
  });
});
