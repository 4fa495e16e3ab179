import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { ChangeItem } from '../../src/changes/change-contract.js';
import { verifyWebhookSignature } from '../../src/changes/webhook-signature.js';
import { feedWhen } from './feed-reader.js';
import { privacyRequestAcceptedSchema } from '../../src/privacy/privacy-contract.js';
import { waitForRequest } from '../support/privacy.js';
import {
  ADMIN_KEY,
  clearGraph,
  event,
  http,
  ingest,
  startService,
  type TestService,
} from './harness.js';

/**
 * Webhooks against real HTTP servers on loopback: an endpoint that is down (refusing connections),
 * then failing (503), then up receives every feed entry, each signed and with its delivery id; an
 * endpoint that never accepts has its deliveries dead-lettered with the status, not the answer.
 */

const CRM_SECRET = 'crm-webhook-secret-0123456789';
const BROKEN_SECRET = 'broken-webhook-secret-0123456789';
/** The broken receiver's answer body: it must not reach the dead letters. */
const ANSWER_MARKER = 'receiver-answer-body-marker';
const ATTEMPTS = 11;

interface Received {
  status: number;
  delivery: string | undefined;
  signature: string | undefined;
  body: string;
}

/** A webhook receiver answering `status()` to every POST and remembering each request. */
function receiver(status: () => number) {
  const received: Received[] = [];
  let server: Server | undefined;
  const start = (port: number) =>
    new Promise<number>((resolve, reject) => {
      const s = createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (chunk: Buffer) => chunks.push(chunk));
        req.on('end', () => {
          const answer = status();
          const header = (name: string) => {
            const value = req.headers[name];
            return typeof value === 'string' ? value : undefined;
          };
          received.push({
            status: answer,
            delivery: header('idgraph-delivery'),
            signature: header('idgraph-signature'),
            body: Buffer.concat(chunks).toString('utf8'),
          });
          res.writeHead(answer, { 'content-type': 'text/plain' }).end(ANSWER_MARKER);
        });
      });
      s.once('error', reject);
      s.listen(port, '127.0.0.1', () => {
        server = s;
        resolve((s.address() as AddressInfo).port);
      });
    });
  const stop = () =>
    new Promise<void>((resolve) => {
      if (!server) return resolve();
      server.closeAllConnections();
      server.close(() => resolve());
      server = undefined;
    });
  return { received, start, stop };
}

const receivers: ReturnType<typeof receiver>[] = [];
const services: TestService[] = [];
afterEach(async () => {
  await Promise.all(services.splice(0).map((s) => s.close()));
  await Promise.all(receivers.splice(0).map((r) => r.stop()));
});

async function until(what: string, done: () => boolean | Promise<boolean>, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The `idgraph_webhook_deliveries_total` samples of /metrics, by `endpoint/outcome`. */
async function deliveryCounts(baseUrl: string): Promise<Map<string, number>> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  const counts = new Map<string, number>();
  for (const m of text.matchAll(
    /^idgraph_webhook_deliveries_total\{endpoint="([^"]+)",outcome="([^"]+)"\} (\d+)/gm,
  ))
    counts.set(`${m[1]}/${m[2]}`, Number(m[3]));
  return counts;
}

const email = (value: string) => ({ type: 'email', value });
const byCursor = (a: { cursor: string }, b: { cursor: string }) =>
  a.cursor < b.cursor ? -1 : a.cursor > b.cursor ? 1 : 0;

describe('webhooks', () => {
  it('deliver every entry, signed, to an endpoint that is down for a while, and dead-letter what an endpoint never accepts', async () => {
    let crmStatus = 503;
    const crm = receiver(() => crmStatus);
    const broken = receiver(() => 500);
    receivers.push(crm, broken);
    // The crm endpoint is down: its port is free and nothing listens on it.
    const crmPort = await crm.start(0);
    await crm.stop();
    const brokenPort = await broken.start(0);

    // No other relay may number this test's changes: the graph is cleared before the service starts.
    const cleaner = await startService({}, 'api');
    await clearGraph(cleaner.graph);
    await cleaner.close();
    const service = await startService({
      QUEUE_PREFIX: `test-${randomUUID()}`,
      CHANGE_FEED_RELAY_INTERVAL_MS: '50',
      WEBHOOK_ATTEMPTS: String(ATTEMPTS),
      WEBHOOK_BACKOFF_MS: '25',
      WEBHOOKS: JSON.stringify([
        { name: 'crm', url: `http://127.0.0.1:${crmPort}/idgraph`, secret: CRM_SECRET },
        {
          name: 'broken',
          url: `http://127.0.0.1:${brokenPort}/hook`,
          secret: BROKEN_SECRET,
          types: ['person.merged'],
        },
      ]),
    });
    services.push(service);

    // Six persons, then three merges and a seventh person: ten entries.
    const people = ['a1', 'a2', 'a3', 'a4', 'a5', 'a6'].map((n) => email(`${n}@hook.example`));
    for (const batch of [
      people.map((id) => event([id])),
      [event([people[0]!, people[1]!]), event([people[2]!, people[3]!])],
      [event([people[4]!, people[5]!]), event([email('a7@hook.example')])],
    ])
      expect((await ingest(service, batch)).state).toBe('completed');
    const items = await feedWhen(service.baseUrl, (all) => all.length === 10);
    const merged = items.filter((i) => i.type === 'person.merged');
    expect(merged).toHaveLength(3);

    // Down: deliveries to crm fail on the refused connection and are retried.
    await until(
      'a crm delivery retried',
      async () => ((await deliveryCounts(service.baseUrl)).get('crm/retried') ?? 0) > 0,
    );
    await new Promise((r) => setTimeout(r, 1000));
    expect(crm.received).toHaveLength(0);
    // Then up but failing (503), then accepting.
    await crm.start(crmPort);
    await until('a crm delivery answered 503', () => crm.received.length > 0);
    crmStatus = 204;

    const accepted = () =>
      new Set(crm.received.filter((r) => r.status === 204).map((r) => r.delivery));
    await until('every entry delivered to crm', () => accepted().size === items.length);
    const failedForGood = () => service.runtime.webhooks!.failed();
    await until(
      'the broken endpoint dead-lettered',
      async () => (await failedForGood()).length === merged.length,
    );

    // Every entry arrived, as the feed gives it, with its delivery id, signed under crm's secret.
    const delivered = new Map<string, ChangeItem>();
    for (const r of crm.received.filter((x) => x.status === 204)) {
      expect(verifyWebhookSignature(CRM_SECRET, r.signature, r.body, 300)).toBe(true);
      expect(verifyWebhookSignature(BROKEN_SECRET, r.signature, r.body, 300)).toBe(false);
      expect(verifyWebhookSignature(CRM_SECRET, r.signature, r.body.replace('a', 'b'), 300)).toBe(
        false,
      );
      const { deliveryId, ...item } = JSON.parse(r.body) as ChangeItem & { deliveryId: string };
      expect(deliveryId).toBe(r.delivery);
      // At least once: a repeat carries the same delivery id and the same entry.
      if (delivered.has(deliveryId)) expect(item).toEqual(delivered.get(deliveryId));
      delivered.set(deliveryId, item);
    }
    expect([...delivered.values()].sort(byCursor)).toEqual([...items].sort(byCursor));
    // The refused and the 503 attempts were retried: those deliveries arrived too.
    const refusedThen503 = new Set(
      crm.received.filter((r) => r.status === 503).map((r) => r.delivery),
    );
    expect(refusedThen503.size).toBeGreaterThan(0);
    for (const id of refusedThen503) expect(delivered.has(id!)).toBe(true);
    expect(crm.received.map((r) => r.body).join('\n')).not.toMatch(/hook\.example|a\d@/);

    // The broken endpoint got only the types it asked for; each was attempted ATTEMPTS times and
    // dead-lettered with the status, never the receiver's answer.
    const brokenTypes = broken.received.map((r) => (JSON.parse(r.body) as ChangeItem).type);
    expect(new Set(brokenTypes)).toEqual(new Set(['person.merged']));
    const dead = await failedForGood();
    expect(dead.map((d) => d.endpoint)).toEqual(merged.map(() => 'broken'));
    for (const d of dead) expect(d).toMatchObject({ reason: 'HTTP 500', attempts: ATTEMPTS });
    expect(new Set(dead.map((d) => d.deliveryId))).toEqual(
      new Set(broken.received.map((r) => r.delivery)),
    );
    expect(broken.received.length).toBeGreaterThanOrEqual(merged.length * ATTEMPTS);
    expect(JSON.stringify(dead)).not.toContain(ANSWER_MARKER);
    const counts = await deliveryCounts(service.baseUrl);
    expect(counts.get('broken/failed')).toBe(merged.length);
    expect(counts.get('crm/delivered')).toBeGreaterThanOrEqual(items.length);
    expect(counts.get('crm/failed')).toBeUndefined();
  });

  it("count a privacy request's delivered changes in its report", async () => {
    const desk = receiver(() => 204);
    receivers.push(desk);
    const port = await desk.start(0);
    const cleaner = await startService({}, 'api');
    await clearGraph(cleaner.graph);
    await cleaner.close();
    const service = await startService({
      QUEUE_PREFIX: `test-${randomUUID()}`,
      CHANGE_FEED_RELAY_INTERVAL_MS: '50',
      WEBHOOKS: JSON.stringify([
        { name: 'desk', url: `http://127.0.0.1:${port}/hook`, secret: CRM_SECRET },
      ]),
    });
    services.push(service);

    // One person of three identifiers, two of them linked to the third only.
    const [a, b, c] = ['p1', 'p2', 'p3'].map((n) => email(`${n}@hook.example`));
    expect((await ingest(service, [event([a!, b!]), event([b!, c!])])).state).toBe('completed');
    await until('the ingest entries delivered', () => desk.received.length >= 1);
    const before = new Set(desk.received.map((r) => r.delivery));

    // Revoking b's consent to linking withdraws both links: the person splits into three.
    const answer = await http(service.baseUrl, 'POST', '/v1/privacy/requests', {
      type: 'revoke',
      subject: { identifiers: [b] },
      purposes: ['identity_linking'],
      reason: 'ticket PRIV-9',
    });
    expect(answer.status, JSON.stringify(answer.body)).toBe(202);
    const { id } = privacyRequestAcceptedSchema.parse(answer.body);
    expect((await waitForRequest(service.baseUrl, id, ADMIN_KEY)).status).toBe('completed');

    // Its entries: consent.changed, person.split and an identifier.moved per new part.
    const ofRequest = () =>
      new Set(desk.received.map((r) => r.delivery).filter((d) => !before.has(d)));
    await until("the request's entries delivered", () => ofRequest().size === 4);
    const types = desk.received
      .filter((r) => !before.has(r.delivery))
      .map((r) => (JSON.parse(r.body) as ChangeItem).type);
    expect(new Set(types)).toEqual(
      new Set(['consent.changed', 'person.split', 'identifier.moved']),
    );
    let report: { webhooksDelivered?: number } | undefined;
    await until('the report counts them', async () => {
      report = (await waitForRequest(service.baseUrl, id, ADMIN_KEY)).report;
      return report?.webhooksDelivered === 4;
    });
    // The ingest batch's deliveries are not the request's.
    expect(report!.webhooksDelivered).toBe(ofRequest().size);
  });
});
