import { Catch, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { Request, Response } from 'express';
import { PROBLEM_CONTENT_TYPE } from './problem-details';
import { toProblem } from './problem-mapping';

/**
 * Answers every error of an HTTP request — unknown routes, body parser failures, guards,
 * validation, domain mappings, bugs — with RFC 9457 problem details.
 */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('ProblemDetails');

  catch(error: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw error;
    const http = host.switchToHttp();
    const req = http.getRequest<Request>();
    const res = http.getResponse<Response>();
    const instance = (req.originalUrl ?? req.url ?? '').split('?')[0];
    const { problem, expected, retryAfterSeconds } = toProblem(error, instance);
    if (!expected) {
      this.logger.error({ msg: 'Unhandled error', err: error, method: req.method, url: instance });
    } else if (retryAfterSeconds !== undefined) {
      this.logger.warn({ msg: problem.detail, err: error, method: req.method, url: instance });
    }
    if (res.headersSent) {
      res.end();
      return;
    }
    if (retryAfterSeconds !== undefined) res.setHeader('Retry-After', String(retryAfterSeconds));
    res.status(problem.status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(problem));
  }
}
