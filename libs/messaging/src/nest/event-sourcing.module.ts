import {
  Inject,
  Injectable,
  Module,
  type BeforeApplicationShutdown,
  type DynamicModule,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { CommandHandler, EventStore } from '@fulfil/event-store';
import {
  HttpMetrics,
  KAFKA_CLIENT,
  PreparedStatementClient,
  SERVICE_CONFIG,
  SERVICE_LOGGER,
  type ServiceConfig,
} from '@fulfil/service-kit';
import type { Kafka } from 'kafkajs';
import { Pool } from 'pg';
import type { Logger } from 'pino';
import { DeadlineScheduler } from '../deadlines/deadline-scheduler';
import { OutboxRelay } from '../outbox/outbox-relay';
import { EVENT_SOURCING_OPTIONS, PG_POOL } from './event-sourcing.tokens';

/** Options of {@link EventSourcingModule.forRoot}. */
export interface EventSourcingOptions {
  /** Connections of the service's pool. Default 10. */
  readonly poolSize?: number;
  /**
   * How long the relay waits when the outbox is empty while the service commits outbox rows,
   * ms. Default 20; the operator's `OUTBOX_RELAY_POLL_INTERVAL_MS` overrides it. Every hop of
   * a cross-service flow waits up to this long. After 10 intervals without a commit the relay
   * waits 10 intervals (200 ms by default), and a commit of the service cuts that wait short,
   * to one interval after it began.
   */
  readonly relayPollIntervalMs?: number;
  /**
   * How often due deadlines are looked for, ms. Default 250. Work due at once that the service
   * schedules itself (a provider call after a command) wakes the scheduler when its
   * transaction commits; the poll finds deadlines coming due and those of other instances.
   */
  readonly deadlinePollIntervalMs?: number;
  /**
   * The service's inbox transactions (`connectInbox`) commit without waiting for the WAL
   * flush, and the relay flushes before it publishes (and the inbox before it commits
   * offsets): fewer flushes on the consumers' path, nothing published or acknowledged that a
   * database crash could take back. Only for services whose event handlers have no effect
   * outside the database (no call, no hand-off run at commit). Default false; PostgreSQL 17+.
   */
  readonly asynchronousInboxCommits?: boolean;
}

/** Starts the relay and the deadline loop with the application; stops them and the pool after it. */
@Injectable()
class EventSourcingLifecycle
  implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown
{
  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    private readonly relay: OutboxRelay,
    private readonly deadlines: DeadlineScheduler,
  ) {}

  onApplicationBootstrap(): void {
    this.relay.start();
    this.deadlines.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await Promise.all([this.relay.stop(), this.deadlines.stop()]);
  }

  /** Last: consumers (closed with the application) may still be finishing a transaction before. */
  async onApplicationShutdown(): Promise<void> {
    await this.pool.end();
  }
}

/**
 * The event-sourcing core wired into a service: a `pg.Pool` on its database (`PG_POOL`), the
 * `EventStore`, a `CommandHandler`, the `DeadlineScheduler` and the `OutboxRelay` publishing the
 * outbox to Kafka, running from bootstrap to shutdown. Import it once, in the service's feature
 * module, and list `EVENT_SOURCING_MIGRATIONS` first among the service's migrations. Consumers
 * are connected with `connectInbox` from the definition's `configure` hook.
 */
@Module({})
export class EventSourcingModule {
  static forRoot(options: EventSourcingOptions = {}): DynamicModule {
    return {
      module: EventSourcingModule,
      global: true,
      providers: [
        { provide: EVENT_SOURCING_OPTIONS, useValue: options },
        {
          provide: PG_POOL,
          inject: [SERVICE_CONFIG, SERVICE_LOGGER],
          useFactory: (config: ServiceConfig, logger: Logger) => {
            const pool = new Pool({
              connectionString: config.databaseUrl,
              max: options.poolSize ?? 10,
              // Keep connections through lulls: a new one costs a SCRAM handshake.
              idleTimeoutMillis: 60_000,
              application_name: `fulfil-${config.service}`,
              // Parsed and planned once per connection, not on every statement.
              Client: PreparedStatementClient,
            });
            // An idle connection dropped by the server must not crash the service.
            pool.on('error', (error) => logger.warn({ err: error }, 'idle database connection'));
            return pool;
          },
        },
        {
          provide: EventStore,
          inject: [PG_POOL],
          useFactory: (pool: Pool) => new EventStore(pool),
        },
        {
          provide: CommandHandler,
          inject: [EventStore],
          useFactory: (store: EventStore) => new CommandHandler(store),
        },
        {
          provide: OutboxRelay,
          inject: [PG_POOL, KAFKA_CLIENT, HttpMetrics, SERVICE_LOGGER, SERVICE_CONFIG],
          useFactory: (
            pool: Pool,
            kafka: Kafka,
            metrics: HttpMetrics,
            logger: Logger,
            config: ServiceConfig,
          ) =>
            new OutboxRelay({
              pool,
              kafka,
              // The operator's setting wins over the service's.
              pollIntervalMs: config.outboxRelayPollIntervalMs ?? options.relayPollIntervalMs ?? 20,
              flushBeforePublishing: options.asynchronousInboxCommits,
              registry: metrics.registry,
              logger: messagingLogger(logger, 'outbox-relay'),
            }),
        },
        {
          provide: DeadlineScheduler,
          inject: [PG_POOL, HttpMetrics, SERVICE_LOGGER, SERVICE_CONFIG],
          useFactory: (pool: Pool, metrics: HttpMetrics, logger: Logger, config: ServiceConfig) =>
            new DeadlineScheduler({
              pool,
              pollIntervalMs: options.deadlinePollIntervalMs ?? 250,
              leaseMs: config.deadlineLeaseMs,
              registry: metrics.registry,
              logger: messagingLogger(logger, 'deadlines'),
            }),
        },
        EventSourcingLifecycle,
      ],
      exports: [
        EVENT_SOURCING_OPTIONS,
        PG_POOL,
        EventStore,
        CommandHandler,
        OutboxRelay,
        DeadlineScheduler,
      ],
    };
  }
}

/** The library's two-method logger on the service's pino logger. */
export function messagingLogger(logger: Logger, component: string) {
  const child = logger.child({ component });
  return {
    warn: (message: string) => child.warn(message),
    error: (message: string) => child.error(message),
  };
}
