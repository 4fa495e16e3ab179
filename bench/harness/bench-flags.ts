import { parseArgs } from 'node:util';

/**
 * Parses `--name value` flags. Integers are checked, unknown flags fail with the list of known ones,
 * and `--help` prints `usage`.
 */
export function benchFlags<const T extends Record<string, { default: string; help: string }>>(
  usage: string,
  spec: T,
  argv: readonly string[] = process.argv.slice(2),
): { [K in keyof T]: string } {
  const options = Object.fromEntries(
    Object.keys(spec).map((k) => [k, { type: 'string' as const }]),
  );
  const help = () =>
    [
      usage,
      '',
      ...Object.entries(spec).map(
        ([k, v]) => `  --${k.padEnd(14)} ${v.help} (default: ${v.default || 'none'})`,
      ),
    ].join('\n');
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${help()}\n`);
    process.exit(0);
  }
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options, strict: true, allowPositionals: false })
      .values as Record<string, string | undefined>;
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${help()}\n`);
    process.exit(2);
  }
  return Object.fromEntries(Object.entries(spec).map(([k, v]) => [k, parsed[k] ?? v.default])) as {
    [K in keyof T]: string;
  };
}

export function positiveInt(value: string, name: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new Error(`--${name} must be a positive integer, got ${JSON.stringify(value)}`);
  return n;
}

/** `--wait-idle`: the share of the machine that must be idle before a timed run (0 to 1). */
export function idleShare(value: string): number {
  const share = Number(value) / 100;
  if (!(share >= 0 && share <= 1)) throw new Error('--wait-idle must be a percentage');
  return share;
}
