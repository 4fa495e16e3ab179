import type { StylesheetJson } from 'cytoscape';

/**
 * How the person graph looks (docs/ui.md has the legend). Nodes: colour by identifier type.
 * Edges: line style by method (deterministic solid, probabilistic dotted, manual double), width by
 * confidence, refused links dashed red, withdrawn ones faded. Group nodes (large persons) are
 * larger, labelled with their count.
 */
export const TYPE_COLOURS: Record<string, string> = {
  email: '#1f77b4',
  phone: '#2ca02c',
  user_id: '#9467bd',
  crm_id: '#d62728',
  device_id: '#8c564b',
  cookie_id: '#e377c2',
  maid: '#7f7f7f',
  hashed_email: '#17becf',
  external_id: '#bcbd22',
};

const EXTRA_COLOURS = ['#ff7f0e', '#393b79', '#637939', '#8c6d31', '#843c39', '#7b4173'];

/** A type's colour: fixed for the built-in types, stable by name for configured ones. */
export function colourOf(type: string): string {
  const fixed = TYPE_COLOURS[type];
  if (fixed) return fixed;
  let hash = 0;
  for (const ch of type) hash = (hash * 31 + ch.charCodeAt(0)) >>> 0;
  return EXTRA_COLOURS[hash % EXTRA_COLOURS.length]!;
}

export const METHOD_LINE: Record<string, 'solid' | 'dotted' | 'double'> = {
  deterministic: 'solid',
  probabilistic: 'dotted',
  manual: 'double',
};

export function graphStyle(showEdgeLabels: boolean): StylesheetJson {
  return [
    {
      selector: 'node',
      style: {
        'background-color': 'data(colour)',
        label: 'data(label)',
        'font-size': 9,
        'text-valign': 'bottom',
        'text-margin-y': 3,
        width: 18,
        height: 18,
        color: '#222',
      },
    },
    {
      selector: 'node[kind = "group"]',
      style: {
        shape: 'round-rectangle',
        width: 'mapData(count, 1, 10000, 40, 90)',
        height: 'mapData(count, 1, 10000, 40, 90)',
        'font-size': 12,
        'font-weight': 'bold',
        'text-valign': 'center',
        color: '#fff',
        'text-outline-color': 'data(colour)',
        'text-outline-width': 2,
      },
    },
    {
      selector: 'edge',
      style: {
        width: 'mapData(confidence, 0, 1, 1, 6)',
        'line-color': '#555',
        'curve-style': 'bezier',
        'line-style': 'solid',
        label: showEdgeLabels ? 'data(badges)' : '',
        'font-size': 7,
        'text-background-color': '#fff',
        'text-background-opacity': 0.8,
        'text-background-padding': '1px',
      },
    },
    { selector: 'edge[method = "probabilistic"]', style: { 'line-style': 'dotted' } },
    {
      selector: 'edge[method = "manual"]',
      style: { 'line-style': 'double', 'line-color': '#0b5' },
    },
    {
      selector: 'edge[status = "refused"]',
      style: { 'line-style': 'dashed', 'line-color': '#c00', 'line-dash-pattern': [6, 3] },
    },
    { selector: 'edge[status = "withdrawn"]', style: { 'line-style': 'dashed', opacity: 0.35 } },
    {
      selector: 'edge[kind = "group"]',
      style: { label: 'data(label)', 'font-size': 10, width: 'mapData(count, 1, 10000, 2, 10)' },
    },
    {
      selector: ':selected',
      style: { 'overlay-color': '#fc0', 'overlay-opacity': 0.35, 'overlay-padding': 4 },
    },
  ];
}
