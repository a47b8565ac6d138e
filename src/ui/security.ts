/**
 * Security headers of every page: a strict Content-Security-Policy (scripts and styles only from
 * this origin's files, no inline script, forms post only here, no framing), no referrer, no
 * sniffing, and no caching of pages that show an End User's data.
 */
import type { MiddlewareHandler } from 'hono';
import type { UiEnv } from './env.js';

export const contentSecurityPolicy = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

export const securityHeaders: MiddlewareHandler<UiEnv> = async (c, next) => {
  await next();
  // A registry file served as it is keeps its own, stricter (sandboxing) policy.
  if (!c.res.headers.has('content-security-policy')) c.header('content-security-policy', contentSecurityPolicy);
  c.header('referrer-policy', 'no-referrer');
  c.header('x-content-type-options', 'nosniff');
  c.header('x-frame-options', 'DENY');
  c.header('cross-origin-opener-policy', 'same-origin');
  c.header('permissions-policy', 'camera=(), microphone=(), geolocation=()');
  if (!c.res.headers.has('cache-control')) c.header('cache-control', 'no-store');
  if (c.get('secure')) c.header('strict-transport-security', 'max-age=31536000');
};
