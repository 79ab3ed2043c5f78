import { Module, ValidationPipe, type DynamicModule } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_INTERCEPTOR, APP_PIPE } from '@nestjs/core';
import type { Logger } from 'pino';
import { BearerAuthGuard } from '../auth/bearer-auth.guard';
import type { ServiceConfig } from '../config/service-config';
import { databaseModule } from '../database/database.module';
import { HealthHttpController } from '../health/health.http.controller';
import { ReadinessService } from '../health/readiness.service';
import { ProblemDetailsFilter } from '../http/problem-details.filter';
import { ValidationProblem } from '../http/validation-problem';
import { IdempotencyInterceptor } from '../idempotency/idempotency.interceptor';
import { IdempotencyStore } from '../idempotency/idempotency.store';
import { KafkaModule } from '../kafka/kafka.module';
import { HttpMetrics } from '../metrics/http-metrics';
import { MetricsHttpController } from '../metrics/metrics.http.controller';
import type { ServiceDefinition } from '../service-definition';
import { SERVICE_CONFIG, SERVICE_DEFINITION, SERVICE_LOGGER } from './kit.tokens';

@Module({})
class KitCoreModule {}

/**
 * The root module of every service: the kit's providers (config, logger, database, Kafka,
 * auth guard, validation, problem details, idempotency keys, health, metrics) around the
 * feature module.
 */
export function serviceAppModule(
  definition: ServiceDefinition,
  config: ServiceConfig,
  logger: Logger,
): DynamicModule {
  const core: DynamicModule = {
    module: KitCoreModule,
    global: true,
    providers: [
      { provide: SERVICE_CONFIG, useValue: config },
      { provide: SERVICE_DEFINITION, useValue: definition },
      { provide: SERVICE_LOGGER, useValue: logger },
      { provide: HttpMetrics, useValue: new HttpMetrics({ service: config.service }) },
    ],
    exports: [SERVICE_CONFIG, SERVICE_DEFINITION, SERVICE_LOGGER, HttpMetrics],
  };
  return {
    module: ServiceAppModule,
    imports: [core, databaseModule(definition, config), KafkaModule, definition.module],
    controllers: [HealthHttpController, MetricsHttpController],
    providers: [
      ReadinessService,
      { provide: APP_GUARD, useClass: BearerAuthGuard },
      { provide: APP_FILTER, useClass: ProblemDetailsFilter },
      // Acts only on routes marked @Idempotent(); runs after the guard, before the pipes.
      IdempotencyStore,
      { provide: APP_INTERCEPTOR, useClass: IdempotencyInterceptor },
      {
        provide: APP_PIPE,
        useValue: new ValidationPipe({
          whitelist: true,
          forbidNonWhitelisted: true,
          transform: true,
          exceptionFactory: ValidationProblem.fromValidationErrors,
        }),
      },
    ],
  };
}

@Module({})
export class ServiceAppModule {}
