export type { ServiceDefinition, CatalogEntry } from './service-definition';

export { SERVICE_ENVIRONMENT, type EnvironmentVariable } from './config/service-environment';
export { loadServiceConfig, type ServiceConfig, type LogLevel } from './config/service-config';
export { ConfigurationError } from './config/configuration.error';
export { configOrExit, type ExitTarget } from './config/exit-on-config-error';

export { runService, shutdownGracefully } from './app/run-service';
export { createServiceApp, type CreateServiceAppOptions } from './app/create-service-app';
export {
  SERVICE_CONFIG,
  SERVICE_DEFINITION,
  SERVICE_LOGGER,
  KAFKA_CLIENT,
  KAFKA_ADMIN,
} from './app/kit.tokens';
export { fixKafkajsIdleTimers } from './kafka/kafkajs-request-queue-fix';

export { Public, RequireScopes, Caller } from './auth/auth.decorators';
export type { CallerCredential } from './auth/caller-credential';

export {
  ProblemException,
  ProblemTypes,
  PROBLEM_TYPE_BASE,
  PROBLEM_CONTENT_TYPE,
  type ProblemDetails,
  type ProblemInit,
  type FieldError,
} from './http/problem-details';
export { ValidationProblem } from './http/validation-problem';

export { currentRequestContext, type RequestContext } from './logging/request-context';
export { createServiceLogger } from './logging/create-service-logger';
export { CORRELATION_ID_HEADER } from './logging/request-logging';

export { ensureDatabase } from './database/ensure-database';
export {
  MAX_PREPARED_STATEMENT_TEXTS,
  PreparedStatementClient,
  preparedStatementName,
} from './database/prepared-statement-client';
export { HttpMetrics } from './metrics/http-metrics';
export { httpRequest, type HttpAnswer, type HttpRequestOptions } from './http-client/http-request';

export {
  buildOpenApiDocument,
  serializeOpenApiDocument,
  OPENAPI_VERSION,
} from './openapi/openapi-document';

export { Idempotent, type IdempotentOptions } from './idempotency/idempotent.decorator';
export {
  idempotentAnswerWrite,
  idempotentKeyGuard,
  type IdempotentAnswerWrite,
} from './idempotency/idempotent-answer';
export { IDEMPOTENCY_KEY_HEADER, IDEMPOTENT_REPLAYED_HEADER } from './idempotency/idempotency-key';
export { IDEMPOTENCY_MIGRATIONS } from './idempotency/idempotency.migrations';
export { IdempotencyKeysPackedForAnswers1796700000000 } from './idempotency/room-for-answers.migration';
