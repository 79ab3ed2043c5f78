import type { DynamicModule } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { ServiceConfig } from '../config/service-config';
import type { ServiceDefinition } from '../service-definition';
import { PreparedStatementClient } from './prepared-statement-client';

/**
 * TypeORM on the service's own database: never `synchronize`; the definition's migrations
 * run at start-up. The database itself is created beforehand by `ensureDatabase`. Statements
 * with parameters run prepared ({@link PreparedStatementClient}).
 */
export function databaseModule(
  definition: ServiceDefinition,
  config: Pick<ServiceConfig, 'databaseUrl' | 'service'>,
): DynamicModule {
  return TypeOrmModule.forRoot({
    type: 'postgres',
    url: config.databaseUrl,
    applicationName: `fulfil-${config.service}`,
    entities: [...(definition.entities ?? [])],
    migrations: [...(definition.migrations ?? [])],
    migrationsRun: true,
    migrationsTransactionMode: 'each',
    synchronize: false,
    logging: false,
    // Fail start-up fast instead of retrying for half a minute; the orchestrator restarts us.
    retryAttempts: 2,
    retryDelay: 1_000,
    extra: {
      connectionTimeoutMillis: 5_000,
      // Keep connections through lulls (pg's default drops them after 10 s idle): a new one
      // costs a SCRAM handshake, milliseconds of CPU on both ends, and its prepared statements.
      idleTimeoutMillis: 60_000,
      Client: PreparedStatementClient,
    },
  });
}
