import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { Request } from 'express';
import type { AppConfig } from '../config';
import { AuthError, RouteNotFoundError } from '../errors';
import { SecretMatcher } from './secret-matcher';

const BEARER = /^Bearer ([\x21-\x7e]+)$/;

/**
 * Guards admin routes: without `ADMIN_TOKEN` configured they do not exist (404, exactly like an
 * unknown route); with it they require `Authorization: Bearer <ADMIN_TOKEN>` (constant time).
 */
@Injectable()
export class AdminTokenGuard implements CanActivate {
  private readonly matcher: SecretMatcher | null;

  constructor(config: ConfigService<AppConfig, true>) {
    const token = config.get('security', { infer: true }).adminToken;
    this.matcher = token === null ? null : new SecretMatcher(token);
  }

  /** @throws RouteNotFoundError when admin routes are off, AuthError on a bad token. */
  canActivate(context: ExecutionContext): boolean {
    if (this.matcher === null) throw new RouteNotFoundError();
    const header = context.switchToHttp().getRequest<Request>().headers.authorization;
    const m = typeof header === 'string' ? BEARER.exec(header) : null;
    if (m === null) {
      throw new AuthError('bearer', 'This route requires an Authorization: Bearer <token> header.');
    }
    if (!this.matcher.matches(m[1]))
      throw new AuthError('bearer', 'The bearer token is not valid.');
    return true;
  }
}
