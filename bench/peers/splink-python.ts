import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../../scripts/local-services.mjs';
import { benchLog } from '../harness/bench-log.js';

/**
 * The Python Splink runs on: one with exactly the pins of bench/peers/requirements.txt, found or
 * created. Splink is a peer to compare with, never a dependency of the service.
 */

const REQUIREMENTS = join(REPO_ROOT, 'bench', 'peers', 'requirements.txt');

/** `name==version` pins of bench/peers/requirements.txt. */
function pinnedRequirements(): Map<string, string> {
  const pins = new Map<string, string>();
  for (const line of readFileSync(REQUIREMENTS, 'utf8').split('\n')) {
    const match = /^\s*([A-Za-z0-9_.-]+)==([^\s#]+)/.exec(line);
    if (match) pins.set(match[1]!, match[2]!);
  }
  return pins;
}

/** The installed versions of `packages` in `python`'s environment, or undefined when it cannot run. */
function installedVersions(
  python: string,
  packages: readonly string[],
): Map<string, string> | undefined {
  const script =
    'import importlib.metadata as m, json, sys\n' +
    'out = {}\n' +
    'for p in sys.argv[1:]:\n' +
    '    try: out[p] = m.version(p)\n' +
    '    except Exception: pass\n' +
    'print(json.dumps(out))';
  const result = spawnSync(python, ['-c', script, ...packages], { encoding: 'utf8' });
  if (result.status !== 0) return undefined;
  try {
    return new Map(Object.entries(JSON.parse(result.stdout) as Record<string, string>));
  } catch {
    return undefined;
  }
}

/** Default place of the benchmark's Splink venv (outside the repository). */
export const SPLINK_VENV = join(homedir(), '.cache', 'idgraph', 'splink-venv');

/**
 * A Python with exactly the pinned Splink, DuckDB and pandas: `explicit` when given (checked, never
 * changed), else the first of IDGRAPH_SPLINK_PYTHON, ~/.cache/idgraph/splink-venv and /tmp/splink-venv
 * that has them; else ~/.cache/idgraph/splink-venv is created (or repaired) with pip. Undefined
 * when there is no python3 to create it with.
 */
export function splinkPython(explicit?: string): { python: string; note: string } | undefined {
  const pins = pinnedRequirements();
  const fits = (python: string) => {
    const versions = installedVersions(python, [...pins.keys()]);
    return versions !== undefined && [...pins].every(([p, v]) => versions.get(p) === v);
  };
  if (explicit) {
    if (!fits(explicit))
      throw new Error(`--python ${explicit} lacks the pins of bench/peers/requirements.txt`);
    return { python: explicit, note: explicit };
  }
  const candidates = [
    process.env.IDGRAPH_SPLINK_PYTHON,
    join(SPLINK_VENV, 'bin', 'python'),
    '/tmp/splink-venv/bin/python',
  ].filter((p): p is string => Boolean(p));
  for (const python of candidates)
    if (existsSync(python) && fits(python)) return { python, note: python };
  const system = spawnSync('python3', ['--version'], { encoding: 'utf8' });
  if (system.status !== 0) return undefined;
  benchLog(`creating the Splink venv ${SPLINK_VENV} (pip install -r bench/peers/requirements.txt)`);
  mkdirSync(join(SPLINK_VENV, '..'), { recursive: true });
  const python = join(SPLINK_VENV, 'bin', 'python');
  if (!existsSync(python)) {
    const venv = spawnSync('python3', ['-m', 'venv', SPLINK_VENV], { stdio: 'inherit' });
    if (venv.status !== 0) throw new Error(`python3 -m venv ${SPLINK_VENV} failed`);
  }
  const pip = spawnSync(python, ['-m', 'pip', 'install', '--quiet', '-r', REQUIREMENTS], {
    stdio: 'inherit',
  });
  if (pip.status !== 0 || !fits(python))
    throw new Error(`pip install -r ${REQUIREMENTS} into ${SPLINK_VENV} failed`);
  return { python, note: `${python} (created now)` };
}

/** Installed Splink version of `python` (for the report). */
export function splinkVersion(python: string): string {
  return installedVersions(python, ['splink'])?.get('splink') ?? 'unknown';
}
