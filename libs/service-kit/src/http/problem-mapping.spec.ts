import {
  BadRequestException,
  ForbiddenException,
  HttpException,
  NotFoundException,
  ServiceUnavailableException,
} from '@nestjs/common';
import type { ValidationError } from 'class-validator';
import { ProblemException, ProblemTypes } from './problem-details';
import { bodyParserProblem, toProblem } from './problem-mapping';
import { ValidationProblem, flattenValidationErrors } from './validation-problem';

const parserError = (type: string, status: number): Error =>
  Object.assign(new SyntaxError('Unexpected token } in {"secret":1}'), { type, status });

describe('toProblem', () => {
  it('maps Nest HTTP exceptions to typed problems with the instance', () => {
    expect(toProblem(new NotFoundException('Cannot GET /x'), '/x')).toEqual({
      problem: {
        type: ProblemTypes.notFound,
        title: 'Not found',
        status: 404,
        detail: 'Cannot GET /x',
        instance: '/x',
      },
      expected: true,
    });
    expect(toProblem(new ForbiddenException()).problem).toMatchObject({
      type: ProblemTypes.forbidden,
      status: 403,
    });
    expect(toProblem(new BadRequestException(['a is bad', 'b is bad'])).problem.detail).toBe(
      'a is bad; b is bad',
    );
  });

  it('keeps a ProblemException as thrown, extensions included', () => {
    const problem = { type: 'https://fulfil.dev/problems/x', title: 'X', status: 409, code: 'X.Y' };
    expect(toProblem(new ProblemException(problem), '/p')).toEqual({
      problem: { ...problem, instance: '/p' },
      expected: true,
    });
  });

  it('uses about:blank for a status the kit has no type for', () => {
    expect(toProblem(new HttpException('teapot', 418)).problem).toMatchObject({
      type: 'about:blank',
      status: 418,
    });
  });

  it('answers unknown errors and Nest 5xx with a generic 500 or 5xx detail, marked unexpected', () => {
    const bug = toProblem(new TypeError('cannot read x of undefined at /srv/app.js'));
    expect(bug.expected).toBe(false);
    expect(bug.problem).toMatchObject({ type: ProblemTypes.internalError, status: 500 });
    expect(bug.problem.detail).not.toContain('/srv');
    const nest503 = toProblem(new ServiceUnavailableException('db pool at 10.0.0.3 exhausted'));
    expect(nest503.problem).toMatchObject({ status: 503 });
    expect(nest503.problem.detail).not.toContain('10.0.0.3');
    expect(nest503.expected).toBe(false);
  });

  it('answers an unreachable database with a 503 to retry, and a failed statement with a 500', () => {
    const connectionError = (code: string) =>
      Object.assign(new Error(`connect ${code} /tmp/.s.PGSQL.5432`), { code });
    const unreachable = [
      connectionError('ECONNREFUSED'),
      connectionError('ENOENT'),
      connectionError('EPIPE'),
      Object.assign(new Error('terminating connection due to administrator command'), {
        code: '57P01',
      }),
      Object.assign(new Error('the database system is in recovery mode'), { code: '57P03' }),
      new Error('Connection terminated unexpectedly'),
      new Error('Client has encountered a connection error and is not queryable'),
      // TypeORM's QueryFailedError keeps pg's error as driverError; others as cause.
      Object.assign(new Error('Query failed'), { driverError: connectionError('ECONNRESET') }),
      new Error('placing failed', { cause: connectionError('ECONNREFUSED') }),
    ];
    for (const error of unreachable) {
      expect(toProblem(error, '/orders')).toEqual({
        problem: {
          type: ProblemTypes.serviceUnavailable,
          title: 'Service unavailable',
          status: 503,
          detail: 'The database is unavailable; retry shortly.',
          instance: '/orders',
        },
        expected: true,
        retryAfterSeconds: 1,
      });
    }
    const failedStatement = Object.assign(new Error('duplicate key value'), { code: '23505' });
    expect(toProblem(failedStatement)).toMatchObject({ problem: { status: 500 }, expected: false });
  });

  it.each([
    ['entity.parse.failed', 400, ProblemTypes.malformedJson, 400],
    ['entity.too.large', 413, ProblemTypes.payloadTooLarge, 413],
    ['encoding.unsupported', 415, ProblemTypes.unsupportedMediaType, 415],
    ['charset.unsupported', 415, ProblemTypes.unsupportedMediaType, 415],
    ['request.aborted', 400, ProblemTypes.badRequest, 400],
  ])('maps body parser error %s without echoing the body', (type, status, problemType, answer) => {
    const problem = bodyParserProblem(parserError(type, status) as never);
    expect(problem).toMatchObject({ type: problemType, status: answer });
    expect(JSON.stringify(problem)).not.toContain('secret');
    expect(toProblem(parserError(type, status)).problem).toEqual(problem);
  });
});

describe('validation problems', () => {
  const error = (property: string, extra: Partial<ValidationError>): ValidationError =>
    Object.assign(new (class {})() as ValidationError, { property, children: [], ...extra });

  it('flattens nested and array errors into field paths', () => {
    const errors = [
      error('reference', { constraints: { isString: 'reference must be a string' } }),
      error('lines', {
        children: [
          error('0', {
            children: [
              error('quantity', {
                constraints: { min: 'quantity must not be less than 1', isInt: 'must be int' },
              }),
            ],
          }),
        ],
      }),
      error('address', {
        children: [error('city', { constraints: { isString: 'city must be a string' } })],
      }),
    ];
    expect(flattenValidationErrors(errors)).toEqual([
      { field: 'reference', message: 'reference must be a string' },
      { field: 'lines[0].quantity', message: 'quantity must not be less than 1' },
      { field: 'lines[0].quantity', message: 'must be int' },
      { field: 'address.city', message: 'city must be a string' },
    ]);
  });

  it('becomes a 400 validation-error problem naming each field once in the detail', () => {
    const problem = new ValidationProblem([
      { field: 'a', message: 'x' },
      { field: 'a', message: 'y' },
      { field: 'b[1]', message: 'z' },
    ]).problem;
    expect(problem).toMatchObject({
      type: ProblemTypes.validationError,
      status: 400,
      detail: 'Invalid request: a, b[1]',
    });
    expect(problem.errors).toHaveLength(3);
  });
});
