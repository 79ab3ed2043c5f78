import { ConfigurationError } from '@fulfil/service-kit';
import { z } from 'zod';
import type { AllocationPolicy } from './domain/stock/stock.types';

/** Settings of the inventory service beyond the kit's (which validates its own variables). */
export interface InventorySettings {
  /** LOW_STOCK_THRESHOLD: a location's low-stock threshold unless set per SKU/location. */
  readonly defaultLowStockThreshold: number;
  /** ALLOCATION_SPLIT and ALLOCATION_PREFERENCE. */
  readonly allocation: AllocationPolicy;
  /** RESERVATION_TTL_SECONDS: how long an unconfirmed reservation holds stock. */
  readonly reservationTtlSeconds: number;
}

export const INVENTORY_SETTINGS = 'inventory:SETTINGS';

/** The variables, their defaults and meaning — for the README and manifests. */
export const INVENTORY_ENVIRONMENT = [
  {
    name: 'LOW_STOCK_THRESHOLD',
    default: '5',
    meaning:
      'available units at or below which LowStockDetected fires, unless set per SKU/location',
  },
  {
    name: 'ALLOCATION_SPLIT',
    default: 'allow',
    meaning: 'allow: a line no single location can serve is split across locations; deny: never',
  },
  {
    name: 'ALLOCATION_PREFERENCE',
    default: 'most-available',
    meaning:
      'which other location serves a whole line when the preferred one cannot: most-available or warehouses-first',
  },
  {
    name: 'RESERVATION_TTL_SECONDS',
    default: '1200',
    meaning: 'an unconfirmed reservation is released this long after it was made',
  },
] as const;

const variables = {
  LOW_STOCK_THRESHOLD: z.coerce.number().int().min(0).max(1_000_000).default(5),
  ALLOCATION_SPLIT: z.enum(['allow', 'deny']).default('allow'),
  ALLOCATION_PREFERENCE: z.enum(['most-available', 'warehouses-first']).default('most-available'),
  // Up to 7 days: longer would hold stock for an order nobody pays.
  RESERVATION_TTL_SECONDS: z.coerce.number().int().min(1).max(604_800).default(1200),
};

const problems: Record<keyof typeof variables, string> = {
  LOW_STOCK_THRESHOLD: 'must be an integer from 0 to 1000000',
  ALLOCATION_SPLIT: 'must be allow or deny',
  ALLOCATION_PREFERENCE: 'must be most-available or warehouses-first',
  RESERVATION_TTL_SECONDS: 'must be an integer number of seconds from 1 to 604800',
};

/**
 * Reads the settings from `env`; an empty value counts as unset (as in the kit). Throws a
 * `ConfigurationError` naming the variable, never echoing its value.
 */
export function loadInventorySettings(env: NodeJS.ProcessEnv): InventorySettings {
  const read = <K extends keyof typeof variables>(name: K): z.output<(typeof variables)[K]> => {
    const raw = env[name] === '' ? undefined : env[name];
    const parsed = variables[name].safeParse(raw);
    if (!parsed.success) throw new ConfigurationError(name, problems[name]);
    return parsed.data as z.output<(typeof variables)[K]>;
  };
  return {
    defaultLowStockThreshold: read('LOW_STOCK_THRESHOLD'),
    allocation: {
      split: read('ALLOCATION_SPLIT') === 'allow',
      preference: read('ALLOCATION_PREFERENCE'),
    },
    reservationTtlSeconds: read('RESERVATION_TTL_SECONDS'),
  };
}
