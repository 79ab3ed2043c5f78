import type { INestApplication } from '@nestjs/common';
import {
  HttpMetrics,
  KAFKA_CLIENT,
  SERVICE_CONFIG,
  SERVICE_LOGGER,
  type ServiceConfig,
} from '@fulfil/service-kit';
import type { Kafka } from 'kafkajs';
import type { Pool } from 'pg';
import type { Logger } from 'pino';
import type { InboxConsumerOptions } from '../inbox/inbox-consumer.options';
import { KafkaInboxTransport } from '../inbox/kafka-inbox.transport';
import { messagingLogger, type EventSourcingOptions } from './event-sourcing.module';
import { EVENT_SOURCING_OPTIONS, PG_POOL } from './event-sourcing.tokens';

/** Options of {@link connectInbox}. */
export interface ConnectInboxOptions extends Partial<
  Pick<
    InboxConsumerOptions,
    'maxAttempts' | 'backoff' | 'fromBeginning' | 'maxEventsPerTransaction' | 'lockKeys' | 'skip'
  >
> {
  /** Topics to consume (other services' `<service>.events`). */
  readonly topics: readonly string[];
  /** Consumer group. Default: the service's name. */
  readonly groupId?: string;
}

/**
 * Connects the idempotent Kafka consumer to a service application (call it in the service
 * definition's `configure` hook): the app's `@EventPattern('<wire name>')` handlers receive
 * `InboxPayload` and an `InboxContext` whose client is the transaction that also records the
 * event in the inbox. Needs `EventSourcingModule` (for the pool).
 */
export function connectInbox(app: INestApplication, options: ConnectInboxOptions): void {
  const config = app.get<ServiceConfig>(SERVICE_CONFIG);
  const { topics, groupId, ...tuning } = options;
  app.connectMicroservice(
    {
      strategy: new KafkaInboxTransport({
        ...tuning,
        pool: app.get<Pool>(PG_POOL),
        kafka: app.get<Kafka>(KAFKA_CLIENT),
        groupId: groupId ?? config.service,
        topics,
        sessionTimeoutMs: config.kafkaSessionTimeoutMs,
        asynchronousCommit:
          app.get<EventSourcingOptions>(EVENT_SOURCING_OPTIONS).asynchronousInboxCommits,
        registry: app.get(HttpMetrics).registry,
        logger: messagingLogger(app.get<Logger>(SERVICE_LOGGER), 'inbox'),
      }),
    },
    // The HTTP app's pipes and filters (problem details) do not fit Kafka messages.
    { inheritAppConfig: false },
  );
}
