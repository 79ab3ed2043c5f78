import { Global, Inject, Injectable, Module, type OnApplicationShutdown } from '@nestjs/common';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import type { Logger } from 'pino';
import { KAFKA_ADMIN, KAFKA_CLIENT, SERVICE_CONFIG, SERVICE_LOGGER } from '../app/kit.tokens';
import type { ServiceConfig } from '../config/service-config';
import { kafkajsPinoLogCreator } from './kafkajs-pino-log-creator';
import { fixKafkajsIdleTimers } from './kafkajs-request-queue-fix';

// Before any client exists: every service connection would otherwise spin a 1 ms timer.
fixKafkajsIdleTimers();

/** Disconnects the kit's Kafka admin when the application shuts down. */
@Injectable()
export class KafkaShutdown implements OnApplicationShutdown {
  constructor(@Inject(KAFKA_ADMIN) private readonly admin: Admin) {}

  async onApplicationShutdown(): Promise<void> {
    await this.admin.disconnect();
  }
}

/**
 * Provides the kafkajs client (`KAFKA_CLIENT`) and an admin (`KAFKA_ADMIN`) to the whole
 * application. Producers and consumers that services create from the client are theirs to
 * disconnect (in their own shutdown hooks).
 */
@Global()
@Module({
  providers: [
    {
      provide: KAFKA_CLIENT,
      inject: [SERVICE_CONFIG, SERVICE_LOGGER],
      useFactory: (config: ServiceConfig, logger: Logger): Kafka =>
        new Kafka({
          clientId: config.kafkaClientId,
          brokers: [...config.kafkaBrokers],
          logLevel: logLevel.WARN,
          logCreator: kafkajsPinoLogCreator(logger),
          connectionTimeout: 3_000,
        }),
    },
    {
      provide: KAFKA_ADMIN,
      inject: [SERVICE_CONFIG, SERVICE_LOGGER],
      // Readiness must answer quickly and leave nothing pending when Kafka is gone: a client
      // of its own with short timeouts and no retries (the check adds its own deadline).
      useFactory: (config: ServiceConfig, logger: Logger): Admin =>
        new Kafka({
          clientId: `${config.kafkaClientId}-readiness`,
          brokers: [...config.kafkaBrokers],
          logLevel: logLevel.WARN,
          logCreator: kafkajsPinoLogCreator(logger),
          connectionTimeout: 1_000,
          requestTimeout: 1_500,
          retry: { retries: 0 },
        }).admin({ retry: { retries: 0 } }),
    },
    KafkaShutdown,
  ],
  exports: [KAFKA_CLIENT, KAFKA_ADMIN],
})
export class KafkaModule {}
