export { CREATE_MESSAGING_SQL, CreateMessaging1732400000000 } from './create-messaging.migration';
export {
  OUTBOX_RELAY_ORDER_KEY_SQL,
  OutboxRelayOrderKey1733500000000,
} from './outbox-relay-order-key.migration';
export {
  enqueueIntegrationEvents,
  integrationEventsWrite,
  type EnqueueContext,
  type EnqueuedMessage,
  type OutgoingIntegrationEvent,
} from './outbox/enqueue';
export { OutboxRelay, type OutboxMessage, type OutboxRelayOptions } from './outbox/outbox-relay';
export {
  DeadLetterHeaders,
  deadLetterTopic,
  redriveMessage,
  type DeadLetterReason,
} from './inbox/dead-letter';
export { takeAdvisoryLocks } from './inbox/advisory-locks';
export { InboxConsumer } from './inbox/inbox-consumer';
export type {
  InboxConsumerOptions,
  IntegrationEventHandler,
  MessageSource,
} from './inbox/inbox-consumer.options';
export type { MessageOutcome } from './inbox/inbox-processor';
export {
  InboxContext,
  KafkaInboxTransport,
  type InboxPayload,
} from './inbox/kafka-inbox.transport';
export {
  ProjectionRunner,
  type Projection,
  type ProjectionRunnerOptions,
} from './projections/projection-runner';
export { backoffDelay, type BackoffOptions, type MessagingLogger } from './shared/backoff';
export { DeadlineScheduler } from './deadlines/deadline-scheduler';
export {
  DeadlineLeaseLostError,
  type CompleteDeadline,
  type Deadline,
  type ScheduledDeadline,
  type DeadlineHandler,
  type DeadlineSchedulerOptions,
  type LeasedDeadlineHandler,
} from './deadlines/deadline.types';
export { CreateDeadlines1732500000000 } from './deadlines/create-deadlines.migration';
export { EventSourcingModule, type EventSourcingOptions } from './nest/event-sourcing.module';
export { EVENT_SOURCING_MIGRATIONS } from './nest/event-sourcing.migrations';
export { PG_POOL } from './nest/event-sourcing.tokens';
export { connectInbox, type ConnectInboxOptions } from './nest/connect-inbox';
