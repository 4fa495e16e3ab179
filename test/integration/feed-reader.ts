import { expect } from 'vitest';
import { changePageSchema } from '../../src/api/schemas.js';
import type { ChangeItem } from '../../src/changes/change-contract.js';
import { decodeCursor } from '../../src/changes/feed-cursor.js';
import { http } from './harness.js';

/**
 * Reading the change feed in tests: every page from a cursor, waiting until the feed holds what a
 * scenario expects, and replaying it into the set of active persons it describes.
 */

export async function feedPage(baseUrl: string, after: string | undefined, limit: number) {
  const query = new URLSearchParams({ limit: String(limit), ...(after ? { after } : {}) });
  const answer = await http(
    baseUrl,
    'GET',
    `/v1/changes?${query.toString()}`,
    undefined,
    changePageSchema,
  );
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  return answer.body;
}

/** Every entry after `after` (from the oldest without it), page by page; and the last cursor. */
export async function readFeed(baseUrl: string, limit = 1000, after?: string) {
  const items: ChangeItem[] = [];
  let cursor = after;
  for (;;) {
    const page = await feedPage(baseUrl, cursor, limit);
    items.push(...page.items);
    cursor = page.cursor;
    if (page.items.length < limit) return { items, cursor };
  }
}

/** Reads the feed until `done` holds for it (the relay numbers changes a moment after commit). */
export async function feedWhen(
  baseUrl: string,
  done: (items: ChangeItem[]) => boolean,
  timeoutMs = 60_000,
): Promise<ChangeItem[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { items } = await readFeed(baseUrl);
    if (done(items)) return items;
    if (Date.now() > deadline)
      throw new Error(`the feed did not get there in ${timeoutMs} ms: ${items.length} entries`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * The active persons the entries describe, applied in order; throws when an entry contradicts the
 * ones before it (a person created twice, a merge or split of a person that is not active).
 */
export function replay(items: readonly ChangeItem[]): Set<string> {
  const active = new Set<string>();
  const need = (id: string, what: string) => {
    if (!active.has(id)) throw new Error(`${what}: ${id} is not an active person`);
  };
  const add = (id: string, what: string) => {
    if (active.has(id)) throw new Error(`${what}: ${id} already exists`);
    active.add(id);
  };
  for (const item of items) {
    if (item.type === 'person.created') add(item.personId, item.type);
    else if (item.type === 'person.merged') {
      need(item.absorbedId, item.type);
      need(item.survivorId, item.type);
      active.delete(item.absorbedId);
    } else if (item.type === 'person.split') {
      need(item.personId, item.type);
      for (const part of item.parts) add(part, item.type);
    } else if (item.type === 'identifier.moved') {
      need(item.fromPersonId, item.type);
      need(item.toPersonId, item.type);
    } else if (item.type === 'person.restored') {
      need(item.fromPersonId, item.type);
      add(item.personId, item.type);
    } else if (item.type === 'person.erased') {
      need(item.personId, item.type);
      active.delete(item.personId);
    }
  }
  return active;
}

/** The batch sequence numbers the entries' cursors name, in order of first appearance. */
export function seqsOf(items: readonly ChangeItem[]): number[] {
  const seqs: number[] = [];
  for (const item of items) {
    // An entry's cursor names the next position: its own batch or the one after.
    const next = decodeCursor(item.cursor)!;
    const seq = next.index === 0 ? next.seq - 1 : next.seq;
    if (seqs.at(-1) !== seq) seqs.push(seq);
  }
  return seqs;
}
