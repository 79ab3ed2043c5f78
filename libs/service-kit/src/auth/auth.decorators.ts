import {
  SetMetadata,
  applyDecorators,
  createParamDecorator,
  type ExecutionContext,
} from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiExtension,
  ApiForbiddenResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { KitRequest } from '../logging/request-logging';
import { BEARER_SCHEME } from './bearer-scheme';

export const IS_PUBLIC = 'fulfil:auth:public';
export const REQUIRED_SCOPES = 'fulfil:auth:scopes';

/** Marks a controller or route as open to anyone (health, metrics, docs, signed webhooks). */
export const Public = (): ClassDecorator & MethodDecorator => SetMetadata(IS_PUBLIC, true);

/**
 * Requires the caller's token to carry every one of `scopes` (403 otherwise). Routes without
 * it still need a valid token. Also documents the requirement in OpenAPI.
 */
export function RequireScopes(...scopes: string[]): ClassDecorator & MethodDecorator {
  return applyDecorators(
    SetMetadata(REQUIRED_SCOPES, scopes),
    ApiBearerAuth(BEARER_SCHEME),
    ApiExtension('x-required-scopes', scopes),
    ApiUnauthorizedResponse({ description: 'Missing or unknown bearer token (problem details).' }),
    ApiForbiddenResponse({ description: `Requires scope(s): ${scopes.join(', ')}.` }),
  );
}

/** The authenticated caller's name (from `AUTH_TOKENS`), e.g. `storefront`. */
export const Caller = createParamDecorator(
  (_data: unknown, context: ExecutionContext): string | undefined =>
    context.switchToHttp().getRequest<KitRequest>().caller,
);
