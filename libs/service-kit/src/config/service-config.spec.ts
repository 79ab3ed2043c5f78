import { ConfigurationError } from './configuration.error';
import { loadServiceConfig } from './service-config';
import { SERVICE_ENVIRONMENT } from './service-environment';

const TOKEN = 'storefront-secret-token-1';
const OTHER_TOKEN = 'bi-secret-token-000002';
const definition = {
  catalog: {
    name: 'after-sales',
    defaultPort: 3005,
    topic: 'aftersales.events',
    database: 'after_sales',
  },
};
const VALID = {
  DATABASE_URL: 'postgres://app:p4ssw0rd@db.internal:5432/after_sales',
  KAFKA_BROKERS: 'kafka-0:9092, kafka-1:9092',
  AUTH_TOKENS: JSON.stringify([
    { caller: 'storefront', token: TOKEN, scopes: ['after-sales:read', 'after-sales:write'] },
    { caller: 'bi', token: OTHER_TOKEN, scopes: ['after-sales:read'] },
  ]),
};

/** Loads with `overrides` and returns the error, asserting it names `variable` and leaks nothing. */
function failure(variable: string, overrides: Record<string, string | undefined>): string {
  let error: unknown;
  try {
    loadServiceConfig(definition, { ...VALID, ...overrides });
  } catch (caught) {
    error = caught;
  }
  expect(error).toBeInstanceOf(ConfigurationError);
  const { message } = error as ConfigurationError;
  expect((error as ConfigurationError).variable).toBe(variable);
  expect(message.startsWith(`${variable} `)).toBe(true);
  expect(message).not.toContain('\n');
  for (const secret of [TOKEN, OTHER_TOKEN, 'p4ssw0rd', 'short-tok', 'dup-token-abcdefgh']) {
    expect(message).not.toContain(secret);
  }
  return message;
}

describe('loadServiceConfig', () => {
  it('applies the documented defaults', () => {
    expect(loadServiceConfig(definition, VALID)).toEqual({
      service: 'after-sales',
      port: 3005,
      host: '0.0.0.0',
      databaseUrl: VALID.DATABASE_URL,
      kafkaBrokers: ['kafka-0:9092', 'kafka-1:9092'],
      kafkaClientId: 'fulfil-after-sales',
      authTokens: [
        { caller: 'storefront', token: TOKEN, scopes: ['after-sales:read', 'after-sales:write'] },
        { caller: 'bi', token: OTHER_TOKEN, scopes: ['after-sales:read'] },
      ],
      logLevel: 'info',
      httpBodyLimit: 1024 * 1024,
      shutdownGraceMs: 10_000,
      outboxRelayPollIntervalMs: undefined,
      kafkaSessionTimeoutMs: 30_000,
      deadlineLeaseMs: 60_000,
    });
  });

  it('reads every optional variable', () => {
    const config = loadServiceConfig(definition, {
      ...VALID,
      PORT: '8080',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'DEBUG',
      HTTP_BODY_LIMIT: '512kb',
      SHUTDOWN_GRACE_MS: '2500',
      KAFKA_CLIENT_ID: 'after-sales-blue',
      OUTBOX_RELAY_POLL_INTERVAL_MS: '50',
      KAFKA_SESSION_TIMEOUT_MS: '10000',
      DEADLINE_LEASE_MS: '20000',
      DATABASE_URL: 'postgresql://db/after_sales',
    });
    expect(config).toMatchObject({
      port: 8080,
      host: '127.0.0.1',
      logLevel: 'debug',
      httpBodyLimit: 512 * 1024,
      shutdownGraceMs: 2500,
      kafkaClientId: 'after-sales-blue',
      outboxRelayPollIntervalMs: 50,
      kafkaSessionTimeoutMs: 10_000,
      deadlineLeaseMs: 20_000,
    });
    expect(loadServiceConfig(definition, { ...VALID, HTTP_BODY_LIMIT: '2048' }).httpBodyLimit).toBe(
      2048,
    );
    expect(loadServiceConfig(definition, { ...VALID, HTTP_BODY_LIMIT: '1MB' }).httpBodyLimit).toBe(
      1024 * 1024,
    );
  });

  it('treats an empty value as unset', () => {
    expect(loadServiceConfig(definition, { ...VALID, PORT: '', LOG_LEVEL: ' ' }).port).toBe(3005);
    expect(failure('DATABASE_URL', { DATABASE_URL: '' })).toBe(
      'DATABASE_URL is required but not set',
    );
  });

  it.each(['DATABASE_URL', 'KAFKA_BROKERS', 'AUTH_TOKENS'])('requires %s', (variable) => {
    expect(failure(variable, { [variable]: undefined })).toBe(
      `${variable} is required but not set`,
    );
  });

  it.each(['0', '65536', 'http', '80.5', '-1'])('rejects PORT=%s', (value) => {
    expect(failure('PORT', { PORT: value })).toBe('PORT must be a whole number from 1 to 65535');
  });

  it.each([
    ['not a url', 'is not a valid URL'],
    ['mysql://db/after_sales', 'must start with postgres:// or postgresql://'],
    ['postgres://app:p4ssw0rd@db.internal:5432/', 'has no database name'],
    ['postgres://app:p4ssw0rd@db.internal:5432', 'has no database name'],
    ['postgres:///after_sales', 'has no host'],
  ])('rejects DATABASE_URL %s without echoing it', (value, problem) => {
    expect(failure('DATABASE_URL', { DATABASE_URL: value })).toContain(problem);
  });

  it.each(['kafka', 'kafka:', 'kafka:99999', 'kafka:9092,,other:9092', 'kafka:9092;x:1'])(
    'rejects KAFKA_BROKERS=%s',
    (value) => {
      expect(failure('KAFKA_BROKERS', { KAFKA_BROKERS: value })).toContain('is not host:port');
    },
  );

  it('accepts IPv6 brokers', () => {
    expect(
      loadServiceConfig(definition, { ...VALID, KAFKA_BROKERS: '[::1]:9092' }).kafkaBrokers,
    ).toEqual(['[::1]:9092']);
  });

  const entry = (fields: Record<string, unknown>): string =>
    JSON.stringify([{ caller: 'storefront', token: TOKEN, scopes: ['a:read'], ...fields }]);

  it.each([
    ['not JSON', `[{"caller":"storefront","token":"${TOKEN}"`, 'is not valid JSON'],
    ['an object', JSON.stringify({ caller: 'x' }), 'must be a non-empty JSON array'],
    ['empty', '[]', 'must be a non-empty JSON array'],
    ['an entry not an object', '["x"]', 'entry 1 is not an object'],
    ['a missing caller', entry({ caller: undefined }), 'entry 1 needs a "caller"'],
    ['a caller with spaces', entry({ caller: 'store front' }), 'entry 1 needs a "caller"'],
    ['a short token', entry({ token: 'short-tok' }), 'needs a "token" of at least 16 characters'],
    ['a missing token', entry({ token: undefined }), 'needs a "token" of at least 16 characters'],
    ['missing scopes', entry({ scopes: undefined }), 'needs "scopes"'],
    ['a non-string scope', entry({ scopes: ['a:read', 3] }), 'needs "scopes"'],
    [
      'a duplicate caller',
      JSON.stringify([
        { caller: 'pos', token: TOKEN, scopes: [] },
        { caller: 'pos', token: OTHER_TOKEN, scopes: [] },
      ]),
      'entry 2 (caller "pos") repeats a caller',
    ],
    [
      'a duplicate token',
      JSON.stringify([
        { caller: 'pos', token: 'dup-token-abcdefgh', scopes: [] },
        { caller: 'app', token: 'dup-token-abcdefgh', scopes: [] },
      ]),
      'entry 2 (caller "app") repeats another entry\'s token',
    ],
  ])('rejects AUTH_TOKENS with %s, never echoing a token', (_case, value, problem) => {
    expect(failure('AUTH_TOKENS', { AUTH_TOKENS: value })).toContain(problem);
  });

  it.each(['verbose', 'warning', '3'])('rejects LOG_LEVEL=%s', (value) => {
    expect(failure('LOG_LEVEL', { LOG_LEVEL: value })).toBe(
      'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace',
    );
  });

  it.each(['1 tb', 'lots', '-5', '0', '1.5mb'])('rejects HTTP_BODY_LIMIT=%s', (value) => {
    expect(failure('HTTP_BODY_LIMIT', { HTTP_BODY_LIMIT: value })).toMatch(/^HTTP_BODY_LIMIT must/);
  });

  // Whole numbers of milliseconds within bounds. KAFKA_SESSION_TIMEOUT_MS: Kafka's default
  // broker bounds, outside which a broker refuses the join.
  it.each([
    ['SHUTDOWN_GRACE_MS', ['soon', '-1', '600001', '1e3'], 0, 600_000],
    ['OUTBOX_RELAY_POLL_INTERVAL_MS', ['0', '10001', 'fast', '2.5'], 1, 10_000],
    ['KAFKA_SESSION_TIMEOUT_MS', ['5999', '1800001', '10s', '6000.5'], 6_000, 1_800_000],
    ['DEADLINE_LEASE_MS', ['4999', '3600001', '1m', '6000.5'], 5_000, 3_600_000],
  ] as const)('rejects a malformed or out-of-range %s', (variable, values, min, max) => {
    for (const value of values) {
      expect(failure(variable, { [variable]: value })).toBe(
        `${variable} must be a whole number from ${min} to ${max}`,
      );
    }
  });

  it('rejects a KAFKA_CLIENT_ID with odd characters', () => {
    expect(failure('KAFKA_CLIENT_ID', { KAFKA_CLIENT_ID: 'a b' })).toContain('may contain only');
  });

  it('parses exactly the documented variables', () => {
    expect(SERVICE_ENVIRONMENT.map((v) => v.name)).toEqual([
      'PORT',
      'HOST',
      'DATABASE_URL',
      'KAFKA_BROKERS',
      'AUTH_TOKENS',
      'LOG_LEVEL',
      'HTTP_BODY_LIMIT',
      'SHUTDOWN_GRACE_MS',
      'KAFKA_CLIENT_ID',
      'OUTBOX_RELAY_POLL_INTERVAL_MS',
      'KAFKA_SESSION_TIMEOUT_MS',
      'DEADLINE_LEASE_MS',
    ]);
    const required = SERVICE_ENVIRONMENT.filter((v) => v.required).map((v) => v.name);
    for (const name of required) failure(name, { [name]: undefined });
    expect(SERVICE_ENVIRONMENT.filter((v) => v.secret).map((v) => v.name)).toEqual([
      'DATABASE_URL',
      'AUTH_TOKENS',
    ]);
  });
});
