import { describe, expect, it } from 'vitest';
import {
  buildGraphModel,
  filterLinks,
  GROUP_THRESHOLD,
  groupNodeId,
  identifierNodeId,
  type ModelLink,
} from '../../src/ui/person/graph-model.js';

/** The console's person graph: one node per identifier, and grouped by type beyond the threshold. */

const id = (type: string, n: number) => ({ type, value: `${type}-${n}`, confidence: 1 });
let linkCount = 0;
const link = (
  from: { type: string; value: string },
  to: { type: string; value: string },
  extra: Partial<ModelLink> = {},
): ModelLink => ({
  id: `lnk_${++linkCount}`,
  status: 'active',
  method: 'deterministic',
  confidence: 1,
  purposes: [],
  from,
  to,
  ...extra,
});

describe('buildGraphModel', () => {
  it('draws every identifier and link of a small person', () => {
    const ids = [id('email', 1), id('phone', 1), id('crm_id', 1)];
    const links = [link(ids[0]!, ids[1]!), link(ids[1]!, ids[2]!, { method: 'probabilistic' })];
    const model = buildGraphModel(ids, links);
    expect(model.grouped).toBe(false);
    expect(model.nodes.map((n) => n.id)).toEqual(ids.map(identifierNodeId));
    expect(model.edges.map((e) => e.linkId)).toEqual(links.map((l) => l.id));
    expect(model.edges[1]).toMatchObject({ method: 'probabilistic', kind: 'link' });
  });

  it('groups a large person by type: counts on the groups, links between groups aggregated', () => {
    const emails = Array.from({ length: GROUP_THRESHOLD }, (_, n) => id('email', n));
    const cookies = Array.from({ length: 5 }, (_, n) => id('cookie_id', n));
    const links = [
      ...emails.slice(1).map((e) => link(emails[0]!, e)),
      ...cookies.map((c) => link(emails[0]!, c, { confidence: 0.8 })),
    ];
    const model = buildGraphModel([...emails, ...cookies], links);
    expect(model.grouped).toBe(true);
    expect(model.nodes).toEqual([
      expect.objectContaining({ id: groupNodeId('cookie_id'), count: 5, innerLinks: 0 }),
      expect.objectContaining({
        id: groupNodeId('email'),
        count: GROUP_THRESHOLD,
        innerLinks: GROUP_THRESHOLD - 1,
      }),
    ]);
    expect(model.edges).toEqual([
      expect.objectContaining({ kind: 'group', count: 5, confidence: 0.8 }),
    ]);
  });

  it('expands a group that is small enough into its identifiers, and not a large one', () => {
    const emails = Array.from({ length: GROUP_THRESHOLD + 1 }, (_, n) => id('email', n));
    const cookies = [id('cookie_id', 1), id('cookie_id', 2)];
    const links = [link(emails[0]!, cookies[0]!), link(cookies[0]!, cookies[1]!)];
    const model = buildGraphModel([...emails, ...cookies], links, {
      expandedTypes: new Set(['cookie_id', 'email']),
    });
    expect(model.nodes.map((n) => n.id)).toEqual([
      identifierNodeId(cookies[0]!),
      identifierNodeId(cookies[1]!),
      groupNodeId('email'),
    ]);
    expect(model.edges.map((e) => e.kind).sort()).toEqual(['group', 'link']);
  });
});

describe('filterLinks', () => {
  const a = id('email', 1);
  const b = id('phone', 1);
  const c = id('crm_id', 1);
  const links = [
    link(a, b, { purposes: ['marketing'], confidence: 0.95, method: 'probabilistic' }),
    link(b, c, { purposes: ['analytics'] }),
    link(a, c, { status: 'refused', purposes: ['marketing'] }),
  ];
  const all = new Set(['deterministic', 'probabilistic', 'manual']);

  it('keeps links by method', () => {
    expect(filterLinks(links, { methods: new Set(['deterministic']) })).toHaveLength(2);
  });

  it('under a scope keeps only active links that qualify, inside the scoped component', () => {
    const scopedKeys = new Set(['email:email-1', 'phone:phone-1']);
    expect(filterLinks(links, { methods: all, scopedKeys, purpose: 'marketing' })).toEqual([
      links[0],
    ]);
    expect(filterLinks(links, { methods: all, scopedKeys, minConfidence: 0.99 })).toEqual([]);
  });
});
