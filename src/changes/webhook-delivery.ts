import { z } from 'zod';
import { type ChangeEntry, toItem } from './change-contract.js';
import { encodeCursor, positionAfter } from './feed-cursor.js';
import { DELIVERY_HEADER, SIGNATURE_HEADER, signWebhook } from './webhook-signature.js';

/**
 * Webhook deliveries: one signed POST per feed entry and endpoint (`WEBHOOKS`), through the
 * `webhooks` queue (src/jobs/webhook-queue.ts), at least once. The delivery id names the endpoint,
 * the batch and the entry, so it is the same for every attempt and every re-enqueue: receivers
 * de-duplicate by it. A delivery's reason for failing is the HTTP status or the class of network
 * error, never the receiver's answer.
 */

export interface WebhookEndpoint {
  name: string;
  url: string;
  /** HMAC key of the signatures; never logged, never in a job. */
  secret: string;
  /** Entry types the endpoint receives; all when absent. */
  types?: readonly string[] | undefined;
}

/** A delivery job's payload: the endpoint's name (its URL and secret stay in the config) and the body. */
export const webhookJobSchema = z.object({
  endpoint: z.string().min(1),
  deliveryId: z.string().min(1),
  body: z.string().min(2),
  /** The privacy request whose change this is: its report counts the delivery. */
  requestId: z.string().min(1).optional(),
});

export type WebhookDelivery = z.infer<typeof webhookJobSchema>;

/** The deliveries of a relayed batch: for each endpoint, each entry of a type it takes. */
export function deliveriesOf(
  batch: { id: string; seq: number; entries: readonly ChangeEntry[]; requestId?: string },
  endpoints: readonly WebhookEndpoint[],
): WebhookDelivery[] {
  const deliveries: WebhookDelivery[] = [];
  const count = batch.entries.length;
  for (const endpoint of endpoints)
    batch.entries.forEach((entry, index) => {
      if (endpoint.types && !endpoint.types.includes(entry.type)) return;
      // No ':' in it: BullMQ reserves that character in job ids.
      const deliveryId = `${endpoint.name}.${batch.id}.${index}`;
      const { cursor, ...item } = toItem(
        entry,
        encodeCursor(positionAfter(batch.seq, index, count)),
      );
      deliveries.push({
        endpoint: endpoint.name,
        deliveryId,
        body: JSON.stringify({ deliveryId, cursor, ...item }),
        ...(batch.requestId ? { requestId: batch.requestId } : {}),
      });
    });
  return deliveries;
}

/** A delivery attempt that did not get a 2xx; `message` is the reason the failed set keeps. */
export class WebhookDeliveryError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'WebhookDeliveryError';
  }
}

/** Why a request got no answer: a timeout, or the network error's code (ECONNREFUSED, ...). */
function networkReason(error: unknown, timeoutMs: number): string {
  const name = (error as { name?: unknown } | null)?.name;
  if (name === 'TimeoutError' || name === 'AbortError') return `timeout after ${timeoutMs} ms`;
  const cause = (error as { cause?: { code?: unknown } } | null)?.cause;
  const code = typeof cause?.code === 'string' ? cause.code : undefined;
  return code && /^[A-Z0-9_]{1,40}$/.test(code) ? `network error ${code}` : 'network error';
}

/**
 * POSTs one delivery, signed at the time of the attempt, and throws {@link WebhookDeliveryError}
 * unless the endpoint answers 2xx within `timeoutMs`. Redirects are not followed (a signed body
 * goes only where it was configured to go); the answer's body is never read.
 */
export async function deliverWebhook(
  endpoint: WebhookEndpoint,
  delivery: WebhookDelivery,
  options: { timeoutMs: number; now?: () => number },
): Promise<void> {
  const t = Math.floor((options.now ?? Date.now)() / 1000);
  let response: Response;
  try {
    response = await fetch(endpoint.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'idgraph-webhooks',
        [DELIVERY_HEADER]: delivery.deliveryId,
        [SIGNATURE_HEADER]: signWebhook(endpoint.secret, delivery.body, t),
      },
      body: delivery.body,
      redirect: 'manual',
      signal: AbortSignal.timeout(options.timeoutMs),
    });
  } catch (error) {
    throw new WebhookDeliveryError(networkReason(error, options.timeoutMs));
  }
  await response.body?.cancel().catch(() => undefined);
  if (response.status < 200 || response.status > 299)
    throw new WebhookDeliveryError(`HTTP ${response.status}`);
}
