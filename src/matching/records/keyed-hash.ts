import { createHmac } from 'node:crypto';

/**
 * Keyed hashes of personal data that the graph stores in place of the data: blocking keys, and the
 * common values of term-frequency tables (see term-frequency-keys.ts). A plain hash of
 * "dob:1980-01-01" is reversed by hashing every date; a keyed one is not without the secret
 * (MATCH_KEY_SECRET). Whoever holds a value and the secret can find where the graph keeps its hash,
 * which is what erasing it needs.
 */

/** A keyed hash of a text: a non-negative integer below 2^48. */
export type KeyedHash = (text: string) => number;

/**
 * 48 bits of HMAC-SHA256 under `secret`, as an integer: the graph indexes and compares integers far
 * more cheaply than strings. Two texts colliding only merge two blocks (more candidates, the same
 * decisions), or give a value a common one's frequency, with odds of about one in 10^10 per lookup
 * against a table of thousands of values.
 */
export function createKeyedHash(secret: string): KeyedHash {
  return (text) => createHmac('sha256', secret).update(text).digest().readUIntBE(0, 6);
}

/**
 * What a term-frequency table's value is hashed as: the attribute and the value, after a prefix no
 * blocking key has (a blocking key begins with its rule's name and a colon), so a table's hash never
 * equals a blocking key's and the two tell nothing about each other.
 */
export function termFrequencyKey(attribute: string, value: string): string {
  return `tf\u001f${attribute}\u001f${value}`;
}
