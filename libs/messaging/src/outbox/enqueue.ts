import { randomUUID } from 'node:crypto';
import { getEventContract, toKafkaMessage, type IntegrationEvent } from '@fulfil/contracts';
import { runWrites, type Queryable, type Write } from '@fulfil/event-store';
import { outboxCommitted } from './outbox-commits';

/** An integration event to publish, with its own id and time when the caller has them. */
export interface OutgoingIntegrationEvent {
  readonly event: IntegrationEvent;
  /** `ce_id` (a UUID): stable across re-publication, the consumers' idempotence key. Default: a new UUID. */
  readonly id?: string;
  /** `ce_time`, ISO-8601 UTC. Default: `context.time`. */
  readonly time?: string;
  /** `ce_causationid` of this event; default `context.causationId`. */
  readonly causationId?: string;
}

/** What all events of one enqueue share (usually the command's metadata). */
export interface EnqueueContext {
  readonly correlationId: string;
  readonly causationId?: string;
  /** `ce_time` for events without their own, ISO-8601 UTC (`metadata.now` of the command). */
  readonly time: string;
  readonly traceparent?: string;
  readonly tracestate?: string;
  /** Topic override; default: the topic of the event's contract (its service's topic). */
  readonly topic?: string;
}

/** One row as written to `outbox`. */
export interface EnqueuedMessage {
  readonly messageId: string;
  readonly topic: string;
  readonly key: string;
}

/**
 * Validates every event against its contract and writes them to `outbox` through the caller's
 * transaction `client` — call it inside `EventStore.withTransaction` (or a `CommandHandler`
 * `afterAppend`) AFTER `appendToStream`, so the domain events and the outbox rows commit
 * together or not at all. One statement; the order given is the publication order.
 *
 * All events are validated before anything is written: one invalid event writes nothing. Once
 * a `withTransaction` transaction commits them, this process' relays read them at once.
 *
 * @throws {ContractViolationError} an event's data fails its schema or has no contract.
 * @throws {EnvelopeError} the context is malformed (time not UTC ISO-8601, empty correlation id…).
 */
export async function enqueueIntegrationEvents(
  client: Queryable,
  events: readonly OutgoingIntegrationEvent[],
  context: EnqueueContext,
): Promise<EnqueuedMessage[]> {
  const { write, enqueued } = outboxWrite(events, context);
  await runWrites(client, [write]);
  return enqueued;
}

/**
 * The outbox insert of `enqueueIntegrationEvents` as a `Write`, to send with the other writes
 * of a command in one statement (`runWrites`); undefined when there are no events. Validates
 * the events at once, as `enqueueIntegrationEvents` does.
 */
export function integrationEventsWrite(
  events: readonly OutgoingIntegrationEvent[],
  context: EnqueueContext,
): Write | undefined {
  return outboxWrite(events, context).write;
}

function outboxWrite(
  events: readonly OutgoingIntegrationEvent[],
  context: EnqueueContext,
): { write: Write | undefined; enqueued: EnqueuedMessage[] } {
  const rows = events.map((outgoing) => {
    const id = outgoing.id ?? randomUUID();
    const message = toKafkaMessage(outgoing.event, {
      id,
      time: outgoing.time ?? context.time,
      correlationId: context.correlationId,
      ...optional('causationId', outgoing.causationId ?? context.causationId),
      ...optional('traceparent', context.traceparent),
      ...optional('tracestate', context.tracestate),
    });
    const topic =
      context.topic ?? getEventContract(outgoing.event.type, outgoing.event.version).topic;
    return { id, topic, message };
  });
  const enqueued = rows.map((r) => ({ messageId: r.id, topic: r.topic, key: r.message.key }));
  if (rows.length === 0) return { write: undefined, enqueued };
  const write: Write = {
    text: `INSERT INTO outbox (message_id, topic, key, headers, value)
           SELECT m.message_id, m.topic, m.key, m.headers, m.value
             FROM unnest($1::uuid[], $2::text[], $3::text[], $4::jsonb[], $5::bytea[])
                  WITH ORDINALITY AS m(message_id, topic, key, headers, value, ord)
            ORDER BY m.ord`,
    values: [
      rows.map((r) => r.id),
      rows.map((r) => r.topic),
      rows.map((r) => r.message.key),
      rows.map((r) => JSON.stringify(r.message.headers)),
      rows.map((r) => r.message.value),
    ],
    onCommit: outboxCommitted,
  };
  return { write, enqueued };
}

function optional<K extends string>(
  name: K,
  value: string | undefined,
): Partial<Record<K, string>> {
  return value === undefined ? {} : ({ [name]: value } as Record<K, string>);
}
