import type { IdentityEvent } from '../events/event-schema.js';
import type { IdentifierRegistry } from './identifier-types.js';
import type { PreparedEvent, Rejection } from './prepare-events.js';
import { StaleResolutionError } from './transaction-retry.js';

/**
 * The suppression list at ingest. An erase request suppresses the subject's identifiers: a
 * `Suppression` node per keyed hash of a normalised key (src/privacy/identifier-hash.ts). A batch
 * carrying such an identifier drops it from its event before anything is written: it is never
 * created, never linked, and the event log keeps the event without it and without the event's
 * attributes (they described the subject too). An event left with no identifier is rejected with
 * reason `suppressed`.
 *
 * write/claim-batch reads the suppression list under the identifiers' locks (the erase step takes
 * the same locks), and the resolver runs the transaction again without the identifiers it found
 * suppressed: a batch that carries none, the common case, pays one index seek per identifier.
 */

/** The keyed hash of a normalised identifier key (the suppression list's form). */
export type KeyHasher = (key: string) => string;

/** Per batch: each key hashed once, however many events carry it and however many attempts run. */
export function memoHasher(hash: KeyHasher): KeyHasher {
  const memo = new Map<string, string>();
  return (key) => {
    let hashed = memo.get(key);
    if (hashed === undefined) memo.set(key, (hashed = hash(key)));
    return hashed;
  };
}

/** The raw event without its suppressed identifiers and, when it lost any, without attributes. */
function scrubEvent(
  event: IdentityEvent,
  registry: Pick<IdentifierRegistry, 'normalize'>,
  suppressed: ReadonlySet<string>,
): IdentityEvent | undefined {
  const identifiers = event.identifiers.filter((raw) => {
    const result = registry.normalize(raw.type, raw.value);
    return !(result.ok && suppressed.has(result.key));
  });
  if (identifiers.length === event.identifiers.length) return event;
  if (identifiers.length === 0) return undefined;
  const { attributes: _dropped, ...rest } = event;
  return { ...rest, identifiers };
}

/**
 * The batch's events without the suppressed identifiers: what the event log stores and what the
 * ingest job's payload in Redis is rewritten to. Events left with none are left out.
 */
export function scrubEvents(
  events: readonly IdentityEvent[],
  registry: Pick<IdentifierRegistry, 'normalize'>,
  suppressed: ReadonlySet<string>,
): IdentityEvent[] {
  if (suppressed.size === 0) return [...events];
  return events.flatMap((e) => scrubEvent(e, registry, suppressed) ?? []);
}

/**
 * Drops the suppressed identifiers from prepared events: the events to claim, the rejections of
 * those left without identifiers, and how many identifiers were dropped.
 */
export function dropSuppressed(
  prepared: readonly PreparedEvent[],
  registry: Pick<IdentifierRegistry, 'normalize'>,
  suppressed: ReadonlySet<string>,
): { kept: PreparedEvent[]; rejected: Rejection[]; dropped: number } {
  const kept: PreparedEvent[] = [];
  const rejected: Rejection[] = [];
  let dropped = 0;
  if (suppressed.size === 0) return { kept: [...prepared], rejected, dropped };
  for (const event of prepared) {
    const identifiers = event.identifiers.filter((i) => !suppressed.has(i.key));
    if (identifiers.length === event.identifiers.length) {
      kept.push(event);
      continue;
    }
    dropped += event.identifiers.length - identifiers.length;
    if (identifiers.length === 0) {
      rejected.push({ eventId: event.eventId, source: event.source, reason: 'suppressed' });
      continue;
    }
    const raw = JSON.parse(event.payload) as IdentityEvent;
    const { attributes: _dropped, ...rest } = event;
    kept.push({
      ...rest,
      identifiers,
      payload: JSON.stringify(scrubEvent(raw, registry, suppressed)),
    });
  }
  return { kept, rejected, dropped };
}

/** Thrown out of a batch's transaction when identifiers it locked are on the suppression list. */
export class SuppressedIdentifiers extends Error {
  constructor(readonly keys: readonly string[]) {
    super('identifiers of the batch are suppressed');
    this.name = 'SuppressedIdentifiers';
  }
}

/**
 * One batch's suppressions across the attempts of its transaction: each attempt runs without the
 * identifiers earlier attempts found suppressed under lock ({@link SuppressedIdentifiers}).
 */
export class BatchSuppression {
  /** Keys found suppressed so far. */
  readonly keys = new Set<string>();
  /** The last attempt's events, and what it dropped. */
  dropped: { kept: PreparedEvent[]; rejected: Rejection[]; dropped: number };
  /** The batch's hasher, memoised; undefined without a suppression list. */
  readonly hash: KeyHasher | undefined;

  constructor(
    private readonly prepared: readonly PreparedEvent[],
    private readonly registry: Pick<IdentifierRegistry, 'normalize'>,
    hash: KeyHasher | undefined,
  ) {
    this.dropped = { kept: [...prepared], rejected: [], dropped: 0 };
    this.hash = hash && memoHasher(hash);
  }

  /** The events an attempt applies. */
  attempt(): PreparedEvent[] {
    if (this.keys.size > 0) this.dropped = dropSuppressed(this.prepared, this.registry, this.keys);
    return this.dropped.kept;
  }

  /** Runs an attempt; suppressions it finds make it stale, so the next runs without them. */
  async guard<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (!(error instanceof SuppressedIdentifiers)) throw error;
      for (const key of error.keys) this.keys.add(key);
      throw new StaleResolutionError();
    }
  }
}
