/** The payment methods of R-PAY-1 (the contract's `PaymentMethod`). */
export type PaymentMethod =
  'wechat-pay' | 'alipay' | 'bank-card' | 'cash-on-delivery' | 'cash-in-store';

/** What the customer does next, as published in `PaymentIntentCreated`. */
export type CustomerAction = 'qr-code' | 'redirect' | 'pay-on-delivery' | 'pay-in-store';

/**
 * How the money is taken:
 * - `automatic` — the provider captures as soon as the customer pays (WeChat Pay, Alipay);
 * - `manual` — the provider only authorises; we capture when the order ships (bank card);
 * - `cash` — no provider: the carrier (COD) or the store's till (in store) collects it.
 */
export type CaptureMode = 'automatic' | 'manual' | 'cash';

interface MethodPolicy {
  readonly customerAction: CustomerAction;
  readonly captureMode: CaptureMode;
}

/** One row per method: read it at a glance. */
export const METHOD_POLICIES: Readonly<Record<PaymentMethod, MethodPolicy>> = {
  'wechat-pay': { customerAction: 'qr-code', captureMode: 'automatic' },
  alipay: { customerAction: 'redirect', captureMode: 'automatic' },
  'bank-card': { customerAction: 'redirect', captureMode: 'manual' },
  'cash-on-delivery': { customerAction: 'pay-on-delivery', captureMode: 'cash' },
  'cash-in-store': { customerAction: 'pay-in-store', captureMode: 'cash' },
};

export const PAYMENT_METHODS = Object.keys(METHOD_POLICIES) as readonly PaymentMethod[];

/** Methods paid through an online provider (they get a gateway registration and a webhook). */
export function isOnlineMethod(method: PaymentMethod): boolean {
  return METHOD_POLICIES[method].captureMode !== 'cash';
}
