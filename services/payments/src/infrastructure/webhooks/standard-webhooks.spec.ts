import { createHmac } from 'node:crypto';
import { isWebhookSecret, signWebhook, verifyWebhook } from './standard-webhooks';

const SECRET = `whsec_${Buffer.from('a-secret-of-at-least-16-bytes').toString('base64')}`;
const OTHER = `whsec_${Buffer.from('another-secret-of-16-bytes+').toString('base64')}`;
const NOW = new Date('2026-11-23T09:00:00Z');
const BODY = Buffer.from('{"type":"payment.captured","data":{"providerReference":"sim_pay_1"}}');

describe('Standard Webhooks verification', () => {
  it('accepts a valid signature', () => {
    const headers = signWebhook(SECRET, 'msg_1', BODY, NOW);
    expect(verifyWebhook(SECRET, headers, BODY, NOW)).toEqual({
      ok: true,
      webhookId: 'msg_1',
      timestamp: NOW.getTime() / 1000,
    });
  });

  it('matches the specification: HMAC-SHA256 of id.timestamp.body with the decoded secret', () => {
    const headers = signWebhook(SECRET, 'msg_1', BODY, NOW);
    const key = Buffer.from(SECRET.slice('whsec_'.length), 'base64');
    const expected = createHmac('sha256', key)
      .update(`msg_1.${NOW.getTime() / 1000}.${BODY.toString()}`)
      .digest('base64');
    expect(headers['webhook-signature']).toBe(`v1,${expected}`);
  });

  it('refuses a forged body', () => {
    const headers = signWebhook(SECRET, 'msg_1', BODY, NOW);
    const forged = Buffer.from(BODY.toString().replace('sim_pay_1', 'sim_pay_2'));
    expect(verifyWebhook(SECRET, headers, forged, NOW)).toEqual({
      ok: false,
      reason: 'no-valid-signature',
    });
  });

  it('refuses a forged id (the id is signed too)', () => {
    const headers = { ...signWebhook(SECRET, 'msg_1', BODY, NOW), 'webhook-id': 'msg_2' };
    expect(verifyWebhook(SECRET, headers, BODY, NOW)).toMatchObject({ ok: false });
  });

  it('refuses a signature made with another secret', () => {
    const headers = signWebhook(OTHER, 'msg_1', BODY, NOW);
    expect(verifyWebhook(SECRET, headers, BODY, NOW)).toEqual({
      ok: false,
      reason: 'no-valid-signature',
    });
  });

  it('refuses a stale delivery (older than five minutes) and accepts one just inside', () => {
    const sixMinutesAgo = new Date(NOW.getTime() - 6 * 60_000);
    expect(verifyWebhook(SECRET, signWebhook(SECRET, 'm', BODY, sixMinutesAgo), BODY, NOW)).toEqual(
      { ok: false, reason: 'stale' },
    );
    const fourMinutesAgo = new Date(NOW.getTime() - 4 * 60_000);
    expect(
      verifyWebhook(SECRET, signWebhook(SECRET, 'm', BODY, fourMinutesAgo), BODY, NOW).ok,
    ).toBe(true);
  });

  it('refuses a delivery from the future (beyond the tolerance)', () => {
    const later = new Date(NOW.getTime() + 6 * 60_000);
    expect(verifyWebhook(SECRET, signWebhook(SECRET, 'm', BODY, later), BODY, NOW)).toEqual({
      ok: false,
      reason: 'future',
    });
  });

  it('refuses an unsigned delivery', () => {
    expect(verifyWebhook(SECRET, {}, BODY, NOW)).toEqual({ ok: false, reason: 'missing-headers' });
    const signed = signWebhook(SECRET, 'm', BODY, NOW);
    const unsigned = {
      'webhook-id': signed['webhook-id'],
      'webhook-timestamp': signed['webhook-timestamp'],
    };
    expect(verifyWebhook(SECRET, unsigned, BODY, NOW)).toEqual({
      ok: false,
      reason: 'missing-headers',
    });
  });

  it('refuses a malformed timestamp', () => {
    const headers = { ...signWebhook(SECRET, 'm', BODY, NOW), 'webhook-timestamp': '1e9' };
    expect(verifyWebhook(SECRET, headers, BODY, NOW)).toEqual({
      ok: false,
      reason: 'invalid-timestamp',
    });
  });

  it('accepts any one valid v1 among several space-separated signatures', () => {
    const good = signWebhook(SECRET, 'm', BODY, NOW)['webhook-signature'];
    const old = signWebhook(OTHER, 'm', BODY, NOW)['webhook-signature'];
    const headers = {
      ...signWebhook(SECRET, 'm', BODY, NOW),
      'webhook-signature': `${old} v1a,c29tZXRoaW5n ${good}`,
    };
    expect(verifyWebhook(SECRET, headers, BODY, NOW).ok).toBe(true);
    const onlyWrong = { ...headers, 'webhook-signature': `${old} v2,${good.slice(3)}` };
    expect(verifyWebhook(SECRET, onlyWrong, BODY, NOW).ok).toBe(false);
  });

  it('refuses a truncated signature without throwing', () => {
    const headers = signWebhook(SECRET, 'm', BODY, NOW);
    const truncated = {
      ...headers,
      'webhook-signature': headers['webhook-signature'].slice(0, 20),
    };
    expect(verifyWebhook(SECRET, truncated, BODY, NOW).ok).toBe(false);
  });

  it('knows the secret format', () => {
    expect(isWebhookSecret(SECRET)).toBe(true);
    expect(isWebhookSecret('a-secret-of-at-least-16-bytes')).toBe(false);
    expect(isWebhookSecret('whsec_c2hvcnQ=')).toBe(false);
  });
});
