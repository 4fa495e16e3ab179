import { describe, expect, it } from 'vitest';
import { expandCypher } from '../../src/graph/cypher-template.js';

describe('expandCypher', () => {
  it('leaves a statement without markers as it is', () => {
    const text = '// a comment with {{k}} in it\nMATCH (n) RETURN n\n';
    expect(expandCypher(text)).toBe(text);
  });

  it.each([
    {
      what: 'repeats a rules section per slot, k standing for the slot',
      slots: 3,
      text: ['CALL () {', '  // {{#rules}}', '  RETURN {{k}} AS r{{k}}', '  // {{/rules}}', '}'],
      expanded: ['CALL () {', '  RETURN 0 AS r0', '  RETURN 1 AS r1', '  RETURN 2 AS r2', '}'],
    },
    {
      what: 'ends every repetition but the last with a comma',
      slots: 3,
      text: ['SET', '  // {{#rules ,}}', '  n.b{{k}} = {{k}}', '  // {{/rules}}', 'RETURN n'],
      expanded: ['SET', '  n.b0 = 0,', '  n.b1 = 1,', '  n.b2 = 2', 'RETURN n'],
    },
    {
      what: 'puts a keyword separator on a line of its own between repetitions',
      slots: 2,
      text: ['  // {{#rules UNION ALL}}', '  WITH {{k}} AS k', '  RETURN k', '  // {{/rules}}'],
      expanded: ['  WITH 0 AS k', '  RETURN k', '  UNION ALL', '  WITH 1 AS k', '  RETURN k'],
    },
  ])('$what', ({ slots, text, expanded }) => {
    expect(expandCypher(text.join('\n'), slots)).toBe(expanded.join('\n'));
  });

  it('places a defined fragment at each use, at its indentation, and nowhere else', () => {
    const text = [
      '// {{#define pair}}',
      'MATCH (a)',
      '  WHERE a.x = 1',
      '// {{/define}}',
      'CALL () {',
      '  // {{>pair}}',
      '  RETURN a',
      '}',
      '// {{>pair}}',
    ];
    expect(expandCypher(text.join('\n'))).toBe(
      [
        'CALL () {',
        '  MATCH (a)',
        '    WHERE a.x = 1',
        '  RETURN a',
        '}',
        'MATCH (a)',
        '  WHERE a.x = 1',
      ].join('\n'),
    );
  });

  it('refuses what it cannot expand, so a mistyped marker never reaches Neo4j', () => {
    expect(() => expandCypher('RETURN {{k}}')).toThrow(/outside any marker/);
    expect(() => expandCypher('// {{#rules}}\nRETURN {{k}}')).toThrow(/not closed/);
    expect(() => expandCypher('// {{/rules}}')).toThrow(/not opened/);
    expect(() => expandCypher('// {{>missing}}')).toThrow(/before its definition/);
    expect(() => expandCypher('// {{#loop}}\n// {{/loop}}')).toThrow(/unknown section/);
    expect(() => expandCypher('// {{#rules}}\n// {{>x}}\n// {{/rules}}')).toThrow(/not closed/);
    expect(() => expandCypher('  // {{#define x}}\nRETURN 1\n  // {{/define}}')).toThrow(
      /indented less/,
    );
  });
});
