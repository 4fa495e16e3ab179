import { randomBytes } from 'node:crypto';

/**
 * Opaque ids: a type prefix and 128 random bits. They carry no personal data and no ordering, so
 * clients cannot infer anything from them and must treat them as strings.
 */
export type IdPrefix = 'per' | 'lnk' | 'aud' | 'rec' | 'rev' | 'cst' | 'chg' | 'cch' | 'prq';

/*
 * Random bytes are drawn a page at a time: a resolver batch draws thousands of ids, and one
 * randomBytes call per id cost more than the rest of making them.
 */
const PAGE = 4096;
let page = Buffer.alloc(0);
let offset = PAGE;

export function newId(prefix: IdPrefix): string {
  if (offset + 16 > page.length) {
    page = randomBytes(PAGE);
    offset = 0;
  }
  const id = page.toString('base64url', offset, offset + 16);
  offset += 16;
  return `${prefix}_${id}`;
}
