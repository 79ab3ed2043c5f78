import type { IncomingMessage, ServerResponse } from 'node:http';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { ProblemException, ProblemTypes } from './problem-details';
import { bodyParserProblem, isBodyParserError } from './problem-mapping';

const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;

function hasBody(req: IncomingMessage): boolean {
  if (req.headers['transfer-encoding'] !== undefined) return true;
  const length = Number(req.headers['content-length']);
  return Number.isFinite(length) && length > 0;
}

/** Rejects a request that has a body which is not JSON with a 415 problem. */
export function requireJsonBody(): (
  req: IncomingMessage,
  res: ServerResponse,
  next: (error?: unknown) => void,
) => void {
  return (req, _res, next) => {
    if (!hasBody(req) || JSON_TYPE.test(req.headers['content-type'] ?? '')) return next();
    next(
      new ProblemException({
        type: ProblemTypes.unsupportedMediaType,
        title: 'Unsupported media type',
        status: 415,
        detail: 'Request bodies must be application/json.',
      }),
    );
  };
}

/**
 * The kit's body parsing (Nest's own is disabled): JSON only, up to `limit` bytes, the raw
 * bytes kept on `req.rawBody` for signature checks (webhooks).
 */
export function installBodyParsing(app: NestExpressApplication, limit: number): void {
  app.use(requireJsonBody());
  app.useBodyParser('json', { limit, type: (req) => hasBody(req) });
  // Nest would turn a JSON syntax error into a 400 carrying the parser's message, which
  // quotes the body; map parser errors to the kit's problems first.
  app.use(
    (error: unknown, _req: IncomingMessage, _res: ServerResponse, next: (e?: unknown) => void) =>
      next(
        isBodyParserError(error) && error.status < 500
          ? new ProblemException(bodyParserProblem(error))
          : error,
      ),
  );
}
