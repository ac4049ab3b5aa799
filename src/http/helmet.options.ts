import type { HelmetOptions } from 'helmet';

/**
 * Security headers. helmet's defaults, with a CSP that Swagger UI (served from `/docs`: external
 * scripts, inline styles, data: images, fetches to the same origin) works under, and without
 * `upgrade-insecure-requests`, which would break the UI when the service is reached over plain
 * HTTP inside a cluster.
 */
export const HELMET_OPTIONS: Readonly<HelmetOptions> = Object.freeze({
  contentSecurityPolicy: {
    useDefaults: false,
    directives: {
      'default-src': ["'self'"],
      'base-uri': ["'self'"],
      'connect-src': ["'self'"],
      'font-src': ["'self'", 'data:'],
      'form-action': ["'self'"],
      'frame-ancestors': ["'none'"],
      'img-src': ["'self'", 'data:'],
      'object-src': ["'none'"],
      'script-src': ["'self'"],
      'script-src-attr': ["'none'"],
      'style-src': ["'self'", "'unsafe-inline'"],
    },
  },
  frameguard: { action: 'deny' as const },
});
