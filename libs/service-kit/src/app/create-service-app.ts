import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter, type NestExpressApplication } from '@nestjs/platform-express';
import { SwaggerModule } from '@nestjs/swagger';
import type { Logger } from 'pino';
import type { ServiceConfig } from '../config/service-config';
import { ensureDatabase } from '../database/ensure-database';
import { installBodyParsing } from '../http/body-parsing';
import { createServiceLogger } from '../logging/create-service-logger';
import { PinoNestLogger } from '../logging/pino-nest-logger';
import { correlationIdMiddleware, requestLoggingMiddleware } from '../logging/request-logging';
import { HttpMetrics } from '../metrics/http-metrics';
import { createOpenApiDocument } from '../openapi/openapi-document';
import type { ServiceDefinition } from '../service-definition';
import { serviceAppModule } from './service-app.module';

/** Options for tests: where log lines go (default stdout). */
export interface CreateServiceAppOptions {
  readonly logger?: Logger;
}

/**
 * Creates the service's application, initialised but not listening: its database exists
 * and is migrated, routes, middleware, OpenAPI (`/docs`, `/docs-json`) are in place, and the
 * microservice transports the definition's `configure` connected (Kafka consumers) run.
 * `runService` listens on it; tests drive it with supertest (`app.getHttpServer()`).
 */
export async function createServiceApp(
  definition: ServiceDefinition,
  config: ServiceConfig,
  options: CreateServiceAppOptions = {},
): Promise<INestApplication> {
  const logger = options.logger ?? createServiceLogger(config);
  await ensureDatabase(config.databaseUrl);
  const app = await NestFactory.create<NestExpressApplication>(
    serviceAppModule(definition, config, logger),
    new ExpressAdapter(),
    { bodyParser: false, rawBody: true, logger: new PinoNestLogger(logger) },
  );
  app.disable('x-powered-by');
  app.use(correlationIdMiddleware());
  app.use(requestLoggingMiddleware(logger));
  app.use(app.get(HttpMetrics).middleware());
  installBodyParsing(app, config.httpBodyLimit);
  SwaggerModule.setup('docs', app, createOpenApiDocument(app, definition), {
    jsonDocumentUrl: 'docs-json',
    yamlDocumentUrl: 'docs-yaml',
  });
  await definition.configure?.(app);
  await app.init();
  await app.startAllMicroservices();
  return app;
}
