import type { CallerCredential } from '../auth/caller-credential';
import type { ServiceDefinition } from '../service-definition';
import { parseAuthTokens } from './auth-tokens.parser';
import {
  parseBrokers,
  parseByteSize,
  parseClientId,
  parseDatabaseUrl,
  parseInteger,
  parseLogLevel,
  type LogLevel,
} from './config-parsers';
import { ConfigurationError } from './configuration.error';

export type { LogLevel };

/** A service's validated configuration (see `SERVICE_ENVIRONMENT`). */
export interface ServiceConfig {
  /** The service's catalog name. */
  readonly service: string;
  readonly port: number;
  readonly host: string;
  readonly databaseUrl: string;
  readonly kafkaBrokers: readonly string[];
  readonly kafkaClientId: string;
  readonly authTokens: readonly CallerCredential[];
  readonly logLevel: LogLevel;
  /** Largest accepted request body, in bytes. */
  readonly httpBodyLimit: number;
  readonly shutdownGraceMs: number;
  /** `OUTBOX_RELAY_POLL_INTERVAL_MS`; unset: the service's own default. */
  readonly outboxRelayPollIntervalMs: number | undefined;
  /** `KAFKA_SESSION_TIMEOUT_MS`: the session of the service's consumer-group members. */
  readonly kafkaSessionTimeoutMs: number;
  /** `DEADLINE_LEASE_MS`: how long a deadline whose handler calls out stays with one process. */
  readonly deadlineLeaseMs: number;
}

type Environment = Readonly<Record<string, string | undefined>>;

/**
 * Reads and validates the service's environment. Throws a `ConfigurationError` naming the
 * first missing or malformed variable; empty values count as unset.
 */
export function loadServiceConfig(
  definition: Pick<ServiceDefinition, 'catalog'>,
  env: Environment = process.env,
): ServiceConfig {
  const { catalog } = definition;
  const optional = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value ? value : undefined;
  };
  const required = (name: string): string => {
    const value = optional(name);
    if (value === undefined) throw new ConfigurationError(name, 'is required but not set');
    return value;
  };
  const withDefault = <T>(name: string, fallback: T, parse: (raw: string) => T): T => {
    const raw = optional(name);
    return raw === undefined ? fallback : parse(raw);
  };

  return {
    service: catalog.name,
    port: withDefault('PORT', catalog.defaultPort, (raw) => parseInteger('PORT', raw, 1, 65535)),
    host: withDefault('HOST', '0.0.0.0', (raw) => raw),
    databaseUrl: parseDatabaseUrl('DATABASE_URL', required('DATABASE_URL')),
    kafkaBrokers: parseBrokers('KAFKA_BROKERS', required('KAFKA_BROKERS')),
    authTokens: parseAuthTokens('AUTH_TOKENS', required('AUTH_TOKENS')),
    logLevel: withDefault('LOG_LEVEL', 'info', (raw) => parseLogLevel('LOG_LEVEL', raw)),
    httpBodyLimit: withDefault('HTTP_BODY_LIMIT', 1024 * 1024, (raw) =>
      parseByteSize('HTTP_BODY_LIMIT', raw),
    ),
    shutdownGraceMs: withDefault('SHUTDOWN_GRACE_MS', 10_000, (raw) =>
      parseInteger('SHUTDOWN_GRACE_MS', raw, 0, 600_000),
    ),
    kafkaClientId: withDefault('KAFKA_CLIENT_ID', `fulfil-${catalog.name}`, (raw) =>
      parseClientId('KAFKA_CLIENT_ID', raw),
    ),
    outboxRelayPollIntervalMs: withDefault('OUTBOX_RELAY_POLL_INTERVAL_MS', undefined, (raw) =>
      parseInteger('OUTBOX_RELAY_POLL_INTERVAL_MS', raw, 1, 10_000),
    ),
    // The bounds are a Kafka broker's defaults (group.min/max.session.timeout.ms): a session
    // outside them fails the join.
    kafkaSessionTimeoutMs: withDefault('KAFKA_SESSION_TIMEOUT_MS', 30_000, (raw) =>
      parseInteger('KAFKA_SESSION_TIMEOUT_MS', raw, 6_000, 1_800_000),
    ),
    deadlineLeaseMs: withDefault('DEADLINE_LEASE_MS', 60_000, (raw) =>
      parseInteger('DEADLINE_LEASE_MS', raw, 5_000, 3_600_000),
    ),
  };
}
