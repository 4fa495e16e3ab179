import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { REPO_ROOT } from '../../scripts/local-services.mjs';
import { fmt, table } from '../report/result-tables.js';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

/** Where the API process spent its time: self time by package (or source folder) and by function. */
export function summariseProfile(dir: string): string {
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  if (!file) return `no .cpuprofile in ${dir}`;
  const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as {
    nodes: ProfileNode[];
    startTime: number;
    endTime: number;
    samples: number[];
  };
  const total = profile.nodes.reduce((n, node) => n + (node.hitCount ?? 0), 0);
  const area = (url: string, fn: string) => {
    if (!url) return fn.startsWith('(') ? fn : '(native)';
    const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1];
    if (pkg) return pkg;
    if (url.startsWith('node:')) return 'node internals';
    const src = /\/(src|bench)\/([^/]+)\//.exec(url);
    return src ? `${src[1]}/${src[2]}` : url.replace(/^file:\/\//, '');
  };
  const byArea = new Map<string, number>();
  const byFunction = new Map<string, number>();
  for (const node of profile.nodes) {
    const hits = node.hitCount ?? 0;
    if (hits === 0) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    const a = area(url, functionName);
    byArea.set(a, (byArea.get(a) ?? 0) + hits);
    const f = `${functionName || '(anonymous)'}  ${a}${url ? `:${lineNumber + 1}` : ''}`;
    byFunction.set(f, (byFunction.get(f) ?? 0) + hits);
  }
  const top = (m: Map<string, number>, n: number) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([k, v]) => [k, `${((100 * v) / total).toFixed(1)} %`]);
  return [
    `CPU profile of the API process: ${join(relative(REPO_ROOT, dir), file)} (${fmt(total)} samples)`,
    '',
    table(['self time by package / folder', 'share'], top(byArea, 20)),
    '',
    table(['self time by function', 'share'], top(byFunction, 30)),
  ].join('\n');
}
