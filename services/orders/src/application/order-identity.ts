import { createHash } from 'node:crypto';

// Name-based UUID (RFC 9562 version 5) namespace of order ids; fixed forever.
const ORDER_ID_NAMESPACE = Buffer.from('8f0f4e0c5f6b4c7e9a3d2b1c0d9e8f7a', 'hex');

/**
 * The order id of a placement with an Idempotency-Key: a UUID derived from (caller, key), so
 * that a retry after a crash between the append and the idempotency record lands on the same
 * stream (and is refused as already placed) instead of creating a second order.
 */
export function orderIdFor(caller: string, idempotencyKey: string): string {
  const hash = createHash('sha1')
    .update(ORDER_ID_NAMESPACE)
    .update(`${caller.length}:${caller}:${idempotencyKey}`, 'utf8')
    .digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

// Crockford's base32 without I, L, O, U: nothing a customer reading it aloud can confuse.
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/**
 * The human-readable order number, `ORD-<yyyymmdd>-<6 characters>` (e.g. `ORD-20261123-7K3Q9P`):
 * the UTC date of placement and 30 bits of a hash of the order id — the same id (and
 * `attempt`) always gives the same number. 30 bits per day collide often enough to matter (the
 * birthday bound: 10 000 orders in a day share a number with a chance of 5 %, 100 orders/s all
 * day make about 35 000 pairs), so `order_summaries.order_number` is unique and a placement
 * whose number is taken is placed again with the next `attempt`'s number.
 */
export function orderNumberFor(orderId: string, placedAt: string, attempt = 0): string {
  const date = placedAt.slice(0, 10).replaceAll('-', '');
  const hashed = attempt === 0 ? orderId : `${orderId}:${attempt}`;
  let bits = createHash('sha256').update(hashed, 'utf8').digest().readUInt32BE(0) >>> 2;
  let suffix = '';
  for (let i = 0; i < 6; i += 1) {
    suffix = ALPHABET[bits & 31]! + suffix;
    bits >>>= 5;
  }
  return `ORD-${date}-${suffix}`;
}
