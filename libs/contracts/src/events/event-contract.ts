import type { z } from 'zod';
import { SERVICE_CATALOG, ServiceName } from '../services';
import { TopicName } from '../topics';

/** Deeply readonly view of plain data: what consumers get from a parsed event. */
export type DeepReadonly<T> = T extends (infer E)[]
  ? readonly DeepReadonly<E>[]
  : T extends object
    ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T;

/**
 * One integration event at one version: its wire name, where it is published and the schema of
 * its `data`. Contracts are plain data; the registry (`EVENT_CONTRACTS`) holds them all.
 */
export interface EventContract<
  TType extends string = string,
  TVersion extends number = number,
  TSchema extends z.ZodType = z.ZodType,
> {
  /** Wire name without version, `fulfil.<context>.<PastTenseName>`, e.g. `fulfil.orders.OrderPlaced`. */
  readonly type: TType;
  /** Schema version of `data`: 1, 2, … A breaking change is a new version, never an edit. */
  readonly version: TVersion;
  /** The event's short name, e.g. `OrderPlaced`. */
  readonly name: string;
  /** The only service that publishes it. */
  readonly service: ServiceName;
  /** The owning service's topic. */
  readonly topic: TopicName;
  /** The aggregate the event is about, e.g. `Order`. */
  readonly aggregate: string;
  /** Name of the `data` field holding the aggregate id: the Kafka key and `ce_subject`. */
  readonly subject: string;
  /** One line for documentation. */
  readonly summary: string;
  /** SPEC.md requirement ids this event serves. */
  readonly requirements: readonly string[];
  /** Strict zod schema of `data`. */
  readonly schema: TSchema;
}

/** The readonly TypeScript type of a contract's `data`. */
export type EventData<C extends EventContract> = DeepReadonly<z.output<C['schema']>>;

/** `fulfil.orders.OrderPlaced` + 1 → `fulfil.orders.OrderPlaced.v1` (the CloudEvents `ce_type`). */
export function versionedType(type: string, version: number): string {
  return `${type}.v${version}`;
}

/**
 * Declares a contract; the topic comes from the service catalog so it cannot drift.
 * `subject` must name a field of the schema's output.
 */
export function defineEvent<
  const TType extends string,
  const TVersion extends number,
  TSchema extends z.ZodType<Record<string, unknown>>,
>(definition: {
  type: TType;
  version: TVersion;
  service: ServiceName;
  aggregate: string;
  subject: keyof z.output<TSchema> & string;
  summary: string;
  requirements: readonly string[];
  schema: TSchema;
}): EventContract<TType, TVersion, TSchema> {
  const name = definition.type.slice(definition.type.lastIndexOf('.') + 1);
  return Object.freeze({
    ...definition,
    name,
    topic: SERVICE_CATALOG[definition.service].topic,
    requirements: Object.freeze([...definition.requirements]),
  });
}
