import { randomUUID } from 'node:crypto';
import {
  Injectable,
  Logger,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import { Observable, catchError, concatMap, finalize, from, of, takeLast, throwError } from 'rxjs';
import { isDatabaseUnavailable } from '../database/database-unavailable';
import { ProblemException } from '../http/problem-details';
import type { KitRequest } from '../logging/request-logging';
import { IDEMPOTENT_ROUTE, type IdempotentRouteOptions } from './idempotent.decorator';
import { IDEMPOTENT_REPLAYED_HEADER, parseIdempotencyKey } from './idempotency-key';
import {
  IN_PROGRESS_RETRY_AFTER_SECONDS,
  idempotencyKeyInProgress,
  idempotencyKeyInvalid,
  idempotencyKeyMissing,
  idempotencyKeyReused,
} from './idempotency.problems';
import {
  answerStatement,
  answerTakingKeyStatement,
  IdempotencyStore,
  isKeyInProgressError,
  isKeyTakenError,
  keyGuardStatement,
  type IdempotencyClaim,
  type IdempotencyScope,
  type KeyToAnswer,
  type StoredResponse,
} from './idempotency.store';
import { expectAnswer } from './idempotent-answer';
import { requestFingerprint } from './request-fingerprint';
import { captureError, captureSuccess } from './response-capture';

type IdempotentRequest = Request & Pick<KitRequest, 'caller'>;

/** What to do with a request whose key is valid. */
type Decision =
  | { readonly kind: 'run'; readonly claim: IdempotencyClaim }
  | { readonly kind: 'replay'; readonly response: StoredResponse };

// A key whose row vanishes or expires between our failed claim and our read is claimed
// again; more than a few rounds means heavy contention, answered as "in progress".
const CLAIM_ATTEMPTS = 3;
/** Background attempts to release a key while the database is unreachable. */
const RELEASE_RETRIES = 4;

/**
 * Global interceptor behind `@Idempotent()`; routes without that metadata pass straight
 * through. Runs after the bearer guard (so the caller is known) and before the pipes.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  private readonly logger = new Logger('Idempotency');

  constructor(
    private readonly reflector: Reflector,
    private readonly store: IdempotencyStore,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const options = this.reflector.get<IdempotentRouteOptions | undefined>(
      IDEMPOTENT_ROUTE,
      context.getHandler(),
    );
    if (!options) return next.handle();

    const req = context.switchToHttp().getRequest<IdempotentRequest>();
    const res = context.switchToHttp().getResponse<Response>();
    const header = parseIdempotencyKey(req.headers['idempotency-key']);
    if (header.kind === 'invalid') throw idempotencyKeyInvalid(header.reason);
    if (header.kind === 'absent') {
      if (options.required) throw idempotencyKeyMissing();
      return next.handle();
    }

    const scope: IdempotencyScope = {
      // Public routes have no caller; their keys share one anonymous scope.
      caller: req.caller ?? '',
      method: req.method,
      route: routePattern(req, context),
      key: header.key,
    };
    const fingerprint = requestFingerprint({
      method: req.method,
      target: req.originalUrl ?? req.url,
      body: req.body as unknown,
    });
    if (options.claimWithAnswer) {
      this.store.purgeExpiredWhenDue();
      const { retentionMs } = options;
      const key: KeyToAnswer = { ...scope, fingerprint, lockToken: randomUUID(), retentionMs };
      return this.runClaimingWithAnswer(key, req, res, next);
    }
    return from(this.decide(scope, fingerprint, options, res)).pipe(
      concatMap((decision) => {
        if (decision.kind === 'run') return this.run(decision.claim, req, res, next);
        return of(replay(decision.response, res));
      }),
    );
  }

  private async decide(
    scope: IdempotencyScope,
    fingerprint: string,
    options: IdempotentRouteOptions,
    res: Response,
  ): Promise<Decision> {
    for (let attempt = 0; attempt < CLAIM_ATTEMPTS; attempt += 1) {
      const claim = await this.store.claim(
        scope,
        fingerprint,
        options.lockTimeoutMs,
        options.retentionMs,
      );
      if (claim) {
        this.store.purgeExpiredWhenDue();
        return { kind: 'run', claim };
      }
      const existing = await this.existingAnswer(scope, fingerprint);
      if (existing === 'running') break;
      if (existing !== 'free') return { kind: 'replay', response: existing };
    }
    throw this.inProgress(res);
  }

  /**
   * What the key's row says to a request that does not hold the key: the stored answer (of the
   * same request), `free` (no row, expired, or a claim abandoned: the key may be taken) or
   * `running`; `idempotency-key-reused` for another request.
   */
  private async existingAnswer(
    scope: IdempotencyScope,
    fingerprint: string,
  ): Promise<StoredResponse | 'free' | 'running'> {
    const existing = await this.store.find(scope);
    if (existing === undefined || existing.state === 'expired') return 'free';
    if (existing.fingerprint !== fingerprint) throw idempotencyKeyReused();
    if (existing.state === 'completed') return existing.response;
    return existing.abandoned ? 'free' : 'running';
  }

  /** Runs the handler while holding the key, then stores its answer or releases the key. */
  private run(
    claim: IdempotencyClaim,
    req: IdempotentRequest,
    res: Response,
    next: CallHandler,
  ): Observable<unknown> {
    let settled = false;
    const committedWithHandler = expectAnswer((response) => answerStatement(claim, response), res);
    return next.handle().pipe(
      takeLast(1),
      concatMap(async (value) => {
        settled = true;
        const capture = captureSuccess(value, res);
        if (capture.kind === 'unstorable') {
          await this.release(claim);
          return value;
        }
        // The handler's transaction stored this very answer already (`idempotentAnswerWrite`).
        if (committedWithHandler(capture.response)) return capture.send;
        await this.complete(claim, capture.response);
        return capture.send;
      }),
      catchError((error: unknown) => {
        settled = true;
        const response = captureError(error, req, res);
        const outcome = response ? this.complete(claim, response) : this.release(claim);
        return from(outcome).pipe(concatMap(() => throwError(() => error)));
      }),
      // The handler produced nothing, or the client went away and Nest unsubscribed.
      finalize(() => {
        if (!settled) void this.release(claim);
      }),
    );
  }

  /**
   * Runs the handler of a `claimWithAnswer` route, its key unclaimed: its transaction locks the
   * key first (`idempotentKeyGuard`: 409 while another request's holds it), and the answer it
   * commits (`idempotentAnswerWrite`) takes the key. Any other outcome — no answer committed, an
   * error — first looks whether another request took the key: its answer is then sent (or 422
   * for another body), as to a retry, whatever this run did (its transaction rolled back, or
   * found the other's work done).
   */
  private runClaimingWithAnswer(
    key: KeyToAnswer,
    req: IdempotentRequest,
    res: Response,
    next: CallHandler,
  ): Observable<unknown> {
    const committedWithHandler = expectAnswer(
      (response) => answerTakingKeyStatement(key, response),
      res,
      keyGuardStatement(key),
    );
    return next.handle().pipe(
      takeLast(1),
      concatMap(async (value) => {
        const capture = captureSuccess(value, res);
        if (capture.kind === 'unstorable') return value;
        if (committedWithHandler(capture.response)) return capture.send;
        if (await this.storeTakingKey(key, capture.response)) return capture.send;
        return (await this.answerOfTakenKey(key, res)) ?? capture.send;
      }),
      catchError((error: unknown) => from(this.afterFailure(key, error, req, res))),
    );
  }

  /**
   * After a `claimWithAnswer` handler failed: the answer of the request that took the key, if
   * one did; else the failure stands, stored as the key's answer when it is a definitive one.
   */
  private async afterFailure(
    key: KeyToAnswer,
    error: unknown,
    req: IdempotentRequest,
    res: Response,
  ): Promise<string | undefined> {
    // Unreadable (the database is out of reach, the likely cause of the failure): as absent.
    const answer = await this.answerOfTakenKey(key, res).catch((lookup: unknown) => {
      if (lookup instanceof ProblemException) throw lookup;
      return undefined;
    });
    if (answer !== undefined) return answer;
    // Held by a request still running (`idempotentKeyGuard`), or taken and gone again before
    // this look (purged): the caller may retry.
    if (isKeyInProgressError(error) || isKeyTakenError(error)) throw this.inProgress(res);
    const response = captureError(error, req, res);
    if (response) await this.storeTakingKey(key, response);
    throw error;
  }

  /**
   * The stored answer of a key another request took, set on `res` (its body returned, to send):
   * `idempotency-key-reused` for another request, `in-progress` for a claim still running.
   * Undefined when the key has no answer.
   */
  private async answerOfTakenKey(key: KeyToAnswer, res: Response): Promise<string | undefined> {
    const existing = await this.existingAnswer(key, key.fingerprint);
    if (existing === 'running') throw this.inProgress(res);
    return existing === 'free' ? undefined : (replay(existing, res) ?? '');
  }

  private inProgress(res: Response): Error {
    res.setHeader('Retry-After', String(IN_PROGRESS_RETRY_AFTER_SECONDS));
    return idempotencyKeyInProgress();
  }

  /**
   * Stores the answer of a `claimWithAnswer` key; false when another request took the key. A
   * failure to store it is logged and counts as stored: it must not turn a done deed into an
   * error, so this request's answer is sent, and a retry runs afresh.
   */
  private async storeTakingKey(key: KeyToAnswer, response: StoredResponse): Promise<boolean> {
    try {
      return await this.store.storeAnswer(key, response);
    } catch (error) {
      this.logger.error({ msg: 'Storing an idempotent response failed', err: error });
      return true;
    }
  }

  /**
   * Stores the answer. A failure here must not turn a done deed into an error for the
   * client: the answer is still sent, and the key stays "processing" until its lock times out.
   */
  private async complete(claim: IdempotencyClaim, response: StoredResponse): Promise<void> {
    try {
      const stored = await this.store.complete(claim, response);
      if (!stored) {
        this.logger.warn({
          msg: 'Idempotency key was taken over before its first request finished; raise lockTimeoutMs',
          route: claim.route,
          method: claim.method,
        });
      }
    } catch (error) {
      this.logger.error({ msg: 'Storing an idempotent response failed', err: error });
    }
  }

  /**
   * Gives the key up. While the database is unreachable (the likely reason the request failed
   * too), tries again in the background, after 1, 2, 4 and 8 s: the key would otherwise stay
   * "processing", and its retries get 409, until its lock times out.
   */
  private async release(claim: IdempotencyClaim, attempt = 0): Promise<void> {
    try {
      await this.store.release(claim);
    } catch (error) {
      if (isDatabaseUnavailable(error) && attempt < RELEASE_RETRIES) {
        setTimeout(() => void this.release(claim, attempt + 1), 1_000 * 2 ** attempt).unref();
        return;
      }
      this.logger.error({ msg: 'Releasing an idempotency key failed', err: error });
    }
  }
}

/** Sets a stored response's status and headers on `res`; returns the body for Nest to send. */
function replay(response: StoredResponse, res: Response): string | undefined {
  res.status(response.status);
  for (const [name, value] of Object.entries(response.headers)) res.setHeader(name, value);
  res.setHeader(IDEMPOTENT_REPLAYED_HEADER, 'true');
  return response.body ?? undefined;
}

/** The matched route pattern (`/orders/:id/cancel`), which scopes keys together with the method. */
function routePattern(req: Request, context: ExecutionContext): string {
  const path: unknown = (req as { route?: { path?: unknown } }).route?.path;
  if (typeof path === 'string') return `${req.baseUrl ?? ''}${path}` || '/';
  return `${context.getClass().name}.${context.getHandler().name}`;
}
