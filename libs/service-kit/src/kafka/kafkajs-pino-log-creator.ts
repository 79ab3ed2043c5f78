import { logLevel, type logCreator } from 'kafkajs';
import type { Logger } from 'pino';

/**
 * Routes kafkajs's own logging to pino. kafkajs is chatty and logs recoverable broker
 * hiccups as errors, so the client is created at WARN and its entries carry `kafka: true`.
 */
export function kafkajsPinoLogCreator(logger: Logger): logCreator {
  const child = logger.child({ component: 'kafkajs' });
  return () =>
    ({ level, log }) => {
      const { message, ...fields } = log;
      if (level === logLevel.ERROR || level === logLevel.NOTHING) child.error(fields, message);
      else if (level === logLevel.WARN) child.warn(fields, message);
      else if (level === logLevel.INFO) child.info(fields, message);
      else child.debug(fields, message);
    };
}
