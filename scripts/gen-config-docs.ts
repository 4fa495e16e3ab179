/**
 * Generates the configuration docs from the one zod schema in `src/config.ts`:
 *   - `.env.example`: every variable, commented out, with its default and description;
 *   - the README table between `<!-- config:start -->` and `<!-- config:end -->`.
 *
 *   npx tsx scripts/gen-config-docs.ts           write both (README only when it has the markers;
 *                                                without them the table is printed to stdout)
 *   npx tsx scripts/gen-config-docs.ts --check   write nothing; exit 1 and show what differs when
 *                                                either file is out of date (CI runs this)
 *
 * The renderers are pure and exported, so a unit test checks the files on disk against them.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { z } from 'zod';
import { configSchema } from '../src/config.js';

export const repoRoot = fileURLToPath(new URL('..', import.meta.url));
export const envExamplePath = join(repoRoot, '.env.example');
export const readmePath = join(repoRoot, 'README.md');
export const startMarker = '<!-- config:start -->';
export const endMarker = '<!-- config:end -->';

/**
 * Variables whose value is a credential. The schema cannot say so itself (zod has no such flag and
 * secrets simply have no default), so the name decides; such values are never shown as examples.
 */
const secretName = /(PASSWORD|SECRET|TOKEN|API_KEYS?|PRIVATE_KEY)$/;

export interface ConfigVariable {
  name: string;
  description: string;
  /** The default as it would be written in the environment; undefined when there is none. */
  defaultValue: string | undefined;
  /** Neither optional nor defaulted: start-up fails without it. */
  required: boolean;
  secret: boolean;
  /** The accepted words, when the variable is a plain enum. */
  choices: readonly string[] | undefined;
}

function envText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** Reads one schema entry through zod 4's public introspection (`instanceof` and `.def`). */
function describeVariable(name: string, schema: z.ZodType): ConfigVariable {
  let inner: z.ZodType = schema;
  let defaultValue: string | undefined;
  let optional = false;
  // Wrappers may nest (`.optional().default(...)`), so peel until a plain schema is left.
  for (;;) {
    if (inner instanceof z.ZodDefault || inner instanceof z.ZodPrefault) {
      defaultValue ??= envText(inner.def.defaultValue);
      inner = inner.def.innerType as z.ZodType;
    } else if (inner instanceof z.ZodOptional || inner instanceof z.ZodNullable) {
      optional = true;
      inner = inner.def.innerType as z.ZodType;
    } else {
      break;
    }
  }
  const description = schema.description;
  if (!description) throw new Error(`config key ${name} has no .describe(); every key must`);
  return {
    name,
    description,
    defaultValue,
    required: !optional && defaultValue === undefined,
    secret: secretName.test(name),
    choices: inner instanceof z.ZodEnum ? inner.options.map(String) : undefined,
  };
}

/** Every variable of {@link configSchema}, in schema order. */
export function configVariables(): ConfigVariable[] {
  return Object.entries(configSchema.shape).map(([name, schema]) =>
    describeVariable(name, schema as z.ZodType),
  );
}

/** " One of a, b." for enums, unless the description already names the choices in backticks. */
function choicesText(variable: ConfigVariable, quote: (s: string) => string): string {
  const { choices, description } = variable;
  if (!choices || choices.some((c) => description.includes('`' + c + '`'))) return '';
  return ` One of ${choices.map(quote).join(', ')}.`;
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/**
 * The README table: Variable | Default | Description, one row per schema key, in schema order.
 * Columns are padded the way Prettier aligns markdown tables, so `prettier --check .` and
 * `--check` here agree on the same README.
 */
export function renderConfigTable(): string {
  const code = (s: string) => '`' + s + '`';
  const rows = configVariables().map((v) => {
    let defaultCell = v.defaultValue === undefined ? '—' : code(v.defaultValue);
    if (v.required) defaultCell = '**required**';
    if (v.secret) defaultCell += ' (secret)';
    return [code(v.name), defaultCell, v.description + choicesText(v, code)].map(escapeCell);
  });
  const header = ['Variable', 'Default', 'Description'];
  // Every character here is one column wide (no CJK or emoji), so code points measure width.
  const width = (cell: string) => [...cell].length;
  const widths = header.map((_, i) => Math.max(3, ...[header, ...rows].map((r) => width(r[i]!))));
  const line = (cells: string[]) =>
    `| ${cells.map((c, i) => c + ' '.repeat(widths[i]! - width(c))).join(' | ')} |`;
  const rule = `| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`;
  return [line(header), rule, ...rows.map(line)].join('\n') + '\n';
}

/** Word-wraps `text` into `# `-comment lines of at most `width` characters. */
function commentLines(text: string, width = 100): string[] {
  const lines: string[] = [];
  let line = '#';
  for (const word of text.split(/\s+/).filter((w) => w.length > 0)) {
    if (line.length > 1 && line.length + 1 + word.length > width) {
      lines.push(line);
      line = '#';
    }
    line += ' ' + word;
  }
  if (line.length > 1) lines.push(line);
  return lines;
}

/**
 * `.env.example`: every variable commented out, so a copy of it changes nothing until a line is
 * uncommented. The value shown is the default; variables without one are left empty (an empty value
 * counts as unset, see `loadConfig`).
 */
export function renderEnvExample(): string {
  const header = [
    '# idgraph configuration: every environment variable the service reads.',
    '# Generated from src/config.ts by `npm run docs:config`; do not edit by hand.',
    '#',
    '# Copy to .env and uncomment what you change. The value shown is the default; an empty',
    '# value counts as unset. docker compose reads .env too (NEO4J_PASSWORD is required there).',
  ];
  const blocks = configVariables().map((v) => {
    const notes: string[] = [];
    if (v.required) notes.push('Required.');
    else if (v.defaultValue !== undefined) notes.push(`Default: ${v.defaultValue}.`);
    // Secrets never have defaults (STYLE.md); saying "unset" there would only repeat that.
    else if (!v.secret) notes.push('Default: unset.');
    if (v.secret) {
      const said = /\bsecret\b/i.test(v.description);
      notes.push(
        said ? 'Keep it out of version control.' : 'Secret: keep it out of version control.',
      );
    }
    const text = [v.description + choicesText(v, (s) => s), ...notes].join(' ');
    return [...commentLines(text), `# ${v.name}=${v.defaultValue ?? ''}`].join('\n');
  });
  return [header.join('\n'), ...blocks].join('\n\n') + '\n';
}

/** Replaces the text between the markers; undefined when `readme` does not contain both. */
export function replaceReadmeBlock(readme: string, table: string): string | undefined {
  const start = readme.indexOf(startMarker);
  const end = readme.indexOf(endMarker, start + startMarker.length);
  if (start < 0 || end < 0) return undefined;
  return `${readme.slice(0, start + startMarker.length)}\n\n${table}\n${readme.slice(end)}`;
}

/** A short report of where `actual` departs from `expected`: the differing middle, -/+ lines. */
export function describeDifference(expected: string, actual: string): string {
  const want = expected.split('\n');
  const have = actual.split('\n');
  let head = 0;
  while (head < want.length && head < have.length && want[head] === have[head]) head++;
  let tail = 0;
  while (
    tail < want.length - head &&
    tail < have.length - head &&
    want[want.length - 1 - tail] === have[have.length - 1 - tail]
  ) {
    tail++;
  }
  const limit = 40;
  const removed = have.slice(head, have.length - tail).map((l) => `- ${l}`);
  const added = want.slice(head, want.length - tail).map((l) => `+ ${l}`);
  const body = [...removed, ...added];
  const shown = body.slice(0, limit);
  if (body.length > limit) shown.push(`  ... ${body.length - limit} more lines`);
  return [`  first difference at line ${head + 1} (- on disk, + expected):`, ...shown].join('\n');
}

function readIfExists(path: string): string | undefined {
  return existsSync(path) ? readFileSync(path, 'utf8') : undefined;
}

function main(argv: readonly string[]): number {
  const check = argv.includes('--check');
  const table = renderConfigTable();
  const envExample = renderEnvExample();
  const outdated: string[] = [];

  const envOnDisk = readIfExists(envExamplePath);
  if (envOnDisk !== envExample) {
    if (check) {
      outdated.push(
        envOnDisk === undefined
          ? '.env.example is missing'
          : `.env.example is out of date\n${describeDifference(envExample, envOnDisk)}`,
      );
    } else {
      writeFileSync(envExamplePath, envExample);
      process.stdout.write('wrote .env.example\n');
    }
  }

  const readme = readIfExists(readmePath);
  const updated = readme === undefined ? undefined : replaceReadmeBlock(readme, table);
  if (readme === undefined || updated === undefined) {
    // Another change adds the markers; until then the table is only shown, and --check passes.
    process.stdout.write(
      check
        ? `README.md has no ${startMarker} ... ${endMarker} block yet; not checked\n`
        : `README.md has no ${startMarker} ... ${endMarker} block; the table is:\n\n${table}\n`,
    );
  } else if (updated !== readme) {
    if (check) {
      outdated.push(
        `README.md configuration table is out of date\n${describeDifference(updated, readme)}`,
      );
    } else {
      writeFileSync(readmePath, updated);
      process.stdout.write('updated the configuration table in README.md\n');
    }
  }

  if (outdated.length > 0) {
    process.stderr.write(
      `${outdated.join('\n\n')}\n\nrun \`npm run docs:config\` and commit the result\n`,
    );
    return 1;
  }
  if (check) process.stdout.write('configuration docs are up to date\n');
  return 0;
}

// Run only as a script, not when a test imports the renderers.
if (process.argv[1] && pathToFileURL(resolve(process.argv[1])).href === import.meta.url) {
  process.exitCode = main(process.argv.slice(2));
}
