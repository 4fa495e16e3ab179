import { randomBytes } from 'node:crypto';

/**
 * Opaque ids: a type prefix and 128 random bits. They carry no personal data and no ordering, so
 * clients cannot infer anything from them and must treat them as strings.
 */
export type IdPrefix = 'per' | 'lnk' | 'aud' | 'rec' | 'rev' | 'cst';

export function newId(prefix: IdPrefix): string {
  return `${prefix}_${randomBytes(16).toString('base64url')}`;
}
