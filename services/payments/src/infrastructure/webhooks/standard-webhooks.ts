import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The Standard Webhooks scheme (https://www.standardwebhooks.com): headers `webhook-id`,
 * `webhook-timestamp` (Unix seconds) and `webhook-signature` — one or more space-separated
 * `v1,<base64 HMAC-SHA256>` over `<id>.<timestamp>.<raw body>`, keyed by the bytes of the
 * secret `whsec_<base64>`. Used by the provider simulator to sign and by payments to verify.
 */

const SECRET_PREFIX = 'whsec_';
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** Default clock skew both ways: five minutes. */
export const WEBHOOK_TOLERANCE_SECONDS = 5 * 60;

export type WebhookHeaders = {
  readonly 'webhook-id': string;
  readonly 'webhook-timestamp': string;
  readonly 'webhook-signature': string;
};

export type WebhookVerification =
  | { readonly ok: true; readonly webhookId: string; readonly timestamp: number }
  | {
      readonly ok: false;
      readonly reason:
        'missing-headers' | 'invalid-timestamp' | 'stale' | 'future' | 'no-valid-signature';
    };

/** Whether `secret` has the `whsec_<base64>` form with at least 16 key bytes. */
export function isWebhookSecret(secret: string): boolean {
  if (!secret.startsWith(SECRET_PREFIX)) return false;
  const encoded = secret.slice(SECRET_PREFIX.length);
  return BASE64.test(encoded) && Buffer.from(encoded, 'base64').length >= 16;
}

function secretKey(secret: string): Buffer {
  if (!isWebhookSecret(secret)) throw new TypeError('webhook secret must be whsec_<base64>');
  return Buffer.from(secret.slice(SECRET_PREFIX.length), 'base64');
}

function signature(key: Buffer, id: string, timestamp: string, body: Buffer | string): Buffer {
  return createHmac('sha256', key).update(`${id}.${timestamp}.`).update(body).digest();
}

/** The three headers for a delivery of `body` with message id `id` at `at`. */
export function signWebhook(
  secret: string,
  id: string,
  body: Buffer | string,
  at: Date = new Date(),
): WebhookHeaders {
  const timestamp = String(Math.floor(at.getTime() / 1000));
  return {
    'webhook-id': id,
    'webhook-timestamp': timestamp,
    'webhook-signature': `v1,${signature(secretKey(secret), id, timestamp, body).toString('base64')}`,
  };
}

/**
 * Checks a delivery: the headers are present, the timestamp is within `toleranceSeconds` of
 * `now` (replays of old captures are refused), and at least one `v1` signature matches —
 * compared in constant time. Other versions in the header are ignored (key rotation).
 */
export function verifyWebhook(
  secret: string,
  headers: Readonly<Record<string, string | string[] | undefined>>,
  rawBody: Buffer,
  now: Date = new Date(),
  toleranceSeconds = WEBHOOK_TOLERANCE_SECONDS,
): WebhookVerification {
  const id = single(headers['webhook-id']);
  const timestampHeader = single(headers['webhook-timestamp']);
  const signatures = single(headers['webhook-signature']);
  if (!id || !timestampHeader || !signatures) return { ok: false, reason: 'missing-headers' };
  if (!/^\d{1,12}$/.test(timestampHeader)) return { ok: false, reason: 'invalid-timestamp' };
  const timestamp = Number(timestampHeader);
  const nowSeconds = Math.floor(now.getTime() / 1000);
  if (timestamp < nowSeconds - toleranceSeconds) return { ok: false, reason: 'stale' };
  if (timestamp > nowSeconds + toleranceSeconds) return { ok: false, reason: 'future' };
  const expected = signature(secretKey(secret), id, timestampHeader, rawBody);
  const matches = signatures
    .split(' ')
    .filter((entry) => entry.startsWith('v1,'))
    .map((entry) => Buffer.from(entry.slice(3), 'base64'))
    .some(
      (candidate) => candidate.length === expected.length && timingSafeEqual(candidate, expected),
    );
  return matches
    ? { ok: true, webhookId: id, timestamp }
    : { ok: false, reason: 'no-valid-signature' };
}

function single(value: string | string[] | undefined): string | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  return text === undefined || text.trim() === '' ? undefined : text.trim();
}
