import cytoscape, {
  type Core,
  type ElementDefinition,
  type EventObject,
  type SingularElementArgument,
} from 'cytoscape';
import { useEffect, useRef } from 'preact/hooks';
import type { GraphModel } from './graph-model.js';
import { colourOf, graphStyle } from './graph-style.js';

/**
 * The person graph, drawn by Cytoscape.js with its built-in force-directed layout (cose). The
 * Cytoscape instance is exposed as `window.__idgraph.cy` and the container carries
 * `data-graph-state="drawn"` once the layout has stopped and a frame has been painted: the e2e tests
 * count the model's nodes and edges there, and the ui benchmark times navigation to that moment.
 */
declare global {
  interface Window {
    __idgraph?: { cy?: Core; drawnAt?: number };
  }
}

function elementsOf(model: GraphModel): ElementDefinition[] {
  return [
    ...model.nodes.map((n) => ({
      group: 'nodes' as const,
      data: { ...n, colour: colourOf(n.type) },
    })),
    ...model.edges.map((e) => ({
      group: 'edges' as const,
      data: {
        ...e,
        badges: e.purposes.join(' · '),
        label: e.kind === 'group' ? `${e.count} links` : '',
      },
    })),
  ];
}

export function GraphCanvas(props: {
  model: GraphModel;
  onSelectLink: (linkId: string) => void;
  onSelectGroup: (type: string) => void;
}) {
  const container = useRef<HTMLDivElement>(null);
  const handlers = useRef(props);
  handlers.current = props;

  useEffect(() => {
    const element = container.current;
    if (!element) return;
    element.dataset.graphState = 'drawing';
    const cy = cytoscape({
      container: element,
      elements: elementsOf(props.model),
      style: graphStyle(props.model.edges.length <= 60),
      wheelSensitivity: 0.3,
      minZoom: 0.05,
      maxZoom: 4,
    });
    window.__idgraph = { cy };
    const dataOf = (event: EventObject, name: string) =>
      String((event.target as SingularElementArgument).data(name));
    cy.on('tap', 'edge[kind = "link"]', (event) => {
      handlers.current.onSelectLink(dataOf(event, 'linkId'));
    });
    cy.on('tap', 'node[kind = "group"]', (event) => {
      handlers.current.onSelectGroup(dataOf(event, 'type'));
    });
    const layout = cy.layout({
      name: 'cose',
      animate: false,
      randomize: false,
      nodeDimensionsIncludeLabels: false,
      numIter: props.model.nodes.length > 100 ? 400 : 1000,
    });
    layout.one('layoutstop', () => {
      requestAnimationFrame(() => {
        if (cy.destroyed()) return;
        element.dataset.graphState = 'drawn';
        window.__idgraph = { cy, drawnAt: performance.now() };
      });
    });
    layout.run();
    return () => cy.destroy();
  }, [props.model]);

  const links =
    props.model.edges.reduce((n, e) => n + e.count, 0) +
    props.model.nodes.reduce((n, g) => n + g.innerLinks, 0);
  const identifiers = props.model.nodes.reduce((n, e) => n + e.count, 0);
  return (
    <div
      ref={container}
      class="graph"
      role="img"
      aria-label={`Graph of ${identifiers} identifiers and ${links} links${
        props.model.grouped ? ', grouped by type' : ''
      }; the table view lists the same data`}
    />
  );
}
