import { deciderSpec, evolveAll } from '@fulfil/decider';
import { paymentDecider } from './payment.decider';
import {
  AFTER_EXPIRY,
  authorised,
  captured,
  CNY,
  createIntent,
  EXPIRES_AT,
  intentCreated,
  NOW,
  providerResult,
  ref,
  refundRequested,
  registered,
  requestRefund,
} from './payment.fixture';
import type { PaymentEvent } from './payment.events';
import { PAYMENT_TRANSITIONS, type PaymentStatus } from './payment.state';

const given = deciderSpec(paymentDecider);

describe('payment intent', () => {
  it.each([
    ['wechat-pay', 'qr-code'],
    ['alipay', 'redirect'],
    ['bank-card', 'redirect'],
    ['cash-on-delivery', 'pay-on-delivery'],
    ['cash-in-store', 'pay-in-store'],
  ] as const)('creates a %s intent with customer action %s', (method, customerAction) => {
    given([])
      .when(createIntent(method))
      .then([
        {
          type: 'PaymentIntentCreated',
          data: { ...ref(method), customerId: 'cust-1', customerAction, expiresAt: EXPIRES_AT },
        },
      ]);
  });

  it('creating the same intent again is a no-op', () => {
    given([intentCreated()]).when(createIntent()).then([]);
  });

  it('refuses another intent under the same payment id', () => {
    const other = createIntent();
    if (other.type !== 'CreatePaymentIntent') throw new Error('fixture');
    given([intentCreated()])
      .when({ ...other, data: { ...other.data, amount: CNY(1) } })
      .thenThrows('PAYMENT.INTENT_CONFLICT');
  });

  it('refuses a fractional amount', () => {
    const command = createIntent();
    if (command.type !== 'CreatePaymentIntent') throw new Error('fixture');
    given([])
      .when({ ...command, data: { ...command.data, amount: CNY(12.5) } })
      .thenThrows('PAYMENT.INVALID_AMOUNT');
  });

  it('records the provider registration once', () => {
    const register = {
      type: 'RecordProviderRegistration',
      data: { providerReference: 'sim_pay_1', payUrl: 'http://sim/pay/sim_pay_1', now: NOW },
    } as const;
    given([intentCreated()]).when(register).then([registered]);
    given([intentCreated(), registered]).when(register).then([]);
    given([intentCreated(), registered])
      .when({ ...register, data: { ...register.data, providerReference: 'other' } })
      .thenThrows('PAYMENT.PROVIDER_REFERENCE_MISMATCH');
  });

  it('cash methods have no provider registration', () => {
    given([intentCreated('cash-on-delivery')])
      .when({ type: 'RecordProviderRegistration', data: { providerReference: 'x', now: NOW } })
      .thenThrows('PAYMENT.WRONG_METHOD');
  });
});

describe('capture modes per method', () => {
  it.each(['wechat-pay', 'alipay'] as const)(
    '%s: a captured result authorises and captures at once',
    (method) => {
      given([intentCreated(method), registered])
        .when(providerResult('captured'))
        .then([authorised(method), captured(method)]);
    },
  );

  it('bank card: the authorisation alone does not capture', () => {
    given([intentCreated('bank-card'), registered])
      .when(providerResult('authorised'))
      .then([authorised('bank-card')]);
  });

  it('bank card: the capture (on shipment) follows the authorisation', () => {
    given([intentCreated('bank-card'), registered, authorised('bank-card')])
      .when(providerResult('captured'))
      .then([captured('bank-card')]);
  });

  it('a double capture is a no-op', () => {
    given([intentCreated(), registered, authorised(), captured()])
      .when(providerResult('captured'))
      .then([]);
  });

  it('a duplicate authorisation result is a no-op', () => {
    given([intentCreated('bank-card'), registered, authorised('bank-card')])
      .when(providerResult('authorised'))
      .then([]);
  });

  it('a duplicate failure result is a no-op', () => {
    const failed = {
      type: 'RecordProviderResult',
      data: {
        outcome: 'failed',
        reason: 'declined',
        providerCode: 'card_declined',
        providerReference: 'sim_pay_1',
        amount: CNY(12_900),
        now: NOW,
      },
    } as const;
    const failedEvent: PaymentEvent = {
      type: 'PaymentFailed',
      data: { ...ref(), reason: 'declined', providerCode: 'card_declined' },
    };
    given([intentCreated(), registered]).when(failed).then([failedEvent]);
    given([intentCreated(), registered, failedEvent]).when(failed).then([]);
  });

  it('refuses a result with another amount or currency', () => {
    given([intentCreated(), registered])
      .when(providerResult('captured', 100))
      .thenThrows('PAYMENT.AMOUNT_MISMATCH');
    given([intentCreated(), registered])
      .when(providerResult('captured', 12_900, 'USD'))
      .thenThrows('PAYMENT.CURRENCY_MISMATCH');
  });

  it('refuses a result for another provider reference', () => {
    const command = providerResult('captured');
    if (command.type !== 'RecordProviderResult') throw new Error('fixture');
    given([intentCreated(), registered])
      .when({ ...command, data: { ...command.data, providerReference: 'sim_pay_other' } })
      .thenThrows('PAYMENT.PROVIDER_REFERENCE_MISMATCH');
  });

  it('money taken after a timeout is recorded and marked for giving back', () => {
    const timedOut: PaymentEvent = {
      type: 'PaymentTimedOut',
      data: { ...ref(), expiredAt: EXPIRES_AT },
    };
    given([intentCreated(), registered, timedOut])
      .when(providerResult('captured'))
      .then([authorised('wechat-pay', true), captured('wechat-pay', true)]);
  });
});

describe('timeout', () => {
  const timeOut = { type: 'TimeOutPayment', data: { now: AFTER_EXPIRY } } as const;

  it('times out a pending payment at its expiry', () => {
    given([intentCreated(), registered])
      .when(timeOut)
      .then([{ type: 'PaymentTimedOut', data: { ...ref(), expiredAt: EXPIRES_AT } }]);
  });

  it('does not time out before the expiry', () => {
    given([intentCreated()])
      .when({ type: 'TimeOutPayment', data: { now: NOW } })
      .then([]);
  });

  it.each<[string, PaymentEvent[]]>([
    ['authorised', [intentCreated('bank-card'), authorised('bank-card')]],
    ['captured', [intentCreated(), authorised(), captured()]],
    [
      'failed',
      [intentCreated(), { type: 'PaymentFailed', data: { ...ref(), reason: 'declined' } }],
    ],
    ['voided', [intentCreated(), { type: 'PaymentVoided', data: { ...ref(), reason: 'x' } }]],
  ])('does not time out a %s payment', (_status, history) => {
    given(history).when(timeOut).then([]);
  });

  it('cash on delivery never times out', () => {
    given([intentCreated('cash-on-delivery')])
      .when(timeOut)
      .then([]);
  });

  it('cash in store times out when nobody came to pay', () => {
    given([intentCreated('cash-in-store')])
      .when(timeOut)
      .then([
        { type: 'PaymentTimedOut', data: { ...ref('cash-in-store'), expiredAt: EXPIRES_AT } },
      ]);
  });
});

describe('void', () => {
  const voidIt = { type: 'VoidPayment', data: { reason: 'order-cancelled', now: NOW } } as const;
  const voided = (method: 'wechat-pay' | 'bank-card'): PaymentEvent => ({
    type: 'PaymentVoided',
    data: { ...ref(method), reason: 'order-cancelled' },
  });

  it('voids an open intent', () => {
    given([intentCreated(), registered])
      .when(voidIt)
      .then([voided('wechat-pay')]);
  });

  it('voids a card authorisation', () => {
    given([intentCreated('bank-card'), authorised('bank-card')])
      .when(voidIt)
      .then([voided('bank-card')]);
  });

  it('voiding twice is a no-op', () => {
    given([intentCreated(), voided('wechat-pay')])
      .when(voidIt)
      .then([]);
  });

  it('refuses to void captured money (refund it)', () => {
    given([intentCreated(), authorised(), captured()])
      .when(voidIt)
      .thenThrows('PAYMENT.ALREADY_CAPTURED');
  });

  it('a duplicate authorisation after a void is not taken as new money', () => {
    given([intentCreated('bank-card'), authorised('bank-card'), voided('bank-card')])
      .when(providerResult('authorised'))
      .then([]);
  });
});

describe('cash', () => {
  const settle = {
    type: 'SettleCashOnDelivery',
    data: { shipmentId: 'ship-1', carrier: 'sf-express', now: NOW },
  } as const;
  const settled: PaymentEvent = {
    type: 'CashOnDeliverySettled',
    data: {
      ...ref('cash-on-delivery'),
      shipmentId: 'ship-1',
      carrier: 'sf-express',
      capturedTotal: CNY(12_900),
    },
  };

  it('settles cash on delivery once', () => {
    given([intentCreated('cash-on-delivery')])
      .when(settle)
      .then([settled]);
    given([intentCreated('cash-on-delivery'), settled])
      .when(settle)
      .then([]);
  });

  it('only settles cash-on-delivery payments on delivery', () => {
    given([intentCreated('wechat-pay')])
      .when(settle)
      .thenThrows('PAYMENT.WRONG_METHOD');
  });

  it('does not settle a voided cash-on-delivery payment', () => {
    given([
      intentCreated('cash-on-delivery'),
      { type: 'PaymentVoided', data: { ...ref('cash-on-delivery'), reason: 'cancelled' } },
    ])
      .when(settle)
      .thenThrows('PAYMENT.NOT_OPEN');
  });

  const cash = (amountMinor: number, currency = 'CNY', receiptReference = 'pos-1') =>
    ({
      type: 'RecordCashReceived',
      data: { amount: { amountMinor, currency }, receiptReference, storeId: 'store-1', now: NOW },
    }) as const;
  const received: PaymentEvent = {
    type: 'CashReceivedInStore',
    data: {
      ...ref('cash-in-store'),
      receiptReference: 'pos-1',
      storeId: 'store-1',
      capturedTotal: CNY(12_900),
    },
  };

  it('records cash received in store once per receipt', () => {
    given([intentCreated('cash-in-store')])
      .when(cash(12_900))
      .then([received]);
    given([intentCreated('cash-in-store'), received])
      .when(cash(12_900))
      .then([]);
  });

  it('refuses a second, different cash receipt (never charges twice)', () => {
    given([intentCreated('cash-in-store'), received])
      .when(cash(12_900, 'CNY', 'pos-2'))
      .thenThrows('PAYMENT.NOT_OPEN');
  });

  it('refuses cash of another amount or currency', () => {
    given([intentCreated('cash-in-store')])
      .when(cash(100))
      .thenThrows('PAYMENT.AMOUNT_MISMATCH');
    given([intentCreated('cash-in-store')])
      .when(cash(12_900, 'HKD'))
      .thenThrows('PAYMENT.CURRENCY_MISMATCH');
  });
});

describe('refunds', () => {
  const paid = [intentCreated(), registered, authorised(), captured()];
  const issued = (refundId: string, amountMinor: number, refundedTotal: number): PaymentEvent => ({
    type: 'RefundIssued',
    data: {
      paymentId: 'pay-1',
      orderId: 'order-1',
      refundId,
      amount: CNY(amountMinor),
      kind: 'partial',
      providerRefundReference: `sim_re_${refundId}`,
      refundedTotal: CNY(refundedTotal),
      capturedTotal: CNY(12_900),
    },
  });
  const succeeded = (refundId: string) =>
    ({
      type: 'RecordRefundResult',
      data: {
        refundId,
        outcome: 'succeeded',
        providerRefundReference: `sim_re_${refundId}`,
        now: NOW,
      },
    }) as const;

  it('requests a partial refund within the captured total', () => {
    given(paid)
      .when(requestRefund('r1', 5_000))
      .then([refundRequested('r1', 5_000)]);
  });

  it('issues a requested refund with the running total', () => {
    given([...paid, refundRequested('r1', 5_000)])
      .when(succeeded('r1'))
      .then([issued('r1', 5_000, 5_000)]);
  });

  it('a repeated refund result is a no-op', () => {
    given([...paid, refundRequested('r1', 5_000), issued('r1', 5_000, 5_000)])
      .when(succeeded('r1'))
      .then([]);
  });

  it('never refunds more than captured', () => {
    given(paid).when(requestRefund('r1', 12_901)).thenThrows('PAYMENT.REFUND_EXCEEDS_CAPTURED');
  });

  it('counts issued and pending refunds against the captured total', () => {
    given([
      ...paid,
      refundRequested('r1', 5_000),
      issued('r1', 5_000, 5_000),
      refundRequested('r2', 7_000),
    ])
      .when(requestRefund('r3', 901))
      .thenThrows('PAYMENT.REFUND_EXCEEDS_CAPTURED');
    given([
      ...paid,
      refundRequested('r1', 5_000),
      issued('r1', 5_000, 5_000),
      refundRequested('r2', 7_000),
    ])
      .when(requestRefund('r3', 900, 'price-difference'))
      .then([refundRequested('r3', 900, 'price-difference')]);
  });

  it('a failed refund frees its amount again', () => {
    const failed: PaymentEvent = {
      type: 'RefundFailed',
      data: {
        paymentId: 'pay-1',
        orderId: 'order-1',
        refundId: 'r1',
        amount: CNY(12_900),
        reason: 'provider-rejected',
      },
    };
    given([...paid, refundRequested('r1', 12_900, 'full')])
      .when({ type: 'RecordRefundResult', data: { refundId: 'r1', outcome: 'failed', now: NOW } })
      .then([failed]);
    given([...paid, refundRequested('r1', 12_900, 'full'), failed])
      .when(requestRefund('r2', 12_900, 'full'))
      .then([refundRequested('r2', 12_900, 'full')]);
  });

  it('a full refund is the whole refundable amount', () => {
    given(paid)
      .when(requestRefund('r1', 12_900, 'full'))
      .then([refundRequested('r1', 12_900, 'full')]);
    given(paid)
      .when(requestRefund('r1', 100, 'full'))
      .thenThrows('PAYMENT.FULL_REFUND_AMOUNT');
  });

  it('the same refund id with the same amount is a no-op, with another one an error', () => {
    given([...paid, refundRequested('r1', 5_000)])
      .when(requestRefund('r1', 5_000))
      .then([]);
    given([...paid, refundRequested('r1', 5_000)])
      .when(requestRefund('r1', 4_000))
      .thenThrows('PAYMENT.REFUND_ID_REUSED');
  });

  it('refuses a refund in another currency', () => {
    given(paid)
      .when(requestRefund('r1', 100, 'partial', 'USD'))
      .thenThrows('PAYMENT.CURRENCY_MISMATCH');
  });

  it('refuses a zero or fractional refund', () => {
    given(paid).when(requestRefund('r1', 0)).thenThrows('PAYMENT.INVALID_AMOUNT');
    given(paid).when(requestRefund('r1', 1.5)).thenThrows('PAYMENT.INVALID_AMOUNT');
  });

  it('refuses a refund before capture', () => {
    given([intentCreated('bank-card'), authorised('bank-card')])
      .when(requestRefund('r1', 100))
      .thenThrows('PAYMENT.NOT_CAPTURED');
  });

  it('refuses a result for a refund never requested', () => {
    given(paid).when(succeeded('nope')).thenThrows('PAYMENT.UNKNOWN_REFUND');
  });

  it('refunds cash on delivery once settled', () => {
    const settled: PaymentEvent = {
      type: 'CashOnDeliverySettled',
      data: {
        ...ref('cash-on-delivery'),
        shipmentId: 's',
        carrier: 'sf-express',
        capturedTotal: CNY(12_900),
      },
    };
    given([intentCreated('cash-on-delivery'), settled])
      .when(requestRefund('r1', 12_900, 'full'))
      .then([refundRequested('r1', 12_900, 'full')]);
  });
});

describe('state machine', () => {
  it('every status an event leads to is an allowed transition', () => {
    const histories: PaymentEvent[][] = [
      [intentCreated(), registered, authorised(), captured()],
      [
        intentCreated('bank-card'),
        authorised('bank-card'),
        { type: 'PaymentVoided', data: { ...ref('bank-card'), reason: 'x' } },
      ],
      [
        intentCreated(),
        { type: 'PaymentTimedOut', data: { ...ref(), expiredAt: EXPIRES_AT } },
        authorised('wechat-pay', true),
        captured('wechat-pay', true),
      ],
    ];
    for (const history of histories) {
      let previous: PaymentStatus = 'none';
      for (let i = 1; i <= history.length; i += 1) {
        const next = evolveAll(paymentDecider, history.slice(0, i)).status;
        if (next !== previous) expect(PAYMENT_TRANSITIONS[previous]).toContain(next);
        previous = next;
      }
    }
  });
});
