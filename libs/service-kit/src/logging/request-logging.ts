import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { runWithRequestContext, type RequestContext } from './request-context';

export const CORRELATION_ID_HEADER = 'x-correlation-id';

/** Request fields the kit adds; read them through `@Caller()` or `currentRequestContext()`. */
export interface KitRequest extends IncomingMessage {
  correlationId?: string;
  caller?: string;
}

type Next = (error?: unknown) => void;
type Middleware = (req: KitRequest, res: ServerResponse, next: Next) => void;

const ACCEPTABLE_ID = /^[A-Za-z0-9._:@-]{1,128}$/;

/**
 * Takes the correlation id from `x-correlation-id` (when it looks like an id) or makes a
 * UUID, echoes it in the response and runs the rest of the request inside its context.
 */
export function correlationIdMiddleware(): Middleware {
  return (req, res, next) => {
    const incoming = req.headers[CORRELATION_ID_HEADER];
    const correlationId =
      typeof incoming === 'string' && ACCEPTABLE_ID.test(incoming) ? incoming : randomUUID();
    req.correlationId = correlationId;
    res.setHeader(CORRELATION_ID_HEADER, correlationId);
    const context: RequestContext = { correlationId };
    runWithRequestContext(context, () => next());
  };
}

const QUIET_PATHS = /^\/(health\/(live|ready)|metrics)(\?|$)/;

type RequestLogLevel = 'info' | 'warn' | 'error';

/**
 * One JSON log line per request when it ends: `correlationId`, `req` (method, url, user
 * agent), `caller`, `res` (status code), `responseTime` (ms) and `request completed` (or
 * `request aborted`, or `request errored` with `err` for a 5xx), at info, warn for a 4xx,
 * error for a 5xx. Health probes and metrics scrapes are not logged.
 *
 * The line is built only when its level is enabled: below it (e.g. `LOG_LEVEL=warn` and a
 * 2xx) a request costs three listeners and nothing else, where pino-http made two child
 * loggers per request whatever the level.
 */
export function requestLoggingMiddleware(logger: Logger): Middleware {
  return (req, res, next) => {
    const startedAt = Date.now();
    const { method, originalUrl, url } = req as KitRequest & { originalUrl?: string };
    const target = originalUrl ?? url;
    const ended = (error?: unknown) => {
      res.off('finish', ended);
      res.off('close', ended);
      res.off('error', ended);
      const level = levelOf(res, error);
      if (!logger.isLevelEnabled(level)) return;
      const outcome = outcomeOf(req, res, error, Date.now() - startedAt);
      logger[level](
        {
          correlationId: req.correlationId,
          req: { method, url: target, userAgent: req.headers['user-agent'] },
          ...(req.caller && { caller: req.caller }),
          ...outcome.fields,
        },
        outcome.message,
      );
    };
    if (!QUIET_PATHS.test(url ?? '')) {
      res.on('finish', ended);
      res.on('close', ended);
    }
    res.on('error', ended);
    next();
  };
}

function levelOf(res: ServerResponse, error: unknown): RequestLogLevel {
  if (error || res.statusCode >= 500) return 'error';
  return res.statusCode >= 400 ? 'warn' : 'info';
}

/** The rest of the line: status, failure (5xx), time taken, and the message. */
function outcomeOf(req: IncomingMessage, res: ServerResponse, error: unknown, ms: number) {
  // A status is only known once the headers went out.
  const status = { statusCode: res.headersSent ? res.statusCode : null };
  if (error || res.statusCode >= 500) {
    const err = error ?? new Error(`failed with status code ${res.statusCode}`);
    return { fields: { res: status, err, responseTime: ms }, message: 'request errored' };
  }
  const completed = !req.readableAborted && res.writableEnded;
  return {
    fields: { res: status, responseTime: ms },
    message: completed ? 'request completed' : 'request aborted',
  };
}
