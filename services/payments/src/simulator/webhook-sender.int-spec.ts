import { freePort } from '@fulfil/testing';
import { KEPT_DELIVERY_ATTEMPTS, WebhookSender } from './webhook-sender';
import type { SimWebhookEvent } from './simulator.protocol';

const event = (n: number): SimWebhookEvent =>
  ({
    type: 'payment.captured',
    createdAt: new Date(0).toISOString(),
    data: { providerReference: `sim_pay_${n}`, method: 'alipay' },
  }) as unknown as SimWebhookEvent;

it('keeps no more than the most recent delivery attempts', async () => {
  // Nothing listens there: every attempt fails at once, and none is retried.
  const closedPort = await freePort();
  const sender = new WebhookSender({
    secretFor: () => 'whsec_' + Buffer.from('simulated-secret-0123456789').toString('base64'),
    retryDelaysMs: [],
  });
  const sent = Array.from({ length: KEPT_DELIVERY_ATTEMPTS + 5 }, (_, n) =>
    sender.send(`http://127.0.0.1:${closedPort}/webhooks`, event(n)),
  );
  // Every attempt is due at once (0 ms): when a later timer fires, all have started, and stop()
  // waits for those still in flight.
  await new Promise((resolve) => setTimeout(resolve, 50));
  await sender.stop();

  expect(sender.attempts).toHaveLength(KEPT_DELIVERY_ATTEMPTS);
  expect(sender.attempts.every((attempt) => attempt.status === 'network-error')).toBe(true);
  const kept = new Set(sender.attempts.map((attempt) => attempt.webhookId));
  expect(kept.size).toBe(KEPT_DELIVERY_ATTEMPTS);
  expect(sent.filter((id) => kept.has(id))).toHaveLength(KEPT_DELIVERY_ATTEMPTS);
});
