import { type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { Reflector } from '@nestjs/core';
import {
  getOptionsToken,
  getStorageToken,
  ThrottlerGuard,
  type ThrottlerModuleOptions,
  type ThrottlerStorage,
} from '@nestjs/throttler';
import { createHash } from 'node:crypto';
import type { Request } from 'express';
import type { AppConfig } from '../config';
import { API_KEY_HEADER } from './api-key.guard';

/**
 * Global `@nestjs/throttler` guard, installed only when `RATE_LIMIT_MAX` > 0, keyed per API key
 * when keys are required (hashed, never stored) and per client address otherwise, one budget
 * across all limited routes. It runs after
 * {@link ApiKeyGuard}, so a key it sees is valid. `@SkipThrottle()` routes are exempt.
 */
@Injectable()
export class RateLimitGuard extends ThrottlerGuard {
  private readonly keyed: boolean;

  constructor(
    @Inject(getOptionsToken()) options: ThrottlerModuleOptions,
    @Inject(getStorageToken()) storage: ThrottlerStorage,
    reflector: Reflector,
    config: ConfigService<AppConfig, true>,
  ) {
    super(options, storage, reflector);
    this.keyed = config.get('security', { infer: true }).apiKey !== null;
  }

  /** One budget per client across all limited routes (the default is per route). */
  protected override generateKey(
    _context: ExecutionContext,
    tracker: string,
    name: string,
  ): string {
    return `${name}:${tracker}`;
  }

  /** The bucket a request counts against. */
  protected override getTracker(req: Record<string, unknown>): Promise<string> {
    const request = req as unknown as Request;
    const key = request.headers[API_KEY_HEADER];
    if (this.keyed && typeof key === 'string') {
      return Promise.resolve(`key:${createHash('sha256').update(key).digest('hex').slice(0, 32)}`);
    }
    return Promise.resolve(`ip:${request.ip ?? request.socket.remoteAddress ?? 'unknown'}`);
  }
}
