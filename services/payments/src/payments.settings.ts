import { SERVICE_CATALOG } from '@fulfil/contracts';
import { ConfigurationError } from '@fulfil/service-kit';
import { z } from 'zod';
import { isWebhookSecret } from './infrastructure/webhooks/standard-webhooks';

/** Providers that notify us by webhook, one per online method (`POST /webhooks/{provider}`). */
export const WEBHOOK_PROVIDERS = ['wechat-pay', 'alipay', 'bank-card'] as const;
export type WebhookProvider = (typeof WEBHOOK_PROVIDERS)[number];

export const AUTO_PAY_OUTCOMES = [
  'succeeded',
  'declined',
  'insufficient-funds',
  'cancelled',
] as const;
export type PayOutcome = (typeof AUTO_PAY_OUTCOMES)[number];

/**
 * Development default so that `npm start` works; production sets its own secrets. Not a
 * secret of any real provider.
 */
export const DEV_WEBHOOK_SECRET = `whsec_${Buffer.from('fulfil-dev-payment-webhooks-only').toString('base64')}`;
export const DEV_GATEWAY_API_KEY = 'sk_sim_fulfil_dev_only';

export interface PaymentsSettings {
  /** The provider gateway's base URL; `undefined` = start the simulator in-process. */
  readonly gatewayUrl: string | undefined;
  readonly gatewayApiKey: string;
  /** Port of the embedded simulator (0 = any free port). */
  readonly simulatorPort: number;
  readonly simulatorAutoPay: PayOutcome | undefined;
  readonly simulatorAutoPayDelayMs: number;
  /** Webhook secret per provider (`whsec_<base64>`). */
  readonly webhookSecrets: Readonly<Record<WebhookProvider, string>>;
  /** How long an online or in-store payment may stay open (R-ORD-3: < the reservation TTL). */
  readonly paymentTtlSeconds: number;
  /** How long a cash-in-store payment waits for the customer at the till. */
  readonly cashInStoreTtlSeconds: number;
  /** Where providers reach our webhooks, without a trailing slash. */
  readonly notifyBaseUrl: string;
}

const integer = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));

const url = z
  .string()
  .url('must be an http(s) URL')
  .refine((value) => /^https?:\/\//.test(value), 'must be an http(s) URL')
  .transform((value) => value.replace(/\/+$/, ''));

const secret = z.string().refine(isWebhookSecret, 'must be whsec_<base64 of at least 16 bytes>');

/**
 * Reads the payments service's own variables (the kit reads the common ones). Empty values
 * count as unset; a bad value throws the kit's `ConfigurationError` naming the variable.
 */
export function loadPaymentsSettings(env: NodeJS.ProcessEnv = process.env): PaymentsSettings {
  const read = <T>(name: string, schema: z.ZodType<T>, fallback: string | undefined): T => {
    const raw = env[name] === undefined || env[name] === '' ? fallback : env[name];
    const result = schema.safeParse(raw);
    if (!result.success) {
      throw new ConfigurationError(name, result.error.issues[0]?.message ?? 'is invalid');
    }
    return result.data;
  };
  const port = env.PORT ? env.PORT : String(SERVICE_CATALOG.payments.defaultPort);
  const defaultSecret = read('PAYMENT_WEBHOOK_SECRET', secret, DEV_WEBHOOK_SECRET);
  const webhookSecrets = Object.fromEntries(
    WEBHOOK_PROVIDERS.map((provider) => [
      provider,
      read(providerSecretVariable(provider), secret, defaultSecret),
    ]),
  ) as Record<WebhookProvider, string>;
  const autoPay = read(
    'PAYMENT_SIMULATOR_AUTO_PAY',
    z.enum(['off', ...AUTO_PAY_OUTCOMES], {
      message: `must be off or one of ${AUTO_PAY_OUTCOMES.join(', ')}`,
    }),
    'off',
  );
  return {
    gatewayUrl: read('PAYMENT_GATEWAY_URL', url.optional(), undefined),
    gatewayApiKey: read(
      'PAYMENT_GATEWAY_API_KEY',
      z.string().min(8, 'must be at least 8 characters'),
      DEV_GATEWAY_API_KEY,
    ),
    simulatorPort: read('PAYMENT_SIMULATOR_PORT', integer(0, 65_535), '3103'),
    simulatorAutoPay: autoPay === 'off' ? undefined : autoPay,
    simulatorAutoPayDelayMs: read(
      'PAYMENT_SIMULATOR_AUTO_PAY_DELAY_MS',
      integer(0, 600_000),
      '200',
    ),
    webhookSecrets,
    paymentTtlSeconds: read('PAYMENT_TTL_SECONDS', integer(1, 7 * 24 * 3600), '900'),
    cashInStoreTtlSeconds: read(
      'PAYMENT_CASH_IN_STORE_TTL_SECONDS',
      integer(1, 90 * 24 * 3600),
      String(7 * 24 * 3600),
    ),
    notifyBaseUrl: read('PAYMENT_NOTIFY_BASE_URL', url, `http://127.0.0.1:${port}`),
  };
}

/** `PAYMENT_WEBHOOK_SECRET_WECHAT_PAY` etc.: overrides `PAYMENT_WEBHOOK_SECRET` for one provider. */
export function providerSecretVariable(provider: WebhookProvider): string {
  return `PAYMENT_WEBHOOK_SECRET_${provider.toUpperCase().replace(/-/g, '_')}`;
}

/** Injection token of {@link PaymentsSettings}. */
export const PAYMENTS_SETTINGS = Symbol('PAYMENTS_SETTINGS');
