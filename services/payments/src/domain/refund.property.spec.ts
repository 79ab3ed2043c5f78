import fc from 'fast-check';
import { evolveAll, isDomainError } from '@fulfil/decider';
import { paymentDecider } from './payment.decider';
import type { PaymentCommand } from './payment.commands';
import type { PaymentEvent } from './payment.events';
import { authorised, captured, intentCreated, NOW, registered } from './payment.fixture';
import type { PaymentState } from './payment.state';

/** A random step a caller, the provider or a retry could take against a captured payment. */
type Step =
  | {
      kind: 'request';
      refundId: number;
      amountMinor: number;
      refundKind: 'full' | 'partial' | 'price-difference';
    }
  | { kind: 'result'; refundId: number; succeeded: boolean };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({
    kind: fc.constant('request' as const),
    refundId: fc.integer({ min: 1, max: 8 }),
    amountMinor: fc.oneof(fc.integer({ min: -5, max: 14_000 }), fc.double({ min: 0, max: 14_000 })),
    refundKind: fc.constantFrom('full' as const, 'partial' as const, 'price-difference' as const),
  }),
  fc.record({
    kind: fc.constant('result' as const),
    refundId: fc.integer({ min: 1, max: 8 }),
    succeeded: fc.boolean(),
  }),
);

function toCommand(s: Step): PaymentCommand {
  const refundId = `r${s.refundId}`;
  if (s.kind === 'request') {
    return {
      type: 'RequestRefund',
      data: {
        refundId,
        amount: { amountMinor: s.amountMinor, currency: 'CNY' },
        kind: s.refundKind,
        reason: 'property',
        now: NOW,
      },
    };
  }
  return {
    type: 'RecordRefundResult',
    data: s.succeeded
      ? { refundId, outcome: 'succeeded', providerRefundReference: `re_${refundId}`, now: NOW }
      : { refundId, outcome: 'failed', now: NOW },
  };
}

function capturedState(state: PaymentState) {
  if (state.status !== 'captured') throw new Error('expected a captured payment');
  return state;
}

describe('refunds (property)', () => {
  it('cumulative refunds never exceed the captured total, whatever the sequence', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 40 }), (steps) => {
        let history: PaymentEvent[] = [intentCreated(), registered, authorised(), captured()];
        for (const s of steps) {
          const state = evolveAll(paymentDecider, history);
          try {
            history = [...history, ...paymentDecider.decide(toCommand(s), state)];
          } catch (error) {
            // A refused command is fine; anything but a domain error is a bug.
            if (!isDomainError(error)) throw error;
          }
          const after = capturedState(evolveAll(paymentDecider, history));
          const issued = history
            .filter((e) => e.type === 'RefundIssued')
            .reduce((sum, e) => sum + e.data.amount.amountMinor, 0);
          const held = after.refunds
            .filter((r) => r.status !== 'failed')
            .reduce((sum, r) => sum + r.amount.amountMinor, 0);
          expect(issued).toBe(after.refundedTotal.amountMinor);
          expect(issued).toBeLessThanOrEqual(after.capturedTotal.amountMinor);
          expect(held).toBeLessThanOrEqual(after.capturedTotal.amountMinor);
          for (const r of after.refunds)
            expect(Number.isSafeInteger(r.amount.amountMinor)).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });
});
