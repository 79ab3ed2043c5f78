import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import pino from 'pino';
import { serviceAppModule } from '../app/service-app.module';
import { BEARER_SCHEME } from '../auth/bearer-scheme';
import { loadServiceConfig, type ServiceConfig } from '../config/service-config';
import type { ServiceDefinition } from '../service-definition';

/** Version written into every document's `info.version`. */
export const OPENAPI_VERSION = '0.1.0';

function scopesDescription(definition: ServiceDefinition): string {
  const lines = Object.entries(definition.scopes).map(([scope, text]) => `- \`${scope}\`: ${text}`);
  return [
    'Internal callers send `Authorization: Bearer <token>`; tokens and their scopes are configured per caller (AUTH_TOKENS).',
    'Scopes:',
    ...lines,
  ].join('\n');
}

/** The document of an application built from `definition` (routes scanned from `app`). */
export function createOpenApiDocument(
  app: INestApplication,
  definition: ServiceDefinition,
): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle(definition.title)
    .setDescription(definition.description)
    .setVersion(OPENAPI_VERSION)
    .addBearerAuth(
      {
        type: 'http',
        scheme: 'bearer',
        bearerFormat: 'opaque token',
        description: scopesDescription(definition),
      },
      BEARER_SCHEME,
    )
    .addSecurityRequirements(BEARER_SCHEME)
    .build();
  const document = SwaggerModule.createDocument(app, config);
  return { ...document, 'x-scopes': { ...definition.scopes } } as OpenAPIObject;
}

/**
 * Builds the service's OpenAPI document without a database or Kafka: the application graph
 * is created in Nest's preview mode, which resolves modules and routes but instantiates no
 * provider (so no connection is ever opened).
 */
export async function buildOpenApiDocument(definition: ServiceDefinition): Promise<OpenAPIObject> {
  // The service's own parsing and defaults, with addresses nothing connects to and no caller.
  const config: ServiceConfig = {
    ...loadServiceConfig(definition, {
      HOST: '127.0.0.1',
      DATABASE_URL: 'postgres://unused.invalid/unused',
      KAFKA_BROKERS: 'unused.invalid:9092',
      AUTH_TOKENS: JSON.stringify([
        { caller: 'openapi', token: 'unused-openapi-token', scopes: [] },
      ]),
      KAFKA_CLIENT_ID: 'openapi',
      LOG_LEVEL: 'fatal',
    }),
    authTokens: [],
  };
  const logger = pino({ enabled: false });
  const app = await NestFactory.create(serviceAppModule(definition, config, logger), {
    preview: true,
    logger: false,
    abortOnError: false,
  });
  try {
    return createOpenApiDocument(app, definition);
  } finally {
    await app.close();
  }
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((key) => [key, sortKeys((value as Record<string, unknown>)[key])]),
  );
}

/** The committed form of a document: keys sorted at every level, 2-space indent, final newline. */
export function serializeOpenApiDocument(document: OpenAPIObject): string {
  return `${JSON.stringify(sortKeys(document), null, 2)}\n`;
}
