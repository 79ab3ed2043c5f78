import type { Write } from '@fulfil/event-store';
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

/**
 * The deadline of each kind as a `Write` for the transaction that makes it necessary (send it
 * with `runWrites`, or with a command's outbox rows through `alsoWrite`). The registration, on
 * every online order's path, is handed off to this process's scheduler: it starts at the
 * commit, with no poll and no lease statement (`DeadlineScheduler.handOffWrite`).
 */
export function paymentTasks(scheduler: DeadlineScheduler) {
  const task =
    <Payload>(kind: string, id: (payload: Payload) => string, handOff = false) =>
    (payload: Payload, dueAt = new Date()): Write => {
      const deadline = { id: id(payload), kind, dueAt, payload };
      return handOff ? scheduler.handOffWrite(deadline) : scheduler.scheduleWrite(deadline);
    };
  return {
    register: task<PaymentTaskPayload>(
      PaymentDeadlineKinds.register,
      (p) => deadlineIds.register(p.paymentId),
      true,
    ),
    expire: task<PaymentTaskPayload>(PaymentDeadlineKinds.expire, (p) =>
      deadlineIds.expire(p.paymentId),
    ),
    capture: task<PaymentTaskPayload>(PaymentDeadlineKinds.capture, (p) =>
      deadlineIds.capture(p.paymentId),
    ),
    void: task<VoidPayload>(PaymentDeadlineKinds.void, (p) => deadlineIds.void(p.paymentId)),
    refund: task<RefundPayload>(PaymentDeadlineKinds.refund, (p) => deadlineIds.refund(p.refundId)),
    webhook: task<WebhookPayload>(PaymentDeadlineKinds.webhook, (p) =>
      deadlineIds.webhook(p.webhookId),
    ),
  };
}
