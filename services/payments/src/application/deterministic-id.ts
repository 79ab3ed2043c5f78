import { createHash } from 'node:crypto';

/**
 * A UUID-shaped id derived from `parts`: the same inputs give the same id. Used where a retry
 * must reproduce the id of the first attempt (a refund a redelivered event asks for), so the
 * provider's idempotency per refund reference holds across retries.
 */
export function deterministicUuid(...parts: readonly string[]): string {
  const hex = createHash('sha256').update(parts.join('\u0000')).digest('hex');
  const variant = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
