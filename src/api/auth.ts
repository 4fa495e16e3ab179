import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { apiKeyScopes } from '../config.js';
import { ForbiddenError, UnauthorizedError } from '../errors.js';

/**
 * API-key authentication. Keys arrive as `Authorization: Bearer <key>`; each route names the scope
 * it needs in its `config.scope` (routes without one — health, metrics, docs, the console's static
 * files — are open; `any` takes any valid key).
 * Comparison is constant-time over SHA-256 digests and walks every key, so neither a key's length
 * nor its position leaks through timing. Logs carry the key's name, never the key.
 */

export type Scope = (typeof apiKeyScopes)[number];

export interface ApiKey {
  name: string;
  key: string;
  scopes: readonly Scope[];
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The scope a route requires (`any`: any valid key); absent for open routes. */
    scope?: Scope | 'any';
  }
  interface FastifyRequest {
    apiKey?: { name: string; scopes: readonly Scope[] };
  }
}

const digest = (value: string) => createHash('sha256').update(value).digest();

export function createKeyVerifier(keys: readonly ApiKey[]) {
  const stored = keys.map((k) => ({ name: k.name, scopes: k.scopes, digest: digest(k.key) }));
  return (presented: string): { name: string; scopes: readonly Scope[] } | undefined => {
    const candidate = digest(presented);
    let match: (typeof stored)[number] | undefined;
    for (const key of stored) {
      if (timingSafeEqual(candidate, key.digest) && match === undefined) match = key;
    }
    return match ? { name: match.name, scopes: match.scopes } : undefined;
  };
}

/** A development key with every scope, for `npm start` on a machine where none is configured. */
export function generateDevelopmentKey(): ApiKey {
  return {
    name: 'local-development',
    key: `idg_dev_${randomBytes(24).toString('base64url')}`,
    scopes: ['events:write', 'persons:read', 'audit:read', 'audit:write', 'privacy:write'],
  };
}

export function registerAuth(app: FastifyInstance, keys: readonly ApiKey[]): void {
  const verify = createKeyVerifier(keys);
  app.decorateRequest('apiKey', undefined);
  app.addHook('onRequest', async (request) => {
    const scope = request.routeOptions.config.scope;
    if (scope === undefined) return;
    const header = request.headers.authorization;
    const match = header === undefined ? undefined : /^Bearer\s+(\S+)\s*$/i.exec(header);
    const key = match ? verify(match[1]!) : undefined;
    if (!key) throw new UnauthorizedError();
    request.apiKey = key;
    request.log = request.log.child({ apiKey: key.name });
    if (scope !== 'any' && !key.scopes.includes(scope)) throw new ForbiddenError(scope);
  });
}
