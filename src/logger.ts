import { pino, type Logger, type LoggerOptions } from 'pino';

/**
 * Paths that may hold personal data. pino replaces them before a line is written, so even a
 * debug log of a request or an event cannot leak an identifier value, a name or an address.
 */
export const redactPaths = [
  'value',
  '*.value',
  'identifiers',
  '*.identifiers',
  'attributes',
  '*.attributes',
  'events',
  '*.events',
  'req.body',
  'req.query.value',
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'body',
  'params',
  'password',
  '*.password',
];

export function loggerOptions(level: string): LoggerOptions {
  return {
    level,
    redact: { paths: redactPaths, censor: '[redacted]' },
    base: { service: 'idgraph' },
    timestamp: pino.stdTimeFunctions.isoTime,
    serializers: {
      // Raw URLs carry identifier values (`?value=`, `/identifiers/email/...`): log the route pattern.
      req: (req: { method?: string; id?: string; routeOptions?: { url?: string } }) => ({
        method: req.method,
        route: req.routeOptions?.url ?? '(unmatched)',
        id: req.id,
      }),
      res: (res: { statusCode?: number }) => ({ statusCode: res.statusCode }),
      err: safeError,
    },
  };
}

export function createLogger(level: string): Logger {
  return pino(loggerOptions(level));
}

export type { Logger };

/**
 * An error fit for logs and stored reasons: its class, code and stack frames, without its message.
 * Driver messages can quote the values of a failed statement, and those values are personal data.
 */
export function safeError(error: unknown): { name: string; code?: string; frames?: string } {
  // Duck-typed, not `instanceof Error`: errors from other realms (test sandboxes, worker threads) count too.
  if (error === null || typeof error !== 'object') return { name: typeof error };
  const { name, code, stack } = error as { name?: unknown; code?: unknown; stack?: unknown };
  return {
    name: typeof name === 'string' ? name : (error.constructor?.name ?? 'object'),
    ...(typeof code === 'string' ? { code } : {}),
    ...(typeof stack === 'string' ? { frames: stack.split('\n').slice(1, 8).join('\n') } : {}),
  };
}

/** An address fit for logs: credentials removed. */
export function redactUri(uri: string): string {
  try {
    const url = new URL(uri);
    url.username = '';
    url.password = '';
    return url.toString();
  } catch {
    return '[unparseable uri]';
  }
}
