import type { HelmetOptions } from 'helmet';

/**
 * Security headers of every response. The API only answers JSON, so its CSP is the strictest
 * (`default-src 'none'`, no framing); the headers meant for HTML pages in old browsers
 * (X-XSS-Protection, X-Download-Options, X-Permitted-Cross-Domain-Policies, X-DNS-Prefetch-Control,
 * Origin-Agent-Cluster) are left out: they protect nothing here and cost bytes on every response.
 */
export const API_HELMET_OPTIONS: Readonly<HelmetOptions> = Object.freeze({
  contentSecurityPolicy: {
    useDefaults: false,
    directives: { 'default-src': ["'none'"], 'frame-ancestors': ["'none'"] },
  },
  frameguard: { action: 'deny' as const },
  xXssProtection: false,
  xDownloadOptions: false,
  xPermittedCrossDomainPolicies: false,
  xDnsPrefetchControl: false,
  originAgentCluster: false,
});

/**
 * The CSP of Swagger UI's pages under `/docs`: its scripts are same-origin files, it uses inline
 * styles and data: images, and fetches `/docs-json` from the same origin. No
 * `upgrade-insecure-requests`, which would break the UI over plain HTTP inside a cluster.
 */
export const DOCS_CSP_DIRECTIVES: Readonly<Record<string, string[]>> = Object.freeze({
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
});
