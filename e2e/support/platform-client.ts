// Typed calls to the public HTTP APIs of orders, inventory and payments (bearer token of the
// local stack) and to the SIMULATED payment provider, plus polling with a helpful failure.
import type { ServiceName } from '@fulfil/contracts';
import type { LocalStack } from './local-stack';

export interface ApiResponse<T = Record<string, unknown>> {
  readonly status: number;
  readonly contentType: string;
  readonly headers: Headers;
  readonly body: T;
}

export interface Money {
  readonly amountMinor: number;
  readonly currency: string;
}

export type PaymentMethod =
  'wechat-pay' | 'alipay' | 'bank-card' | 'cash-on-delivery' | 'cash-in-store';
export type PayOutcome = 'succeeded' | 'declined' | 'insufficient-funds' | 'cancelled';

export interface TimelineEntry {
  readonly type: string;
  readonly status: string;
  readonly reason: string;
  readonly detail?: string;
  readonly at: string;
}

export interface Order {
  readonly orderId: string;
  readonly orderNumber: string;
  readonly status: string;
  readonly customerId: string;
  readonly paymentMethod: PaymentMethod;
  readonly paymentStatus: string;
  readonly reservationId?: string;
  readonly lines: ReadonlyArray<{ lineId: string; skuId: string; quantity: number }>;
  readonly totals: { subtotal: Money; shipping: Money; discount: Money; total: Money };
  readonly timeline: readonly TimelineEntry[];
}

export interface Payment {
  readonly paymentId: string;
  readonly orderId: string;
  readonly method: PaymentMethod;
  readonly status: string;
  readonly amount: Money;
  readonly capturedTotal: Money;
  readonly refundedTotal: Money;
  readonly providerReference: string | null;
  readonly customerAction: { type: string; url: string | null; qrPayload: string | null };
  readonly refunds: ReadonlyArray<{
    refundId: string;
    amount: Money;
    kind: string;
    status: string;
  }>;
  readonly history: ReadonlyArray<{ type: string; at: string; version: number }>;
}

export interface Availability {
  readonly skuId: string;
  readonly available: number;
  readonly onHand: number;
  readonly reserved: number;
  readonly locations: ReadonlyArray<{ locationId: string; available: number; reserved: number }>;
}

export interface Reservation {
  readonly reservationId: string;
  readonly orderId: string;
  readonly status: string;
  readonly held: ReadonlyArray<{ skuId: string; locationId: string; quantity: number }>;
}

/** Polls `read` every 200 ms until `accept` holds; throws with the last value otherwise. */
export async function until<T>(
  what: string,
  read: () => Promise<T>,
  accept: (value: T) => boolean,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = await read();
  while (!accept(last)) {
    if (Date.now() > deadline) {
      throw new Error(`${what}: not reached in ${timeoutMs} ms; last: ${JSON.stringify(last)}`);
    }
    await new Promise((done) => setTimeout(done, 200));
    last = await read();
  }
  return last;
}

export class PlatformClient {
  private readonly token: string;
  /**
   * The SIMULATED provider: the one embedded in payments (on the payments port + 100) unless
   * the stack's payments use one of their own (`PAYMENT_GATEWAY_URL`), given here.
   */
  readonly simulatorUrl: string;

  constructor(
    private readonly stack: LocalStack,
    options: { readonly simulatorUrl?: string } = {},
  ) {
    this.token = stack.token();
    const paymentsPort = Number(new URL(stack.urls.payments!).port);
    this.simulatorUrl = options.simulatorUrl ?? `http://127.0.0.1:${paymentsPort + 100}`;
  }

  url(service: ServiceName): string {
    const base = this.stack.urls[service];
    if (!base) throw new Error(`${service} is not started`);
    return base;
  }

  /** Any call; the body is sent as given when it is a string (raw JSON), else as JSON. */
  async call<T = Record<string, unknown>>(
    service: ServiceName | 'simulator',
    method: string,
    path: string,
    options: { body?: unknown; headers?: Record<string, string>; auth?: string | false } = {},
  ): Promise<ApiResponse<T>> {
    const base = service === 'simulator' ? this.simulatorUrl : this.url(service);
    const auth = options.auth === undefined ? this.token : options.auth;
    const response = await fetch(`${base}${path}`, {
      method,
      headers: {
        ...(auth ? { authorization: `Bearer ${auth}` } : {}),
        ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...options.headers,
      },
      ...(options.body !== undefined
        ? { body: typeof options.body === 'string' ? options.body : JSON.stringify(options.body) }
        : {}),
      signal: AbortSignal.timeout(15_000),
    });
    const text = await response.text();
    let body: unknown = text;
    try {
      body = text === '' ? undefined : JSON.parse(text);
    } catch {
      // Not JSON: keep the text for the failure message.
    }
    return {
      status: response.status,
      contentType: response.headers.get('content-type') ?? '',
      headers: response.headers,
      body: body as T,
    };
  }

  /** Like `call`, but throws (with the answer) unless the status is `expected`. */
  async expect<T = Record<string, unknown>>(
    expected: number | readonly number[],
    ...args: Parameters<PlatformClient['call']>
  ): Promise<ApiResponse<T>> {
    const response = await this.call<T>(...args);
    const ok = Array.isArray(expected)
      ? expected.includes(response.status)
      : response.status === expected;
    if (!ok) {
      throw new Error(
        `${args[1]} ${args[0]}${args[2]} → ${response.status}: ${JSON.stringify(response.body)}`,
      );
    }
    return response;
  }

  // ---- inventory

  async createLocation(locationId: string, type: 'warehouse' | 'store', regionCode = 'CN-SH') {
    await this.expect([200, 201], 'inventory', 'POST', '/locations', {
      body: { locationId, type, name: `E2E ${type} ${locationId}`, regionCode },
    });
  }

  async receiveStock(skuId: string, locationId: string, quantity: number) {
    await this.expect(201, 'inventory', 'POST', '/stock/receipts', {
      body: { skuId, locationId, quantity },
    });
  }

  async availability(skuId: string): Promise<Availability> {
    return (await this.expect<Availability>(200, 'inventory', 'GET', `/availability/${skuId}`))
      .body;
  }

  async reservationsOf(orderId: string): Promise<Reservation[]> {
    const response = await this.expect<{ items: Reservation[] }>(
      200,
      'inventory',
      'GET',
      `/reservations?orderId=${encodeURIComponent(orderId)}`,
    );
    return response.body.items;
  }

  /** Waits until nothing of `skuId` is reserved any more, and returns its availability. */
  async availabilityOnceReleased(skuId: string): Promise<Availability> {
    return until(
      `${skuId} released`,
      () => this.availability(skuId),
      (a) => a.reserved === 0,
    );
  }

  // ---- orders

  async placeOrder(body: object, idempotencyKey?: string): Promise<Order> {
    const headers: Record<string, string> = idempotencyKey
      ? { 'idempotency-key': idempotencyKey }
      : {};
    return (await this.expect<Order>(201, 'orders', 'POST', '/orders', { body, headers })).body;
  }

  async ordersOf(customerId: string): Promise<Array<{ orderId: string; status: string }>> {
    const response = await this.expect<{ items: Array<{ orderId: string; status: string }> }>(
      200,
      'orders',
      'GET',
      `/orders?customerId=${encodeURIComponent(customerId)}`,
    );
    return response.body.items;
  }

  async order(orderId: string): Promise<Order> {
    return (await this.expect<Order>(200, 'orders', 'GET', `/orders/${orderId}`)).body;
  }

  /** Polls the order until its status is `status` (fails fast on another final status). */
  async orderReaching(orderId: string, status: 'confirmed' | 'cancelled', timeoutMs = 20_000) {
    const order = await until(
      `order ${orderId} ${status}`,
      () => this.order(orderId),
      (o) => o.status === 'confirmed' || o.status === 'cancelled',
      timeoutMs,
    );
    if (order.status !== status) {
      throw new Error(`order ${orderId} became ${order.status}: ${JSON.stringify(order.timeline)}`);
    }
    return order;
  }

  // ---- payments

  async paymentsOf(orderId: string): Promise<Payment[]> {
    const response = await this.expect<{ items: Payment[] }>(
      200,
      'payments',
      'GET',
      `/payments?orderId=${encodeURIComponent(orderId)}`,
    );
    return response.body.items;
  }

  async payment(paymentId: string): Promise<Payment> {
    return (await this.expect<Payment>(200, 'payments', 'GET', `/payments/${paymentId}`)).body;
  }

  /**
   * The order's payment once its intent exists; for online methods also once it is registered
   * at the provider (it has a provider reference to pay).
   */
  async paymentIntentOf(orderId: string, timeoutMs = 20_000): Promise<Payment> {
    const [payment] = await until(
      `payment intent of ${orderId}`,
      () => this.paymentsOf(orderId),
      ([p]) =>
        p !== undefined &&
        (p.method.startsWith('cash') ||
          (p.providerReference !== null && p.providerReference !== '')),
      timeoutMs,
    );
    return payment!;
  }

  /** The customer pays (or fails to) at the SIMULATED provider's checkout. */
  async payAtSimulator(providerReference: string, outcome: PayOutcome = 'succeeded') {
    await this.expect([200, 201, 202], 'simulator', 'POST', `/simulator/pay/${providerReference}`, {
      body: { outcome },
      auth: false,
    });
  }
}

let customerCounter = 0;

/** A valid `POST /orders` body for one line of `skuId`. */
export function orderBody(options: {
  skuId: string;
  quantity: number;
  paymentMethod: PaymentMethod;
  unitPriceMinor?: number;
  channel?: 'web' | 'app' | 'mini-program' | 'store-pos';
  storeId?: string;
  customerId?: string;
}) {
  return {
    channel: options.channel ?? 'web',
    customerId: options.customerId ?? `e2e-customer-${Date.now()}-${++customerCounter}`,
    ...(options.storeId ? { storeId: options.storeId } : {}),
    lines: [
      {
        skuId: options.skuId,
        title: `E2E item ${options.skuId}`,
        quantity: options.quantity,
        unitPrice: { amountMinor: options.unitPriceMinor ?? 4900, currency: 'CNY' },
      },
    ],
    deliveryAddress: {
      recipientName: 'E2E Tester',
      phone: '+86 138 0013 8000',
      countryCode: 'CN',
      regionCode: 'CN-SH',
      cityCode: 'SH',
      addressLine1: '1 Test Road',
    },
    paymentMethod: options.paymentMethod,
    shipping: { amountMinor: 1000, currency: 'CNY' },
  };
}
