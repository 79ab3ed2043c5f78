import { ConfigurationError } from '@fulfil/service-kit';
import { z } from 'zod';
import type { ShortagePolicy } from './domain/order.model';

/** Settings of the orders service beyond the kit's (which validates its own variables). */
export interface OrdersSettings {
  /** ORDER_SHORTAGE_POLICY: `cancel` (default) or `confirm-available` (partial fulfilment). */
  readonly shortagePolicy: ShortagePolicy;
  /** ORDER_CONFIRMATION_TIMEOUT_SECONDS: the orders-side safety deadline (default 1800). */
  readonly confirmationTimeoutSeconds: number;
}

export const ORDERS_SETTINGS = 'orders:SETTINGS';

/** The variables, their defaults and meaning — for the README and manifests. */
export const ORDERS_ENVIRONMENT = [
  {
    name: 'ORDER_SHORTAGE_POLICY',
    default: 'cancel',
    meaning:
      'when inventory reserves only part of an order: cancel it, or confirm-available (drop the short lines)',
  },
  {
    name: 'ORDER_CONFIRMATION_TIMEOUT_SECONDS',
    default: '1800',
    meaning: 'an order not confirmed this long after placement is cancelled (payment-timed-out)',
  },
] as const;

const variables = {
  ORDER_SHORTAGE_POLICY: z.enum(['cancel', 'confirm-available']).default('cancel'),
  // Up to 7 days: longer would hold stock for an order nobody pays.
  ORDER_CONFIRMATION_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(604_800).default(1800),
};

/**
 * Reads the settings from `env`; an empty value counts as unset (as in the kit). Throws a
 * `ConfigurationError` naming the variable, never echoing its value.
 */
export function loadOrdersSettings(env: NodeJS.ProcessEnv): OrdersSettings {
  const read = <K extends keyof typeof variables>(name: K): z.output<(typeof variables)[K]> => {
    const raw = env[name] === '' ? undefined : env[name];
    const parsed = variables[name].safeParse(raw);
    if (!parsed.success) {
      throw new ConfigurationError(name, describe(name));
    }
    return parsed.data as z.output<(typeof variables)[K]>;
  };
  return {
    shortagePolicy: read('ORDER_SHORTAGE_POLICY'),
    confirmationTimeoutSeconds: read('ORDER_CONFIRMATION_TIMEOUT_SECONDS'),
  };
}

function describe(name: keyof typeof variables): string {
  return name === 'ORDER_SHORTAGE_POLICY'
    ? 'must be cancel or confirm-available'
    : 'must be an integer number of seconds from 1 to 604800';
}
