// The signing side of Standard Webhooks (https://www.standardwebhooks.com), written from the
// scheme rather than imported from the payments service, so the end-to-end test checks the
// service against the published scheme and not against its own code.
import { createHmac, randomBytes } from 'node:crypto';

/** A fresh `whsec_<base64>` secret of 24 random bytes. */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(24).toString('base64')}`;
}

/** `webhook-id`, `webhook-timestamp` and a `v1,<base64 HMAC-SHA256>` signature of `body`. */
export function signWebhook(
  secret: string,
  id: string,
  body: string,
  at: Date = new Date(),
): Record<'webhook-id' | 'webhook-timestamp' | 'webhook-signature', string> {
  const timestamp = String(Math.floor(at.getTime() / 1000));
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const mac = createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64');
  return {
    'webhook-id': id,
    'webhook-timestamp': timestamp,
    'webhook-signature': `v1,${mac}`,
  };
}
