/**
 * Deployment repositories: the GitOps repositories margo-bridge proposes desired state to. Set up
 * by admins (the connection test runs first; `?force=true` stores anyway), read by viewers.
 * Credentials go in, never come out: the view shows only their kinds.
 */
import { createRoute, z } from '@hono/zod-openapi';
import {
  createDeploymentRepository,
  type DeploymentRepositorySettings,
  deleteDeploymentRepository,
  deploymentRepositoryPatchSchema,
  deploymentRepositorySchema,
  deploymentRepositoryView,
  getDeploymentRepository,
  listDeploymentRepositories,
  updateDeploymentRepository,
} from '../../flows/deployments/index.js';
import { requireRole } from '../auth.js';
import type { App } from '../env.js';
import {
  authErrors,
  bearerAuth,
  conflict,
  forceQuery,
  idParam,
  jsonContent,
  nextPage,
  notFound,
  pagedContent,
  pageQuery,
  unprocessable,
} from '../schemas.js';

export const deploymentRepositoryViewSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    provider: z.enum(['github', 'git', 'local']),
    settings: z.record(z.string(), z.unknown()).openapi({ description: 'Provider settings without secrets' }),
    baseBranch: z.string(),
    format: z.enum(['margo', 'margo-v1', 'flux', 'argocd']),
    layout: z.object({ root: z.string(), directory: z.string() }),
    commitAuthor: z.object({ name: z.string(), email: z.string() }),
    labels: z.array(z.string()),
    titlePattern: z.string().nullable(),
    credentials: z.record(z.string(), z.unknown()).openapi({ description: 'Kinds of credentials, never their values' }),
    configured: z.boolean().openapi({ description: 'Comes from margo-bridge.yaml (reset at each start)' }),
    sops: z
      .object({ ageRecipients: z.array(z.string()), allowPlaintextSecrets: z.boolean() })
      .openapi({ description: 'Sensitive values: SOPS age recipients (public keys), or plaintext explicitly allowed' }),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('DeploymentRepository');

const tags = ['deployment repositories'];
const security = bearerAuth;

const create = createRoute({
  method: 'post',
  path: '/api/v1/deployment-repositories',
  tags,
  security,
  summary: 'Add a deployment repository (tests the connection first)',
  middleware: [requireRole('admin')] as const,
  request: {
    query: forceQuery,
    body: { required: true, content: { 'application/json': { schema: deploymentRepositorySchema } } },
  },
  responses: {
    201: jsonContent(deploymentRepositoryViewSchema, 'Created'),
    ...authErrors,
    ...conflict,
    ...unprocessable,
  },
});

const list = createRoute({
  method: 'get',
  path: '/api/v1/deployment-repositories',
  tags,
  security,
  summary: 'List deployment repositories',
  request: { query: pageQuery },
  responses: {
    200: pagedContent('deploymentRepositories', deploymentRepositoryViewSchema, 'Repositories'),
    ...authErrors,
  },
});

const get = createRoute({
  method: 'get',
  path: '/api/v1/deployment-repositories/{id}',
  tags,
  security,
  summary: 'One deployment repository',
  request: { params: idParam },
  responses: { 200: jsonContent(deploymentRepositoryViewSchema, 'The repository'), ...authErrors, ...notFound },
});

const patch = createRoute({
  method: 'patch',
  path: '/api/v1/deployment-repositories/{id}',
  tags,
  security,
  summary: 'Change a deployment repository (changed provider settings are tested again)',
  middleware: [requireRole('admin')] as const,
  request: {
    params: idParam,
    query: forceQuery,
    body: { required: true, content: { 'application/json': { schema: deploymentRepositoryPatchSchema } } },
  },
  responses: {
    200: jsonContent(deploymentRepositoryViewSchema, 'Updated'),
    ...authErrors,
    ...notFound,
    ...conflict,
    ...unprocessable,
  },
});

const remove = createRoute({
  method: 'delete',
  path: '/api/v1/deployment-repositories/{id}',
  tags,
  security,
  summary: 'Remove a deployment repository (refused with 409 while deployments use it)',
  middleware: [requireRole('admin')] as const,
  request: { params: idParam },
  responses: { 204: { description: 'Deleted' }, ...authErrors, ...notFound, ...conflict },
});

export function registerDeploymentRepositories(app: App): void {
  app.openapi(create, async (c) => {
    const services = c.get('services');
    const record = await createDeploymentRepository(services, c.req.valid('json') as DeploymentRepositorySettings, {
      force: c.req.valid('query').force === 'true',
    });
    c.header('Location', `/api/v1/deployment-repositories/${record.id}`);
    return c.json(deploymentRepositoryView(record), 201);
  });
  app.openapi(list, async (c) => {
    const { limit = 100, cursor } = c.req.valid('query');
    // Ordered by name, which is unique: the cursor is the previous page's last name.
    const records = await listDeploymentRepositories(c.get('services'), { limit, after: cursor });
    return c.json(
      {
        deploymentRepositories: records.map(deploymentRepositoryView),
        next: nextPage(c.req.url, records.length, limit, records.at(-1)?.name),
      },
      200,
    );
  });
  app.openapi(get, async (c) => {
    const record = await getDeploymentRepository(c.get('services'), c.req.valid('param').id);
    return c.json(deploymentRepositoryView(record), 200);
  });
  app.openapi(patch, async (c) => {
    const record = await updateDeploymentRepository(c.get('services'), c.req.valid('param').id, c.req.valid('json'), {
      force: c.req.valid('query').force === 'true',
    });
    return c.json(deploymentRepositoryView(record), 200);
  });
  app.openapi(remove, async (c) => {
    await deleteDeploymentRepository(c.get('services'), c.req.valid('param').id);
    return c.body(null, 204);
  });
}
