import type { CloudEventEnvelope } from '@fulfil/contracts';
import type { EnqueueContext } from '@fulfil/messaging';

/** Who asked, why and when: becomes the stored events' metadata and the outbox context. */
export interface CommandContext {
  readonly correlationId: string;
  /** The message or command that caused this one (an integration event's id). */
  readonly causationId?: string;
  /** The HTTP caller, or the component acting (`inventory`). */
  readonly actor: string;
  readonly now: Date;
  readonly traceparent?: string;
}

/** The context of work caused by a consumed integration event. */
export function contextFromEnvelope(
  envelope: CloudEventEnvelope,
  now = new Date(),
): CommandContext {
  return {
    correlationId: envelope.correlationId,
    causationId: envelope.id,
    actor: 'inventory',
    now,
    ...(envelope.traceparent ? { traceparent: envelope.traceparent } : {}),
  };
}

export function eventMetadata(context: CommandContext) {
  return {
    correlationId: context.correlationId,
    ...(context.causationId ? { causationId: context.causationId } : {}),
    actor: context.actor,
    now: context.now.toISOString(),
    ...(context.traceparent ? { traceparent: context.traceparent } : {}),
  };
}

export function outboxContext(context: CommandContext): EnqueueContext {
  return {
    correlationId: context.correlationId,
    time: context.now.toISOString(),
    ...(context.causationId ? { causationId: context.causationId } : {}),
    ...(context.traceparent ? { traceparent: context.traceparent } : {}),
  };
}
