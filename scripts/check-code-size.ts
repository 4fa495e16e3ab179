/**
 * Checks the size limits of STYLE.md over src/: no file over 500 lines, no function over 150
 * lines (declarations, methods, arrow functions and function expressions, each counted from its
 * first line to its last, nested functions included in their parents). Exits 1 listing every file
 * and function over its limit.
 *
 * Usage: `npx tsx scripts/check-code-size.ts [dir ...]` (default: src).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';

const MAX_FILE_LINES = 500;
const MAX_FUNCTION_LINES = 150;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.(ts|mts|cts)$/.test(name) && !name.endsWith('.d.ts') ? [path] : [];
  });
}

function functionName(node: ts.Node, file: ts.SourceFile): string {
  if (
    (ts.isFunctionDeclaration(node) ||
      ts.isMethodDeclaration(node) ||
      ts.isFunctionExpression(node)) &&
    node.name
  )
    return node.name.getText(file);
  const parent = node.parent;
  if (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent))
    return parent.name.getText(file);
  return '(anonymous)';
}

function oversized(paths: readonly string[]): string[] {
  const problems: string[] = [];
  for (const path of paths) {
    const text = readFileSync(path, 'utf8');
    const file = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true);
    const name = relative(process.cwd(), path);
    const lines = file.getLineStarts().length - (text.endsWith('\n') ? 1 : 0);
    if (lines > MAX_FILE_LINES) problems.push(`${name}: ${lines} lines (limit ${MAX_FILE_LINES})`);
    const visit = (node: ts.Node): void => {
      if (ts.isFunctionLike(node) && 'body' in node && node.body) {
        const first = file.getLineAndCharacterOfPosition(node.getStart(file)).line;
        const last = file.getLineAndCharacterOfPosition(node.getEnd()).line;
        const length = last - first + 1;
        if (length > MAX_FUNCTION_LINES)
          problems.push(
            `${name}:${first + 1}: function ${functionName(node, file)} is ${length} lines (limit ${MAX_FUNCTION_LINES})`,
          );
      }
      ts.forEachChild(node, visit);
    };
    visit(file);
  }
  return problems;
}

const dirs = process.argv.slice(2);
const problems = oversized((dirs.length > 0 ? dirs : ['src']).flatMap(sourceFiles));
for (const problem of problems) process.stderr.write(`${problem}\n`);
if (problems.length > 0) process.exit(1);
