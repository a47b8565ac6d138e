/** API tokens (admin only). A token is shown once, at creation; only its hash is stored. */
import { createRoute, z } from '@hono/zod-openapi';
import { BridgeError } from '../../errors.js';
import { requireRole } from '../auth.js';
import type { App } from '../env.js';
import {
  authErrors,
  bearerAuth,
  idParam,
  jsonContent,
  notFound,
  pagedContent,
  pageOf,
  pageQuery,
  safeText,
} from '../schemas.js';

const tags = ['tokens'];
const security = bearerAuth;
const roleSchema = z.enum(['viewer', 'operator', 'admin']);
const tokenSchema = z
  .object({ id: z.string(), name: z.string(), role: roleSchema, createdAt: z.string() })
  .openapi('Token');

const list = createRoute({
  method: 'get',
  path: '/api/v1/tokens',
  tags,
  security,
  summary: 'List tokens (without their values)',
  middleware: [requireRole('admin')] as const,
  request: { query: pageQuery },
  responses: { 200: pagedContent('tokens', tokenSchema, 'Tokens'), ...authErrors },
});

const create = createRoute({
  method: 'post',
  path: '/api/v1/tokens',
  tags,
  security,
  summary: 'Create a token; its value is returned once',
  middleware: [requireRole('admin')] as const,
  request: {
    body: {
      required: true,
      content: {
        'application/json': {
          schema: z.object({ name: safeText(z.string().min(1).max(200)), role: roleSchema }).strict(),
        },
      },
    },
  },
  responses: {
    201: jsonContent(tokenSchema.extend({ token: z.string() }), 'Created; keep the token, it is not shown again'),
    ...authErrors,
  },
});

const remove = createRoute({
  method: 'delete',
  path: '/api/v1/tokens/{id}',
  tags,
  security,
  summary: 'Revoke a token',
  middleware: [requireRole('admin')] as const,
  request: { params: idParam },
  responses: { 204: { description: 'Revoked' }, ...authErrors, ...notFound },
});

export function registerTokens(app: App): void {
  app.openapi(list, async (c) => {
    const all = await c.get('services').store.tokens.list();
    const { items: tokens, next } = pageOf(c.req.url, all, (token) => token.id, c.req.valid('query'));
    return c.json(
      {
        next,
        tokens: tokens.map((token) => ({
          id: token.id,
          name: token.name,
          role: token.role,
          createdAt: new Date(token.createdAt).toISOString(),
        })),
      },
      200,
    );
  });
  app.openapi(create, async (c) => {
    const services = c.get('services');
    const { name, role } = c.req.valid('json');
    const value = services.generateToken();
    const record = await services.store.tokens.create({ name, role, tokenHash: await services.hashToken(value) });
    services.logger.info({ tokenId: record.id, name, role }, 'token created');
    return c.json(
      { id: record.id, name, role, createdAt: new Date(record.createdAt).toISOString(), token: value },
      201,
    );
  });
  app.openapi(remove, async (c) => {
    const services = c.get('services');
    const { id } = c.req.valid('param');
    const tokens = await services.store.tokens.list();
    if (!tokens.some((token) => token.id === id)) throw new BridgeError('NOT_FOUND', `no token with id ${id}`);
    await services.store.tokens.delete(id);
    services.logger.info({ tokenId: id }, 'token revoked');
    return c.body(null, 204);
  });
}
