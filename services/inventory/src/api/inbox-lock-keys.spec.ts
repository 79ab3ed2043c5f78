import fc from 'fast-check';
import { reservationLockKey, skuLockKey } from '../application/stock-locks';
import {
  orderCancelled,
  orderConfirmed,
  orderPlaced,
  orderShipped,
  restockRequested,
} from '../testing/order-events.fixture';
import { inboxLockKeys } from './inbox-lock-keys';

const line = (skuId: string, lineId = skuId) => ({ lineId, skuId, quantity: 1 });

describe('inboxLockKeys', () => {
  it("OrderPlaced: its SKUs' keys, each once, sorted", () => {
    const event = orderPlaced('ord-1', [line('c'), line('a'), line('c', 'l3'), line('b')]);
    expect(inboxLockKeys(event)).toEqual(['a', 'b', 'c'].map(skuLockKey));
  });

  it("OrderConfirmed: the reservation's key, named after the order", () => {
    expect(inboxLockKeys(orderConfirmed('ord-1', [line('a')]))).toEqual([
      reservationLockKey('ord-1'),
    ]);
  });

  it("RestockRequested: its SKUs' keys", () => {
    const event = restockRequested('case-1', 'wh-1', [
      { skuId: 'b', quantity: 1 },
      { skuId: 'a', quantity: 2 },
    ]);
    expect(inboxLockKeys(event)).toEqual(['a', 'b'].map(skuLockKey));
  });

  it('unknown for events whose SKUs come from the stored reservation, and for other versions', () => {
    expect(inboxLockKeys(orderCancelled('ord-1'))).toBeUndefined();
    expect(inboxLockKeys(orderShipped('ord-1', [line('a')], true))).toBeUndefined();
    const v2 = { ...orderPlaced('ord-1', [line('a')]), version: 2 } as never;
    expect(inboxLockKeys(v2)).toBeUndefined();
  });

  it('sorts every reservation key before every SKU key: one lock order for groups and handlers', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (orderId, skuId) => {
        expect(reservationLockKey(orderId) < skuLockKey(skuId)).toBe(true);
      }),
    );
  });
});
