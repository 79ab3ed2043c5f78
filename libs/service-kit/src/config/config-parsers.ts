import { ConfigurationError } from './configuration.error';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

const UNITS: Readonly<Record<string, number>> = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 };

export function parseInteger(name: string, raw: string, min: number, max: number): number {
  if (!/^\d+$/.test(raw)) {
    throw new ConfigurationError(name, `must be a whole number from ${min} to ${max}`);
  }
  const value = Number(raw);
  if (value < min || value > max) {
    throw new ConfigurationError(name, `must be a whole number from ${min} to ${max}`);
  }
  return value;
}

export function parseByteSize(name: string, raw: string): number {
  const match = /^(\d+)\s*(b|kb|mb|gb)?$/i.exec(raw);
  if (!match) {
    throw new ConfigurationError(name, 'must be a number of bytes or a size such as 512kb or 1mb');
  }
  const bytes = Number(match[1]) * UNITS[(match[2] ?? 'b').toLowerCase()]!;
  if (bytes < 1 || !Number.isSafeInteger(bytes)) {
    throw new ConfigurationError(name, 'must be at least 1 byte');
  }
  return bytes;
}

export function parseLogLevel(name: string, raw: string): LogLevel {
  const level = LOG_LEVELS.find((candidate) => candidate === raw.toLowerCase());
  if (!level) throw new ConfigurationError(name, `must be one of ${LOG_LEVELS.join(', ')}`);
  return level;
}

/** Validates a PostgreSQL URL without ever putting it (it holds a password) in a message. */
export function parseDatabaseUrl(name: string, raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigurationError(name, 'is not a valid URL (expected postgres://host/database)');
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new ConfigurationError(name, 'must start with postgres:// or postgresql://');
  }
  if (!url.hostname) throw new ConfigurationError(name, 'has no host');
  const database = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (!database || database.includes('/')) {
    throw new ConfigurationError(name, 'has no database name (expected postgres://host/database)');
  }
  return raw;
}

export function parseBrokers(name: string, raw: string): string[] {
  const brokers = raw.split(',').map((broker) => broker.trim());
  brokers.forEach((broker, index) => {
    const match = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(broker);
    const port = match ? Number(match[2]) : 0;
    if (!match || port < 1 || port > 65535) {
      throw new ConfigurationError(
        name,
        `entry ${index + 1} "${broker}" is not host:port (expected host:port[,host:port…])`,
      );
    }
  });
  return brokers;
}

export function parseClientId(name: string, raw: string): string {
  if (!/^[A-Za-z0-9._-]+$/.test(raw)) {
    throw new ConfigurationError(name, 'may contain only letters, digits, ".", "_" and "-"');
  }
  return raw;
}
