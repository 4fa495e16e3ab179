import { type BenchLink, personLinks, resolvePersons } from '../services/service-api.js';
import { type EventWorkload, IDENTIFIER_TYPE, recordIdOf } from '../workloads/event-workload.js';
import type { AccuracySettings } from './accuracy-settings.js';
import type { Service } from './accuracy-service.js';

/** What the service answers after an ingest: every record's person, and the links between them. */
export interface ServiceReadout {
  /** Every record resolved to its person (POST /v1/resolve, 1000 per call): the service's answer. */
  resolveSeconds: number;
  /** Resolve plus the per-person link readout the evaluation needs. */
  lookupSeconds: number;
  personOf: Map<string, string>;
  persons: number;
  /** GET /v1/persons/{id}/links calls (persons of two or more records). */
  linkRequests: number;
  links: BenchLink[];
  /** Record id pairs of probabilistic links at or above the threshold. */
  linkPairs: [string, string][];
  linksByMethod: Record<string, number>;
  modelVersions: string[];
}

/** Every record's person (POST /v1/resolve), then the links of every person with two or more records. */
export async function readService(
  settings: Pick<AccuracySettings, 'threshold' | 'lookupConcurrency'>,
  service: Service,
  workload: EventWorkload,
): Promise<ServiceReadout> {
  const { threshold } = settings;
  const started = performance.now();
  const ids = workload.events.map((e) => e.identifiers[0]!.value);
  const personIds = await resolvePersons(
    service.apiUrl,
    ids.map((value) => ({ type: IDENTIFIER_TYPE, value })),
  );
  const resolveSeconds = (performance.now() - started) / 1000;
  const personOf = new Map<string, string>();
  const sizes = new Map<string, number>();
  personIds.forEach((personId, i) => {
    if (personId === null)
      throw new Error(`${workload.name}: record ${i} does not resolve to a person after ingest`);
    personOf.set(recordIdOf(workload.name, ids[i]!), personId);
    sizes.set(personId, (sizes.get(personId) ?? 0) + 1);
  });
  const multi = [...sizes].filter(([, n]) => n > 1).map(([id]) => id);
  const links = await personLinks(service.apiUrl, multi, settings.lookupConcurrency);
  const lookupSeconds = (performance.now() - started) / 1000;
  const linksByMethod: Record<string, number> = {};
  const modelVersions = new Set<string>();
  const linkPairs: [string, string][] = [];
  for (const link of links) {
    const key = `${link.method}/${link.status}`;
    linksByMethod[key] = (linksByMethod[key] ?? 0) + 1;
    if (link.modelVersion) modelVersions.add(link.modelVersion);
    if (link.method !== 'probabilistic' || link.status !== 'active' || link.confidence < threshold)
      continue;
    if (link.from.type !== IDENTIFIER_TYPE || link.to.type !== IDENTIFIER_TYPE)
      throw new Error(
        `${workload.name}: a probabilistic link between ${link.from.type} and ${link.to.type}`,
      );
    linkPairs.push([
      recordIdOf(workload.name, link.from.value),
      recordIdOf(workload.name, link.to.value),
    ]);
  }
  return {
    resolveSeconds,
    lookupSeconds,
    personOf,
    persons: sizes.size,
    linkRequests: multi.length,
    links,
    linkPairs,
    linksByMethod,
    modelVersions: [...modelVersions],
  };
}

/** How the service's link pairs compare with the offline reference's. */
export function pairOverlap(
  service: readonly [string, string][],
  offline: readonly [string, string][],
) {
  const key = ([a, b]: readonly [string, string]) => (a < b ? `${a}\u0000${b}` : `${b}\u0000${a}`);
  const s = new Set(service.map(key));
  const o = new Set(offline.map(key));
  let both = 0;
  for (const k of s) if (o.has(k)) both += 1;
  return { both, serviceOnly: s.size - both, offlineOnly: o.size - both };
}
