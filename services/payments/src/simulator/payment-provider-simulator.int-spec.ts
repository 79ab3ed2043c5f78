import { waitFor } from '@fulfil/testing';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifyWebhook } from '../infrastructure/webhooks/standard-webhooks';
import { PaymentProviderSimulator } from './payment-provider-simulator';

// The simulator over real HTTP, with a real HTTP receiver for its webhooks (no database needed).
const SECRET = `whsec_${Buffer.from('simulator-spec-secret-bytes!').toString('base64')}`;
const API_KEY = 'sk_sim_spec_key';

interface Received {
  headers: IncomingMessage['headers'];
  body: Buffer;
}

let receiver: Server;
let receiverUrl: string;
const received: Received[] = [];
let failuresBeforeSuccess = 0;

beforeAll(async () => {
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks) });
      const fail = failuresBeforeSuccess > 0;
      if (fail) failuresBeforeSuccess -= 1;
      res.writeHead(fail ? 503 : 204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/webhooks`;
});

afterAll(async () => {
  receiver.closeAllConnections();
  await new Promise((resolve) => receiver.close(resolve));
});

beforeEach(() => {
  received.length = 0;
  failuresBeforeSuccess = 0;
});

async function withSimulator(
  options: Partial<ConstructorParameters<typeof PaymentProviderSimulator>[0]>,
  run: (sim: PaymentProviderSimulator, api: ReturnType<typeof client>) => Promise<void>,
) {
  const sim = new PaymentProviderSimulator({
    port: 0,
    apiKey: API_KEY,
    webhookSecretFor: () => SECRET,
    webhookRetryDelaysMs: [50, 100, 200],
    ...options,
  });
  const url = await sim.start();
  try {
    await run(sim, client(url));
  } finally {
    await sim.stop();
  }
}

function client(url: string) {
  const call = async (method: string, path: string, body?: unknown, key = API_KEY) => {
    const response = await fetch(`${url}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json()) as Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
  };
  return {
    call,
    create: (merchantReference: string, captureMode: 'automatic' | 'manual' = 'automatic') =>
      call('POST', '/v1/payments', {
        merchantReference,
        amount: { value: 10_000, currency: 'CNY' },
        method: captureMode === 'automatic' ? 'wechat-pay' : 'bank-card',
        captureMode,
        notifyUrl: receiverUrl,
      }),
  };
}

describe('payment provider simulator', () => {
  it('creates idempotently per merchant reference and refuses a wrong API key', async () => {
    await withSimulator({}, async (_sim, api) => {
      const first = await api.create('order-pay-1');
      const again = await api.create('order-pay-1');
      expect(first.status).toBe(201);
      expect(again.status).toBe(200);
      expect(again.body.providerReference).toBe(first.body.providerReference);
      expect(first.body.qrPayload).toMatch(/^weixin:\/\/wxpay/);
      const denied = await api.call(
        'GET',
        `/v1/payments/${first.body.providerReference}`,
        undefined,
        'sk_wrong_key',
      );
      expect(denied).toEqual({
        status: 401,
        body: { error: expect.objectContaining({ code: 'unauthorised' }) },
      });
    });
  });

  it('sends a signed webhook after the customer pays, retrying with the same id until a 2xx', async () => {
    failuresBeforeSuccess = 2;
    await withSimulator({}, async (sim, api) => {
      const { body: payment } = await api.create('order-pay-2');
      const paid = await api.call('POST', `/simulator/pay/${payment.providerReference}`, {
        outcome: 'succeeded',
      });
      expect(paid.body.status).toBe('captured');
      await waitFor(() => received.length === 3, 'three attempts');
      expect(new Set(received.map((r) => r.headers['webhook-id'])).size).toBe(1);
      for (const attempt of received) {
        expect(
          verifyWebhook(SECRET, attempt.headers as Record<string, string>, attempt.body).ok,
        ).toBe(true);
      }
      expect(JSON.parse(received[0]!.body.toString())).toMatchObject({
        type: 'payment.captured',
        data: {
          merchantReference: 'order-pay-2',
          capturedAmount: { value: 10_000, currency: 'CNY' },
        },
      });
      // The simulator records a delivery once its answer is back, just after we received it.
      await waitFor(() => sim.deliveries.length === 3, 'the third delivery recorded');
      expect(sim.deliveries.map((d) => d.status)).toEqual([503, 503, 204]);
    });
  });

  it('captures a manual authorisation, refuses an over-refund and keeps refunds idempotent', async () => {
    await withSimulator({}, async (_sim, api) => {
      const { body: payment } = await api.create('order-pay-3', 'manual');
      const ref = payment.providerReference as string;
      expect((await api.call('POST', `/v1/payments/${ref}/capture`)).status).toBe(409);
      await api.call('POST', `/simulator/pay/${ref}`, { outcome: 'succeeded' });
      expect((await api.call('GET', `/v1/payments/${ref}`)).body.status).toBe('authorised');
      expect((await api.call('POST', `/v1/payments/${ref}/capture`)).body.status).toBe('captured');
      const refund = { merchantRefundReference: 'r-1', amount: { value: 6_000, currency: 'CNY' } };
      const first = await api.call('POST', `/v1/payments/${ref}/refunds`, refund);
      const repeat = await api.call('POST', `/v1/payments/${ref}/refunds`, refund);
      expect(first.status).toBe(201);
      expect(repeat.body.refundId).toBe(first.body.refundId);
      const over = await api.call('POST', `/v1/payments/${ref}/refunds`, {
        ...refund,
        merchantRefundReference: 'r-2',
      });
      expect(over).toEqual({
        status: 422,
        body: { error: expect.objectContaining({ code: 'refund_exceeds_captured' }) },
      });
      expect((await api.call('GET', `/v1/payments/${ref}`)).body.refundedAmount).toEqual({
        value: 6_000,
        currency: 'CNY',
      });
      expect((await api.call('POST', `/v1/payments/${ref}/cancel`)).body.error.code).toBe(
        'payment_already_completed',
      );
    });
  });

  it('pays automatically when auto-pay is on', async () => {
    await withSimulator({ autoPay: 'declined', autoPayDelayMs: 10 }, async (_sim, api) => {
      await api.create('order-pay-4');
      await waitFor(() => received.length === 1, 'the auto-pay webhook');
      expect(JSON.parse(received[0]!.body.toString())).toMatchObject({
        type: 'payment.failed',
        data: { status: 'failed', failureCode: 'declined' },
      });
    });
  });
});
