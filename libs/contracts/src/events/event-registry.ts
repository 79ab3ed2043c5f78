import type { z } from 'zod';
import { AFTER_SALES_EVENT_CONTRACTS } from './after-sales.events';
import { ContractViolationError, toContractIssues } from './contract-violation.error';
import { EventContract, EventData } from './event-contract';
import { INVENTORY_EVENT_CONTRACTS } from './inventory.events';
import { LOGISTICS_EVENT_CONTRACTS } from './logistics.events';
import { NOTIFICATIONS_EVENT_CONTRACTS } from './notifications.events';
import { ORDERS_EVENT_CONTRACTS } from './orders.events';
import { PAYMENTS_EVENT_CONTRACTS } from './payments.events';

/** Every integration event contract of the platform, grouped by publishing service. */
export const EVENT_CONTRACTS = [
  ...ORDERS_EVENT_CONTRACTS,
  ...INVENTORY_EVENT_CONTRACTS,
  ...PAYMENTS_EVENT_CONTRACTS,
  ...LOGISTICS_EVENT_CONTRACTS,
  ...AFTER_SALES_EVENT_CONTRACTS,
  ...NOTIFICATIONS_EVENT_CONTRACTS,
] as const;

/** Any registered contract. */
export type AnyEventContract = (typeof EVENT_CONTRACTS)[number];
/** Every wire name (without version). */
export type IntegrationEventType = AnyEventContract['type'];
/** The versions registered for a wire name. */
export type IntegrationEventVersion<T extends IntegrationEventType> = Extract<
  AnyEventContract,
  { type: T }
>['version'];
/** The contract of (type, version). */
export type ContractOf<
  T extends IntegrationEventType,
  V extends IntegrationEventVersion<T>,
> = Extract<AnyEventContract, { type: T; version: V }>;
/** The readonly data type of (type, version). */
export type IntegrationEventData<
  T extends IntegrationEventType,
  V extends IntegrationEventVersion<T>,
> = EventData<ContractOf<T, V>>;

/**
 * A typed integration event: the wire name, the version and the data, as one discriminated
 * union over every contract (switch on `type`, then `version`).
 */
export type IntegrationEvent = {
  [K in keyof typeof EVENT_CONTRACTS & number]: {
    readonly type: (typeof EVENT_CONTRACTS)[K]['type'];
    readonly version: (typeof EVENT_CONTRACTS)[K]['version'];
    readonly data: EventData<(typeof EVENT_CONTRACTS)[K]>;
  };
}[keyof typeof EVENT_CONTRACTS & number];

const byKey = new Map<string, EventContract>();
for (const contract of EVENT_CONTRACTS) {
  const key = `${contract.type}@${contract.version}`;
  if (byKey.has(key)) throw new Error(`duplicate event contract ${key}`);
  byKey.set(key, contract);
}

/** The contract of (type, version), or `undefined` when there is none. */
export function findEventContract(type: string, version: number): EventContract | undefined {
  return byKey.get(`${type}@${version}`);
}

/** The contract of (type, version); throws `ContractViolationError` `CONTRACT.UNKNOWN_EVENT`. */
export function getEventContract<
  T extends IntegrationEventType,
  V extends IntegrationEventVersion<T>,
>(type: T, version: V): ContractOf<T, V>;
export function getEventContract(type: string, version: number): EventContract;
export function getEventContract(type: string, version: number): EventContract {
  const contract = findEventContract(type, version);
  if (!contract) throw new ContractViolationError('CONTRACT.UNKNOWN_EVENT', type, version, []);
  return contract;
}

/**
 * Validates event data against its contract and returns it typed. Throws
 * `ContractViolationError` (`CONTRACT.UNKNOWN_EVENT` or `CONTRACT.SCHEMA_VIOLATION`, with the
 * issues by path). Unknown properties are violations: contracts are strict on both sides.
 */
export function parseIntegrationEvent<
  T extends IntegrationEventType,
  V extends IntegrationEventVersion<T>,
>(type: T, version: V, data: unknown): IntegrationEventData<T, V>;
export function parseIntegrationEvent(
  type: string,
  version: number,
  data: unknown,
): IntegrationEvent['data'];
export function parseIntegrationEvent(type: string, version: number, data: unknown): unknown {
  const contract = getEventContract(type, version);
  const result = (contract.schema as z.ZodType).safeParse(data);
  if (!result.success) {
    throw new ContractViolationError(
      'CONTRACT.SCHEMA_VIOLATION',
      type,
      version,
      toContractIssues(result.error.issues),
    );
  }
  return result.data;
}

/** Like `parseIntegrationEvent` but returns the outcome instead of throwing. */
export function safeParseIntegrationEvent(
  type: string,
  version: number,
  data: unknown,
):
  | { readonly ok: true; readonly data: IntegrationEvent['data'] }
  | { readonly ok: false; readonly error: ContractViolationError } {
  try {
    return { ok: true, data: parseIntegrationEvent(type, version, data) };
  } catch (error) {
    if (error instanceof ContractViolationError) return { ok: false, error };
    throw error;
  }
}
