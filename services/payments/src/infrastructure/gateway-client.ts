import type { SimError, SimPayment, SimRefund } from '../simulator/simulator.protocol';
import { GatewayUnavailableError, type PaymentGateway } from '../application/payment-gateway.port';
import type { Money } from '../domain/money';
import { httpRequest, type HttpAnswer } from '@fulfil/service-kit';

export interface GatewayClientOptions {
  /** Base URL of the provider API (resolved per call: the embedded simulator picks its port late). */
  readonly baseUrl: () => string;
  readonly apiKey: string;
  readonly timeoutMs?: number;
}

/**
 * The adapter from {@link PaymentGateway} to the provider's HTTP API (the "SimPay" protocol of
 * `src/simulator/simulator.protocol.ts`, shaped like real PSP APIs). The payments service
 * talks to its provider — simulated or real — only through this class, only over HTTP.
 */
export class GatewayClient implements PaymentGateway {
  constructor(private readonly options: GatewayClientOptions) {}

  async register(request: Parameters<PaymentGateway['register']>[0]) {
    // The provider keeps one payment per merchant reference: sending this twice is harmless.
    const payment = await this.call<SimPayment>(
      'POST',
      '/v1/payments',
      {
        merchantReference: request.paymentId,
        amount: toSim(request.amount),
        method: request.method,
        captureMode: request.captureMode,
        notifyUrl: request.notifyUrl,
      },
      { idempotent: true },
    );
    if (!payment.ok) throw unavailable('create payment', payment);
    return {
      providerReference: payment.body.providerReference,
      payUrl: payment.body.payUrl,
      ...(payment.body.qrPayload === undefined ? {} : { qrPayload: payment.body.qrPayload }),
    };
  }

  async capture(providerReference: string) {
    const payment = await this.call<SimPayment>(
      'POST',
      `/v1/payments/${encodeURIComponent(providerReference)}/capture`,
    );
    if (!payment.ok) throw unavailable('capture', payment);
    return { capturedAmount: fromSim(payment.body.capturedAmount) };
  }

  async cancel(providerReference: string) {
    const answer = await this.call<SimPayment>(
      'POST',
      `/v1/payments/${encodeURIComponent(providerReference)}/cancel`,
    );
    if (answer.ok) return { outcome: 'cancelled' as const };
    if (answer.status === 409 && answer.error.error.code === 'payment_already_completed') {
      const current = await this.call<SimPayment>(
        'GET',
        `/v1/payments/${encodeURIComponent(providerReference)}`,
      );
      if (!current.ok) throw unavailable('get payment', current);
      return {
        outcome: 'completed' as const,
        status: 'captured' as const,
        amount: fromSim(current.body.capturedAmount),
      };
    }
    throw unavailable('cancel', answer);
  }

  async refund(providerReference: string, request: { refundId: string; amount: Money }) {
    const answer = await this.call<SimRefund>(
      'POST',
      `/v1/payments/${encodeURIComponent(providerReference)}/refunds`,
      {
        merchantRefundReference: request.refundId,
        amount: toSim(request.amount),
      },
      { idempotent: true }, // one refund per merchant refund reference
    );
    if (answer.ok)
      return { outcome: 'succeeded' as const, providerRefundReference: answer.body.refundId };
    // A business refusal is final; anything else (5xx, auth, network) is retried.
    if (answer.status === 409 || answer.status === 422) {
      return {
        outcome: 'rejected' as const,
        code: answer.error.error.code,
        detail: answer.error.error.message,
      };
    }
    throw unavailable('refund', answer);
  }

  private async call<T>(
    method: 'GET' | 'POST',
    path: string,
    body?: unknown,
    { idempotent = false } = {},
  ): Promise<
    { ok: true; status: number; body: T } | { ok: false; status: number; error: SimError }
  > {
    let answer: HttpAnswer;
    try {
      answer = await httpRequest(`${this.options.baseUrl()}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${this.options.apiKey}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        timeoutMs: this.options.timeoutMs ?? 10_000,
        idempotent,
      });
    } catch (error) {
      throw new GatewayUnavailableError(`${method} ${path}: ${(error as Error).message}`);
    }
    const { status, body: text } = answer;
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : {};
    } catch {
      throw new GatewayUnavailableError(`${method} ${path}: ${status} with a non-JSON body`);
    }
    if (status >= 200 && status < 300) return { ok: true, status, body: parsed as T };
    const error = isSimError(parsed)
      ? parsed
      : { error: { code: 'invalid_request' as const, message: text.slice(0, 200) } };
    return { ok: false, status, error };
  }
}

function isSimError(value: unknown): value is SimError {
  return typeof (value as SimError | undefined)?.error?.code === 'string';
}

function unavailable(
  operation: string,
  answer: { status: number; error: SimError },
): GatewayUnavailableError {
  return new GatewayUnavailableError(
    `${operation}: ${answer.status} ${answer.error.error.code} ${answer.error.error.message}`,
  );
}

function toSim(amount: Money) {
  return { value: amount.amountMinor, currency: amount.currency };
}

function fromSim(amount: { value: number; currency: string }): Money {
  return { amountMinor: amount.value, currency: amount.currency };
}
