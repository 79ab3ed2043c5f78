import pino, { type Logger } from 'pino';
import type { ServiceConfig } from '../config/service-config';

/**
 * The service's root pino logger: JSON lines on stdout, each with `service`, an ISO time
 * and the level name. Credentials in logged request headers are redacted.
 */
export function createServiceLogger(
  config: Pick<ServiceConfig, 'service' | 'logLevel'>,
  destination?: pino.DestinationStream,
): Logger {
  const options: pino.LoggerOptions = {
    level: config.logLevel,
    base: { service: config.service },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    redact: {
      paths: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]'],
      censor: '[redacted]',
    },
  };
  return destination ? pino(options, destination) : pino(options);
}
