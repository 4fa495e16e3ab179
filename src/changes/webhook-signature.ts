import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Webhook signatures. Each delivery carries `idgraph-signature: t=<unix seconds>,v1=<hex>`, where
 * the hex is HMAC-SHA256 under the endpoint's secret of `<t>.<raw body>`: the timestamp is signed
 * with the body, so a receiver that rejects old timestamps cannot be fed a recorded delivery again
 * later. This module uses Node built-ins only, so a receiver written in TypeScript can import or
 * copy it; docs/api.md shows the same check in a few lines.
 */

export const SIGNATURE_HEADER = 'idgraph-signature';
export const DELIVERY_HEADER = 'idgraph-delivery';

function hmacHex(secret: string, timestamp: number, body: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${body}`, 'utf8').digest('hex');
}

/** The `idgraph-signature` header value for `body` sent at `timestampSeconds`. */
export function signWebhook(secret: string, body: string, timestampSeconds: number): string {
  return `t=${timestampSeconds},v1=${hmacHex(secret, timestampSeconds, body)}`;
}

/**
 * Whether `header` (the `idgraph-signature` value) is a valid signature of the raw `body` under
 * `secret`, made at most `toleranceSeconds` from now (either way: clocks differ a little). Verify
 * the body exactly as received, before parsing it. Several `v1=` values are accepted (one matching
 * is enough), so a sender can sign with an old and a new secret while receivers switch. Compares in
 * constant time.
 */
export function verifyWebhookSignature(
  secret: string,
  header: string | null | undefined,
  body: string,
  toleranceSeconds: number,
  nowSeconds: number = Math.floor(Date.now() / 1000),
): boolean {
  if (typeof header !== 'string') return false;
  let timestamp: number | undefined;
  const signatures: string[] = [];
  for (const part of header.split(',')) {
    const [key, value] = part.trim().split('=', 2);
    if (key === 't' && value !== undefined && /^\d{1,12}$/.test(value)) timestamp = Number(value);
    else if (key === 'v1' && value !== undefined && /^[0-9a-f]{64}$/.test(value))
      signatures.push(value);
  }
  if (timestamp === undefined || signatures.length === 0) return false;
  if (Math.abs(nowSeconds - timestamp) > toleranceSeconds) return false;
  const expected = Buffer.from(hmacHex(secret, timestamp, body), 'hex');
  let valid = false;
  for (const signature of signatures)
    if (timingSafeEqual(expected, Buffer.from(signature, 'hex'))) valid = true;
  return valid;
}
