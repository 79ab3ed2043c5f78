import { SimRefusal, SimulatedLedger } from './simulated-ledger';
import type { SimCreatePaymentRequest } from './simulator.protocol';

const request = (merchantReference: string): SimCreatePaymentRequest => ({
  merchantReference,
  amount: { value: 12_900, currency: 'CNY' },
  method: 'alipay',
  captureMode: 'automatic',
  notifyUrl: 'http://127.0.0.1:1/webhooks',
});

const refusalOf = (act: () => unknown): SimRefusal | undefined => {
  try {
    act();
  } catch (error) {
    if (error instanceof SimRefusal) return error;
    throw error;
  }
  return undefined;
};

describe('SimulatedLedger', () => {
  it('keeps the most recent payments only, forgetting the oldest with its merchant reference', () => {
    const ledger = new SimulatedLedger(() => 'http://127.0.0.1:3103', 2);
    const first = ledger.create(request('order-1')).payment;
    const second = ledger.create(request('order-2')).payment;
    const third = ledger.create(request('order-3')).payment;

    expect(ledger.size).toBe(2);
    expect(refusalOf(() => ledger.get(first.providerReference))).toMatchObject({
      status: 404,
      code: 'not_found',
    });
    expect(ledger.get(second.providerReference).merchantReference).toBe('order-2');
    expect(ledger.pay(third.providerReference, 'succeeded').payment.status).toBe('captured');

    // Forgotten, the old merchant reference makes a new payment; a kept one is still idempotent.
    const again = ledger.create(request('order-1'));
    expect(again.created).toBe(true);
    expect(again.payment.providerReference).not.toBe(first.providerReference);
    expect(ledger.create(request('order-3'))).toMatchObject({
      created: false,
      payment: { providerReference: third.providerReference },
    });
    expect(ledger.size).toBe(2);
  });
});
