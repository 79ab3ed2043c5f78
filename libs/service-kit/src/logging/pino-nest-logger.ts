import type { LoggerService } from '@nestjs/common';
import type { Logger } from 'pino';
import { currentRequestContext } from './request-context';

type Level = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';

/**
 * Routes Nest's `Logger` (framework and application code) to pino, adding the current
 * request's correlation id and caller.
 */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}

  log(message: unknown, ...rest: unknown[]): void {
    this.write('info', message, rest);
  }
  error(message: unknown, ...rest: unknown[]): void {
    this.write('error', message, rest, true);
  }
  warn(message: unknown, ...rest: unknown[]): void {
    this.write('warn', message, rest);
  }
  debug(message: unknown, ...rest: unknown[]): void {
    this.write('debug', message, rest);
  }
  verbose(message: unknown, ...rest: unknown[]): void {
    this.write('trace', message, rest);
  }
  fatal(message: unknown, ...rest: unknown[]): void {
    this.write('fatal', message, rest, true);
  }

  private write(level: Level, message: unknown, rest: unknown[], mayHaveStack = false): void {
    const fields: Record<string, unknown> = {};
    const request = currentRequestContext();
    if (request) {
      fields['correlationId'] = request.correlationId;
      if (request.caller) fields['caller'] = request.caller;
    }
    // Nest passes (message, context) or, for errors, (message, stack, context).
    const args = [...rest];
    if (typeof args[args.length - 1] === 'string') fields['context'] = args.pop();
    if (mayHaveStack && typeof args[0] === 'string') fields['stack'] = args.shift();
    if (message instanceof Error) {
      fields['err'] = message;
      this.logger[level](fields, message.message);
    } else if (typeof message === 'object' && message !== null) {
      this.logger[level]({ ...fields, ...(message as Record<string, unknown>) });
    } else {
      this.logger[level](fields, String(message));
    }
  }
}
