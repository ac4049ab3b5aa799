import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import type { AppConfig } from '../config';
import { AuthError } from '../errors';
import { SecretMatcher } from './secret-matcher';
import { SKIP_API_KEY } from './skip-api-key.decorator';

/** Request header carrying the API key. */
export const API_KEY_HEADER = 'x-api-key';

/**
 * Global guard, installed only when `API_KEY` is set: every route except those marked
 * `@SkipApiKey()` / `@InfrastructureRoute()` requires `X-API-Key: <API_KEY>` (compared in
 * constant time). New routes are protected by default.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  private readonly matcher: SecretMatcher | null;

  constructor(
    config: ConfigService<AppConfig, true>,
    private readonly reflector: Reflector,
  ) {
    const key = config.get('security', { infer: true }).apiKey;
    this.matcher = key === null ? null : new SecretMatcher(key);
  }

  /** @throws AuthError when the key is missing or wrong. */
  canActivate(context: ExecutionContext): boolean {
    if (this.matcher === null) return true;
    const skip = this.reflector.getAllAndOverride<boolean | undefined>(SKIP_API_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (skip === true) return true;
    const presented = context.switchToHttp().getRequest<Request>().headers[API_KEY_HEADER];
    if (typeof presented !== 'string' || presented.length === 0) {
      throw new AuthError('api-key', 'This route requires an X-API-Key header.');
    }
    if (!this.matcher.matches(presented)) {
      throw new AuthError('api-key', 'The X-API-Key header is not valid.');
    }
    return true;
  }
}
