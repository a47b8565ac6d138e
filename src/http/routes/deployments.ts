/**
 * Deployments: End-User configurations proposed to a deployment repository. Operators create,
 * change, remove and review them; viewers read them. Every route calls the flows in
 * flows/deployments (the web pages call the same ones).
 */
import { createRoute, z } from '@hono/zod-openapi';
import {
  approveProposal,
  closeProposal,
  createDeployment,
  type DeploymentAnswer,
  deploymentStates,
  deploymentWithHistory,
  listDeployments,
  previewDeployment,
  removeDeployment,
  retryDeployment,
  updateDeployment,
  upgradePolicies,
} from '../../flows/deployments/index.js';
import { requireRole } from '../auth.js';
import type { App } from '../env.js';
import {
  authErrors,
  bearerAuth,
  conflict,
  errorSchema,
  idParam,
  jsonContent,
  nextPage,
  notFound,
  pagedContent,
  pageQuery,
  readTimeCursor,
  timeCursor,
} from '../schemas.js';
import { deploymentSchema, deploymentWithHistorySchema, previewSchema, view } from './deployment-schemas.js';

const scalar = z.union([z.string(), z.number(), z.boolean()]);
const inputValue = z.union([scalar, z.null(), z.array(scalar)]);

const upgradePolicySchema = z.enum(upgradePolicies).openapi({
  description: 'New versions proposed automatically: none (default), patch, minor or major (semver)',
});

const createSchema = z
  .object({
    repository: z.string().min(1).openapi({ description: 'Deployment repository name or id', example: 'local' }),
    applicationId: z.string().min(1).max(200),
    version: z.string().min(1).max(200),
    profile: z.string().min(1).max(200).openapi({ description: 'helm, compose or a deployment profile id' }),
    target: z.string().min(1).max(253).openapi({ example: 'plant-a/line-3' }),
    namespace: z.string().min(1).max(63).optional(),
    name: z.string().min(1).max(63).optional().openapi({ description: 'RFC 1123 label; several instances per target' }),
    values: z.record(z.string(), inputValue).optional(),
    sensitive: z.array(z.string()).max(500).optional().openapi({ description: 'Parameters whose values are secrets' }),
    upgradePolicy: upgradePolicySchema.optional(),
  })
  .strict()
  .openapi('DeploymentCreate');

const changeFields = {
  version: z.string().min(1).max(200).optional(),
  profile: z.string().min(1).max(200).optional(),
  namespace: z.string().min(1).max(63).optional(),
  values: z
    .record(z.string(), inputValue)
    .optional()
    .openapi({ description: 'Merged into the current values; null removes one' }),
  sensitive: z.array(z.string()).max(500).optional(),
  upgradePolicy: upgradePolicySchema.optional(),
};
const patchSchema = z.object(changeFields).strict().openapi('DeploymentPatch');
const previewRequestSchema = z
  .union([createSchema, z.object({ id: z.string().min(1), ...changeFields }).strict()])
  .openapi('DeploymentPreviewRequest');

const invalidValues = {
  422: {
    description:
      'Invalid values (`details.errors: [{ parameter, code, message }]`, never a value), immutable settings, an unusable version, profile or target',
    content: { 'application/json': { schema: errorSchema } },
  },
} as const;

const listQuery = pageQuery.extend({
  repository: z.string().optional(),
  applicationId: z.string().optional(),
  target: z.string().optional(),
  state: z.enum(deploymentStates).optional(),
});

const tags = ['deployments'];
const security = bearerAuth;

const create = createRoute({
  method: 'post',
  path: '/api/v1/deployments',
  tags,
  security,
  summary: 'Deploy an application version to a target: validates, renders and proposes',
  middleware: [requireRole('operator')] as const,
  request: { body: { required: true, content: { 'application/json': { schema: createSchema } } } },
  responses: {
    201: jsonContent(deploymentSchema, 'Recorded and proposed'),
    200: jsonContent(deploymentSchema, 'The same request again (its proposal), or nothing to change (`unchanged`)'),
    ...authErrors,
    ...notFound,
    ...conflict,
    ...invalidValues,
  },
});

const list = createRoute({
  method: 'get',
  path: '/api/v1/deployments',
  tags,
  security,
  summary: 'List deployments',
  request: { query: listQuery },
  responses: { 200: pagedContent('deployments', deploymentSchema, 'Deployments'), ...authErrors },
});

const get = createRoute({
  method: 'get',
  path: '/api/v1/deployments/{id}',
  tags,
  security,
  summary: 'One deployment with its history (each proposal, its commit, who asked, when)',
  request: { params: idParam },
  responses: { 200: jsonContent(deploymentWithHistorySchema, 'The deployment'), ...authErrors, ...notFound },
});

const patch = createRoute({
  method: 'patch',
  path: '/api/v1/deployments/{id}',
  tags,
  security,
  summary: 'Change values, version or profile: a new commit on the open proposal, else a new proposal',
  middleware: [requireRole('operator')] as const,
  request: { params: idParam, body: { required: true, content: { 'application/json': { schema: patchSchema } } } },
  responses: {
    200: jsonContent(deploymentSchema, 'Proposed, or nothing to change'),
    ...authErrors,
    ...notFound,
    ...conflict,
    ...invalidValues,
  },
});

const remove = createRoute({
  method: 'delete',
  path: '/api/v1/deployments/{id}',
  tags,
  security,
  summary: "Propose removing the deployment's files",
  middleware: [requireRole('operator')] as const,
  request: { params: idParam },
  responses: {
    200: jsonContent(deploymentSchema, 'Removal proposed (or done)'),
    ...authErrors,
    ...notFound,
    ...conflict,
  },
});

function action(path: string, summary: string) {
  return createRoute({
    method: 'post',
    path: `/api/v1/deployments/{id}/${path}`,
    tags,
    security,
    summary,
    middleware: [requireRole('operator')] as const,
    request: { params: idParam },
    responses: { 200: jsonContent(deploymentSchema, 'Done'), ...authErrors, ...notFound, ...conflict },
  });
}

/** A query parameter, not a body: the action is usually sent with no body at all. */
const approveQuery = z.object({
  method: z
    .enum(['merge-commit', 'fast-forward'])
    .optional()
    .openapi({ description: 'How to merge; default merge-commit (fast-forward fails when the base moved)' }),
});

const approve = createRoute({
  method: 'post',
  path: '/api/v1/deployments/{id}/approve',
  tags,
  security,
  summary: 'Merge the open proposal (local repositories; forges merge on the forge)',
  middleware: [requireRole('operator')] as const,
  request: {
    params: idParam,
    query: approveQuery,
  },
  responses: { 200: jsonContent(deploymentSchema, 'Merged'), ...authErrors, ...notFound, ...conflict },
});
const close = action('close', 'Close the open proposal without merging');
const retry = action('retry', 'Propose a failed request again');

const preview = createRoute({
  method: 'post',
  path: '/api/v1/deployments/preview',
  tags,
  security,
  summary: 'Validate and render without committing: the files and a unified diff against the base branch',
  middleware: [requireRole('operator')] as const,
  request: { body: { required: true, content: { 'application/json': { schema: previewRequestSchema } } } },
  responses: { 200: jsonContent(previewSchema, 'The rendering'), ...authErrors, ...notFound, ...invalidValues },
});

export function registerDeployments(app: App): void {
  // Before `/{id}` routes, so that `preview` is not taken for an id.
  app.openapi(preview, async (c) => c.json(await previewDeployment(c.get('services'), c.req.valid('json')), 200));
  app.openapi(create, async (c) => {
    const services = c.get('services');
    const answer = await createDeployment(services, c.req.valid('json'), actorOf(c.get('principal')));
    if (answer.created) c.header('Location', `/api/v1/deployments/${answer.deployment.id}`);
    return c.json(await answerView(services, answer), answer.created ? 201 : 200);
  });
  app.openapi(list, async (c) => {
    const { limit = 100, cursor, ...filter } = c.req.valid('query');
    const after = cursor === undefined ? undefined : readTimeCursor(cursor);
    const views = await listDeployments(c.get('services'), filter, {
      limit,
      ...(after ? { after: { createdAt: after.time, id: after.id } } : {}),
    });
    const last = views.at(-1);
    const next = nextPage(c.req.url, views.length, limit, last && timeCursor(Date.parse(last.createdAt), last.id));
    return c.json({ deployments: views, next }, 200);
  });
  app.openapi(get, async (c) => c.json(await deploymentWithHistory(c.get('services'), c.req.valid('param').id), 200));
  app.openapi(patch, async (c) => {
    const services = c.get('services');
    const answer = await updateDeployment(
      services,
      c.req.valid('param').id,
      c.req.valid('json'),
      actorOf(c.get('principal')),
    );
    return c.json(await answerView(services, answer), 200);
  });
  app.openapi(remove, async (c) => {
    const services = c.get('services');
    const answer = await removeDeployment(services, c.req.valid('param').id, actorOf(c.get('principal')));
    return c.json(await answerView(services, answer), 200);
  });
  app.openapi(approve, async (c) => {
    const services = c.get('services');
    const id = c.req.valid('param').id;
    const { method } = c.req.valid('query');
    await approveProposal(services, id, actorOf(c.get('principal')), method);
    return c.json(await view(services, id), 200);
  });
  app.openapi(close, async (c) => {
    const services = c.get('services');
    const id = c.req.valid('param').id;
    await closeProposal(services, id, actorOf(c.get('principal')));
    return c.json(await view(services, id), 200);
  });
  app.openapi(retry, async (c) => {
    const services = c.get('services');
    const answer = await retryDeployment(services, c.req.valid('param').id, actorOf(c.get('principal')));
    return c.json(await answerView(services, answer), 200);
  });
}

function actorOf(principal: { name: string; id: string }): string {
  return `${principal.name} (token ${principal.id})`;
}

async function answerView(services: Parameters<typeof view>[0], answer: DeploymentAnswer) {
  return { ...(await view(services, answer.deployment.id)), files: answer.files, unchanged: answer.unchanged };
}
