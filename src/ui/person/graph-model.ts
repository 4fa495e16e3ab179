/**
 * From a person's identifiers and links to the elements the graph draws. Pure (no DOM, no
 * Cytoscape), so the unit suite checks it.
 *
 * Beyond GROUP_THRESHOLD identifiers the graph stops drawing one node per identifier: each type
 * becomes one group node carrying its count, and links between groups become one edge per pair of
 * groups carrying theirs (links inside one group are counted on the group). That keeps the drawing
 * to a few dozen elements whatever the person's size; a group small enough can be expanded into its
 * identifiers, and the table view lists everything.
 */
export const GROUP_THRESHOLD = 300;

export interface ModelIdentifier {
  type: string;
  value: string;
  confidence: number;
}

export interface ModelLink {
  id: string;
  status: string;
  method: string;
  confidence: number;
  purposes: string[];
  from: { type: string; value: string };
  to: { type: string; value: string };
}

export interface GraphNode {
  id: string;
  kind: 'identifier' | 'group';
  type: string;
  label: string;
  /** Identifiers the node stands for (1 for an identifier node). */
  count: number;
  /** Links with both ends inside a group node. */
  innerLinks: number;
}

export interface GraphEdge {
  id: string;
  kind: 'link' | 'group';
  source: string;
  target: string;
  method: string;
  status: string;
  confidence: number;
  purposes: string[];
  /** Links the edge stands for (1 for a link edge). */
  count: number;
  /** The link id of a link edge. */
  linkId?: string;
}

export interface GraphModel {
  nodes: GraphNode[];
  edges: GraphEdge[];
  grouped: boolean;
}

export const identifierNodeId = (ref: { type: string; value: string }) =>
  `i:${ref.type}:${ref.value}`;
export const groupNodeId = (type: string) => `g:${type}`;

/** Whether a group of this size may be drawn as its identifiers. */
export const expandable = (count: number) => count <= GROUP_THRESHOLD;

export function buildGraphModel(
  identifiers: readonly ModelIdentifier[],
  links: readonly ModelLink[],
  options: { expandedTypes?: ReadonlySet<string>; threshold?: number } = {},
): GraphModel {
  const threshold = options.threshold ?? GROUP_THRESHOLD;
  const grouped = identifiers.length > threshold;
  if (!grouped) {
    const present = new Set(identifiers.map(identifierNodeId));
    return {
      grouped,
      nodes: identifiers.map((i) => ({
        id: identifierNodeId(i),
        kind: 'identifier',
        type: i.type,
        label: `${i.type}: ${i.value}`,
        count: 1,
        innerLinks: 0,
      })),
      edges: links
        .filter((l) => present.has(identifierNodeId(l.from)) && present.has(identifierNodeId(l.to)))
        .map((l) => linkEdge(l)),
    };
  }

  const byType = new Map<string, ModelIdentifier[]>();
  for (const i of identifiers) {
    const list = byType.get(i.type);
    if (list) list.push(i);
    else byType.set(i.type, [i]);
  }
  const expanded = new Set(
    [...(options.expandedTypes ?? [])].filter((t) => expandable(byType.get(t)?.length ?? 0)),
  );
  const nodes: GraphNode[] = [];
  const nodeOf = new Map<string, GraphNode>();
  for (const [type, members] of [...byType].sort(([a], [b]) => a.localeCompare(b))) {
    if (expanded.has(type)) {
      for (const i of members) {
        const node: GraphNode = {
          id: identifierNodeId(i),
          kind: 'identifier',
          type,
          label: `${type}: ${i.value}`,
          count: 1,
          innerLinks: 0,
        };
        nodes.push(node);
        nodeOf.set(node.id, node);
      }
    } else {
      const node: GraphNode = {
        id: groupNodeId(type),
        kind: 'group',
        type,
        label: `${type} × ${members.length}`,
        count: members.length,
        innerLinks: 0,
      };
      nodes.push(node);
      for (const i of members) nodeOf.set(identifierNodeId(i), node);
    }
  }

  const edges: GraphEdge[] = [];
  const groupEdges = new Map<string, GraphEdge>();
  for (const l of links) {
    const a = nodeOf.get(identifierNodeId(l.from));
    const b = nodeOf.get(identifierNodeId(l.to));
    if (!a || !b) continue;
    if (a.kind === 'identifier' && b.kind === 'identifier') {
      edges.push(linkEdge(l));
      continue;
    }
    if (a === b) {
      a.innerLinks += 1;
      continue;
    }
    const [s, t] = a.id < b.id ? [a.id, b.id] : [b.id, a.id];
    const key = `${s}|${t}`;
    const edge = groupEdges.get(key);
    if (edge) {
      edge.count += 1;
      edge.confidence = Math.min(edge.confidence, l.confidence);
    } else {
      groupEdges.set(key, {
        id: `e:${key}`,
        kind: 'group',
        source: s,
        target: t,
        method: 'group',
        status: 'group',
        confidence: l.confidence,
        purposes: [],
        count: 1,
      });
    }
  }
  edges.push(...groupEdges.values());
  return { grouped, nodes, edges };
}

function linkEdge(l: ModelLink): GraphEdge {
  return {
    id: `l:${l.id}`,
    kind: 'link',
    source: identifierNodeId(l.from),
    target: identifierNodeId(l.to),
    method: l.method,
    status: l.status,
    confidence: l.confidence,
    purposes: l.purposes,
    count: 1,
    linkId: l.id,
  };
}

/** What the filters keep: links by method, and, under a scope, the scoped component's part. */
export interface LinkFilter {
  methods: ReadonlySet<string>;
  /** Identifier keys (type:value) of the scoped component, when a scope is set. */
  scopedKeys?: ReadonlySet<string>;
  purpose?: string;
  minConfidence?: number;
}

/**
 * The links a filter keeps. Under a scope only the links that qualify for it (active, confident
 * enough, consented for the purpose: docs/api.md, scoped views) between identifiers of the scoped
 * component; the method filter then applies to what is left.
 */
export function filterLinks<L extends ModelLink>(links: readonly L[], filter: LinkFilter): L[] {
  return links.filter((l) => {
    if (!filter.methods.has(l.method)) return false;
    if (!filter.scopedKeys) return true;
    if (l.status !== 'active') return false;
    if (filter.minConfidence !== undefined && l.confidence < filter.minConfidence) return false;
    if (filter.purpose !== undefined && !l.purposes.includes(filter.purpose)) return false;
    return (
      filter.scopedKeys.has(`${l.from.type}:${l.from.value}`) &&
      filter.scopedKeys.has(`${l.to.type}:${l.to.value}`)
    );
  });
}
