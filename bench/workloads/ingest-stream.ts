import type { Config } from '../../src/config.js';
import { prepareEvents } from '../../src/resolver/prepare-events.js';
import { identifierRegistry } from '../../src/resolver/resolver-config.js';
import { generateStream, prng, shuffle } from '../../test/support/identity-generator.js';

/**
 * The ingest benchmark's workload: the seeded test generator's event stream (2-4 identifiers per
 * event, ground truth known) cut into requests, prepared before anything is timed.
 */
export interface IngestWorkload {
  events: number;
  /** Request bodies, serialised up front: the client's JSON work is not the service's. */
  bodies: string[];
  batches: ReturnType<typeof generateStream>['events'][];
  /** graph-totals after a run: each event once, each identifier once, one mention per carried identifier, one unit of evidence per pair. */
  expected: { events: number; identifiers: number; mentions: number; evidence: number };
}

export function ingestWorkload(
  size: number,
  streamSeed: number,
  options: { batchSize: number; order: 'stream' | 'shuffled'; consent?: boolean },
): IngestWorkload {
  const stream = generateStream({ events: size, seed: streamSeed });
  // With consent, an identifier seen in several events sees marketing granted and refused in turn:
  // states replaced and history appended, as well as first states.
  if (options.consent)
    stream.events.forEach((e, n) => {
      e.consent = { purposes: { identity_linking: true, analytics: true, marketing: n % 3 !== 0 } };
    });
  // Shuffled, a person's events spread over many batches, each seen first with a different
  // identifier: most joins become merges of existing persons (locks, absorbs, audit records).
  const ordered =
    options.order === 'shuffled' ? shuffle(stream.events, prng(streamSeed + 1000)) : stream.events;
  const batches = [];
  for (let i = 0; i < ordered.length; i += options.batchSize)
    batches.push(ordered.slice(i, i + options.batchSize));
  return {
    events: stream.events.length,
    bodies: batches.map((b) => JSON.stringify({ events: b })),
    batches,
    expected: {
      events: stream.events.length,
      identifiers: stream.truth.size,
      mentions: stream.events.reduce((n, e) => n + e.identifiers.length, 0),
      evidence: stream.events.reduce(
        (n, e) => n + (e.identifiers.length * (e.identifiers.length - 1)) / 2,
        0,
      ),
    },
  };
}

/** Per batch: its distinct identifiers (sorted, normalised exactly as ingestion does) and distinct pairs. */
export function ceilingRows(config: Config, load: IngestWorkload) {
  const registry = identifierRegistry(config);
  return load.batches.map((batch) => {
    const { prepared } = prepareEvents(batch, registry);
    const identifiers = new Map<string, { key: string; type: string; value: string }>();
    const pairs = new Map<string, { fromKey: string; toKey: string }>();
    for (const event of prepared) {
      const ids = event.identifiers; // sorted by key
      for (const id of ids)
        identifiers.set(id.key, { key: id.key, type: id.type, value: id.value });
      for (let i = 0; i < ids.length; i++) {
        for (let j = i + 1; j < ids.length; j++)
          pairs.set(`${ids[i]!.key}\u0000${ids[j]!.key}`, {
            fromKey: ids[i]!.key,
            toKey: ids[j]!.key,
          });
      }
    }
    const byKey = <T>(m: Map<string, T>) =>
      [...m.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, v]) => v);
    return { identifiers: byKey(identifiers), pairs: byKey(pairs) };
  });
}

export type CeilingRows = ReturnType<typeof ceilingRows>;
