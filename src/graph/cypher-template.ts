/**
 * Slots for blocking rules in the graph: a record's key under rule k is the indexed integer property
 * `block<k>` (migrations 0003 and 0006 create one index per slot), so a model has at most this many
 * rules.
 */
export const BLOCKING_RULE_SLOTS = 8;

/**
 * Turns the text of a `.cypher` file into the statement Neo4j receives, so that the file is the one
 * source of the statement and writes every part once. Markers are comment lines of their own:
 *
 * - `// {{#rules}}` ... `// {{/rules}}`: lines written for blocking rule k, repeated for k = 0 up to
 *   {@link BLOCKING_RULE_SLOTS} - 1, `{{k}}` standing for k. Cypher cannot name a property by a
 *   parameter and still seek its index, so a statement spells `block0` ... `block7` out; k is a
 *   constant, never input, and parameters stay parameters. `// {{#rules ,}}` ends every repetition
 *   but the last with a comma (map entries, SET items, list elements); `// {{#rules UNION ALL}}` puts
 *   `UNION ALL` on a line of its own, at the marker's indentation, between repetitions.
 * - `// {{#define name}}` ... `// {{/define}}`, then `// {{>name}}`: lines written once and placed
 *   at each `{{>name}}`, at its indentation; the definition itself adds nothing where it stands.
 *
 * Markers do not nest. A `{{` left in the statement outside a comment is an error, so a mistyped
 * marker fails when the statement is loaded instead of reaching Neo4j.
 */
export function expandCypher(text: string, slots = BLOCKING_RULE_SLOTS): string {
  const lines = text.split('\n');
  const fragments = new Map<string, string[]>();
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const marker = parseMarker(line);
    if (!marker) {
      out.push(line);
      continue;
    }
    if (marker.kind === 'include') {
      const fragment = fragments.get(marker.name);
      if (!fragment) throw new Error(`cypher template: {{>${marker.name}}} before its definition`);
      out.push(...fragment.map((l) => (l.length > 0 ? marker.indent + l : l)));
      continue;
    }
    if (marker.kind === 'close') throw new Error(`cypher template: {{/${marker.name}}} not opened`);
    const end = lines.findIndex((l, j) => j > i && parseMarker(l) !== undefined);
    const closing = end < 0 ? undefined : parseMarker(lines[end]!);
    if (closing?.kind !== 'close' || closing.name !== marker.name)
      throw new Error(`cypher template: {{#${marker.name}}} not closed before the next marker`);
    const body = lines.slice(i + 1, end);
    i = end;
    if (marker.name === 'rules') out.push(...perRule(body, marker, slots));
    else if (marker.name === 'define' && marker.argument !== undefined)
      fragments.set(marker.argument, unindent(body, marker.indent));
    else throw new Error(`cypher template: unknown section {{#${marker.name}}}`);
  }
  if (out.some((l) => l.replace(/\/\/.*$/, '').includes('{{')))
    throw new Error('cypher template: a {{ }} outside any marker');
  return out.join('\n');
}

interface Marker {
  kind: 'open' | 'close' | 'include';
  name: string;
  argument: string | undefined;
  indent: string;
}

const markerLine = /^(\s*)\/\/ \{\{([#/>])([a-z][a-z0-9-]*)(?: ([^{}]+))?\}\}\s*$/i;

function parseMarker(line: string): Marker | undefined {
  const match = markerLine.exec(line);
  if (!match) return undefined;
  const [, indent = '', sigil, name = '', argument] = match;
  const kind = sigil === '#' ? 'open' : sigil === '/' ? 'close' : 'include';
  return { kind, name, argument, indent };
}

function perRule(body: string[], marker: Marker, slots: number): string[] {
  const separator = marker.argument;
  const out: string[] = [];
  for (let k = 0; k < slots; k++) {
    const repetition = body.map((l) => l.replaceAll('{{k}}', String(k)));
    const last = k === slots - 1;
    if (!last && separator === ',') repetition[repetition.length - 1] += ',';
    out.push(...repetition);
    if (!last && separator !== undefined && separator !== ',') out.push(marker.indent + separator);
  }
  return out;
}

function unindent(body: string[], indent: string): string[] {
  return body.map((l) => {
    if (l.trim().length === 0) return '';
    if (!l.startsWith(indent))
      throw new Error('cypher template: a defined line is indented less than its {{#define}}');
    return l.slice(indent.length);
  });
}
