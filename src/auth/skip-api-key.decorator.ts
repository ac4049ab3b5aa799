import { applyDecorators, SetMetadata } from '@nestjs/common';
import { SkipThrottle } from '@nestjs/throttler';

/** Metadata key set by {@link SkipApiKey}. */
export const SKIP_API_KEY = 'auth:skip-api-key';

/** The route does not require `X-API-Key` even when `API_KEY` is set. */
export const SkipApiKey = (): MethodDecorator & ClassDecorator => SetMetadata(SKIP_API_KEY, true);

/**
 * Infrastructure routes (health probes, metrics scrapes): no API key, no rate limit, so a
 * kubelet or Prometheus never gets locked out.
 */
export const InfrastructureRoute = (): MethodDecorator & ClassDecorator =>
  applyDecorators(SkipApiKey(), SkipThrottle());
