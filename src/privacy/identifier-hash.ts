import { createHmac } from 'node:crypto';
import type { Config } from '../config.js';

/**
 * The keyed hash of a normalised identifier key (`type:value`): HMAC-SHA256 under
 * PRIVACY_HASH_SECRET, hex. Privacy requests keep their subject as these hashes and the suppression
 * list is made of them, so neither holds a value; without the secret a hash cannot be tested
 * against guessed values. Changing the secret changes every hash: suppressions stop matching.
 */

export type IdentifierHasher = (key: string) => string;

/** The secret outside production when none is configured; production refuses to start without one. */
export const DEVELOPMENT_PRIVACY_SECRET = 'idgraph-development-privacy-hash-secret';

export function createIdentifierHasher(secret: string): IdentifierHasher {
  return (key) => createHmac('sha256', secret).update(key).digest('hex');
}

export function identifierHasherFromConfig(config: Config): IdentifierHasher {
  return createIdentifierHasher(config.PRIVACY_HASH_SECRET ?? DEVELOPMENT_PRIVACY_SECRET);
}
