import type { Queryable } from '@fulfil/event-store';
import type { DeadlineScheduler } from '@fulfil/messaging';

/**
 * Durable work for a payment, as deadlines: each is written in the transaction that makes it
 * necessary and handed to its handler (which talks to the provider) until it succeeds. The
 * provider's idempotency makes a repeated attempt harmless.
 */
export const PaymentDeadlineKinds = {
  register: 'payments.register-with-provider',
  expire: 'payments.expire',
  capture: 'payments.capture',
  void: 'payments.void',
  refund: 'payments.refund',
  webhook: 'payments.process-webhook',
} as const;

export interface PaymentTaskPayload {
  readonly paymentId: string;
  readonly correlationId: string;
}
export interface VoidPayload extends PaymentTaskPayload {
  readonly reason: string;
}
export interface RefundPayload extends PaymentTaskPayload {
  readonly refundId: string;
}
export interface WebhookPayload {
  readonly webhookId: string;
}

export const deadlineIds = {
  register: (paymentId: string) => `register:${paymentId}`,
  expire: (paymentId: string) => `expire:${paymentId}`,
  capture: (paymentId: string) => `capture:${paymentId}`,
  void: (paymentId: string) => `void:${paymentId}`,
  refund: (refundId: string) => `refund:${refundId}`,
  webhook: (webhookId: string) => `webhook:${webhookId}`,
};

/** Typed `schedule` calls for each kind. */
export function paymentTasks(scheduler: DeadlineScheduler) {
  return {
    register: (client: Queryable, payload: PaymentTaskPayload) =>
      scheduler.schedule(client, {
        id: deadlineIds.register(payload.paymentId),
        kind: PaymentDeadlineKinds.register,
        dueAt: new Date(),
        payload,
      }),
    expire: (client: Queryable, payload: PaymentTaskPayload, dueAt: Date) =>
      scheduler.schedule(client, {
        id: deadlineIds.expire(payload.paymentId),
        kind: PaymentDeadlineKinds.expire,
        dueAt,
        payload,
      }),
    capture: (client: Queryable, payload: PaymentTaskPayload) =>
      scheduler.schedule(client, {
        id: deadlineIds.capture(payload.paymentId),
        kind: PaymentDeadlineKinds.capture,
        dueAt: new Date(),
        payload,
      }),
    void: (client: Queryable, payload: VoidPayload) =>
      scheduler.schedule(client, {
        id: deadlineIds.void(payload.paymentId),
        kind: PaymentDeadlineKinds.void,
        dueAt: new Date(),
        payload,
      }),
    refund: (client: Queryable, payload: RefundPayload, dueAt = new Date()) =>
      scheduler.schedule(client, {
        id: deadlineIds.refund(payload.refundId),
        kind: PaymentDeadlineKinds.refund,
        dueAt,
        payload,
      }),
    webhook: (client: Queryable, payload: WebhookPayload, dueAt: Date) =>
      scheduler.schedule(client, {
        id: deadlineIds.webhook(payload.webhookId),
        kind: PaymentDeadlineKinds.webhook,
        dueAt,
        payload,
      }),
  };
}
