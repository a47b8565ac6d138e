/**
 * Bearer-token authentication for /api/ and role checks per route.
 * Roles are ordered: viewer (reads) < operator (configures deployments) < admin (registries, tokens).
 */
import type { MiddlewareHandler } from 'hono';
import { BridgeError } from '../errors.js';
import { type Role, roleAtLeast } from '../store/interface.js';
import type { AppEnv } from './env.js';

export const authenticate: MiddlewareHandler<AppEnv> = async (c, next) => {
  const header = c.req.header('authorization');
  const match = header === undefined ? null : /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match) {
    throw new BridgeError('UNAUTHORIZED', 'missing bearer token: send Authorization: Bearer <token>');
  }
  const services = c.get('services');
  const token = await services.store.tokens.findByHash(await services.hashToken(match[1]!));
  if (!token) throw new BridgeError('UNAUTHORIZED', 'unknown or revoked token');
  c.set('principal', token);
  await next();
};

export function requireRole(role: Role): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const principal = c.get('principal');
    if (!roleAtLeast(principal.role, role)) {
      throw new BridgeError('FORBIDDEN', `this operation needs the ${role} role; the token has ${principal.role}`);
    }
    await next();
  };
}
