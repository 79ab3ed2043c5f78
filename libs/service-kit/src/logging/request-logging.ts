import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { pinoHttp } from 'pino-http';
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

/** One JSON log line per request (pino-http), with correlation id and caller. */
export function requestLoggingMiddleware(logger: Logger): Middleware {
  const middleware = pinoHttp({
    logger,
    genReqId: (req) => (req as KitRequest).correlationId ?? randomUUID(),
    customAttributeKeys: { reqId: 'correlationId' },
    quietReqLogger: true,
    autoLogging: { ignore: (req) => QUIET_PATHS.test(req.url ?? '') },
    customProps: (req) => {
      const caller = (req as KitRequest).caller;
      return caller ? { caller } : {};
    },
    customLogLevel: (_req, res, error) =>
      error || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info',
    serializers: {
      req: (req: { method: string; url: string; headers: Record<string, unknown> }) => ({
        method: req.method,
        url: req.url,
        userAgent: req.headers['user-agent'],
      }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
  });
  return (req, res, next) => middleware(req, res, () => next());
}
