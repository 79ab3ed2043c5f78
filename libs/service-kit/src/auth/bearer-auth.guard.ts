import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Response } from 'express';
import { SERVICE_CONFIG } from '../app/kit.tokens';
import type { ServiceConfig } from '../config/service-config';
import { ProblemException, ProblemTypes } from '../http/problem-details';
import { currentRequestContext } from '../logging/request-context';
import type { KitRequest } from '../logging/request-logging';
import { IS_PUBLIC, REQUIRED_SCOPES } from './auth.decorators';
import { TokenMatcher, bearerToken, missingScopes } from './token-matcher';

/**
 * Global guard: every HTTP route needs `Authorization: Bearer <token>` from `AUTH_TOKENS`
 * unless marked `@Public()`; `@RequireScopes()` adds scope checks. 401 (with
 * `WWW-Authenticate: Bearer`) for a missing or unknown token, 403 for a missing scope.
 */
@Injectable()
export class BearerAuthGuard implements CanActivate {
  private readonly tokens: TokenMatcher;

  constructor(
    private readonly reflector: Reflector,
    @Inject(SERVICE_CONFIG) config: ServiceConfig,
  ) {
    this.tokens = new TokenMatcher(config.authTokens);
  }

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;

    const req = context.switchToHttp().getRequest<KitRequest>();
    const header = req.headers.authorization;
    const token = bearerToken(header);
    const credential = token === undefined ? undefined : this.tokens.match(token);
    if (!credential) {
      const res = context.switchToHttp().getResponse<Response>();
      res.setHeader(
        'WWW-Authenticate',
        header ? 'Bearer realm="fulfil", error="invalid_token"' : 'Bearer realm="fulfil"',
      );
      throw new ProblemException({
        type: ProblemTypes.unauthorized,
        title: 'Unauthorized',
        status: 401,
        detail: header
          ? 'The bearer token is not valid.'
          : 'This endpoint needs an Authorization: Bearer token.',
      });
    }
    req.caller = credential.caller;
    const requestContext = currentRequestContext();
    if (requestContext) requestContext.caller = credential.caller;

    const required = this.reflector.getAllAndMerge<string[]>(REQUIRED_SCOPES, targets) ?? [];
    const missing = missingScopes(credential.scopes, required);
    if (missing.length > 0) {
      throw new ProblemException({
        type: ProblemTypes.forbidden,
        title: 'Forbidden',
        status: 403,
        detail: `Caller "${credential.caller}" lacks the scope(s): ${missing.join(', ')}.`,
        missingScopes: missing,
      });
    }
    return true;
  }
}
