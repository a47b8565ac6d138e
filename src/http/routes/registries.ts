/**
 * Registries: set up by admins (End Users typing URLs, guarded by the registry reader's address
 * guard), read by viewers. Credentials go in, never come out: the view shows only their kinds.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { requestPoll } from '../../flows/poll.js';
import {
  createRegistry,
  getRegistry,
  MAX_POLL_INTERVAL_SECONDS,
  MIN_POLL_INTERVAL_SECONDS,
  type RegistrySettings,
  updateRegistry,
} from '../../flows/registries.js';
import { markView } from '../../flows/version-marks.js';
import type { Services } from '../../services.js';
import type { RegistryRecord, VersionRecord, VersionState } from '../../store/interface.js';
import { requireRole } from '../auth.js';
import type { App } from '../env.js';
import {
  authErrors,
  bearerAuth,
  conflict,
  cursorParam,
  forceQuery,
  idParam,
  isoTime,
  issueSchema,
  jsonContent,
  limitParam,
  nextPage,
  notFound,
  pagedContent,
  pageOf,
  pageQuery,
  safeText,
  unprocessable,
  versionMarkSchema,
} from '../schemas.js';

const authSchema = z
  .discriminatedUnion('type', [
    z.object({ type: z.literal('basic'), username: z.string().min(1), password: z.string().min(1) }).strict(),
    z.object({ type: z.literal('bearer'), token: z.string().min(1) }).strict(),
  ])
  .openapi('RegistryAuth');

const pem = z
  .string()
  .min(1)
  .max(64 * 1024);

const settingsFields = {
  name: safeText(z.string().min(1).max(200)).openapi({ example: 'hello-world' }),
  kind: z.enum(['git', 'oci']).optional().openapi({
    description: 'git (default): a Git repository; oci: an OCI repository, https://registry.example.com/<name>',
  }),
  url: z.string().url().openapi({ example: 'https://git.example.com/acme/hello-world.git' }),
  subPath: safeText(z.string().max(1000))
    .optional()
    .openapi({ description: 'Package directory inside the repository' }),
  tagPattern: safeText(z.string().min(1).max(500)).nullable().optional().openapi({ example: 'v*' }),
  semverRange: safeText(z.string().min(1).max(200)).nullable().optional().openapi({ example: '>=1.0.0' }),
  strictVersion: z.boolean().optional(),
  allowHttp: z.boolean().optional().openapi({ description: 'Allow a plain http:// URL' }),
  pollInterval: z
    .number()
    .int()
    .min(MIN_POLL_INTERVAL_SECONDS)
    .max(MAX_POLL_INTERVAL_SECONDS)
    .optional()
    .openapi({ description: 'Seconds, 30 to 604800 (7 days)' }),
  auth: authSchema.nullable().optional(),
  caCert: pem.nullable().optional(),
  clientCert: pem.nullable().optional(),
  clientKey: pem.nullable().optional(),
  webhookSecret: z.string().min(1).max(1000).nullable().optional(),
};

const createSchema = z.object(settingsFields).strict().openapi('RegistryCreate');
const patchSchema = z.object(settingsFields).partial().strict().openapi('RegistryPatch');

const countsSchema = z.object({ valid: z.number(), warnings: z.number(), rejected: z.number() });
export const registrySchema = z
  .object({
    id: z.string(),
    name: z.string(),
    kind: z.enum(['git', 'oci']),
    url: z.string(),
    subPath: z.string(),
    tagPattern: z.string().nullable(),
    semverRange: z.string().nullable(),
    strictVersion: z.boolean(),
    allowHttp: z.boolean(),
    pollInterval: z.number(),
    credentials: z.record(z.string(), z.unknown()),
    configured: z.boolean().openapi({ description: 'Comes from margo-bridge.yaml (reset at each start)' }),
    status: z.object({
      lastPollAt: z.string().nullable(),
      lastSuccessAt: z.string().nullable(),
      lastError: z.string().nullable(),
      consecutiveFailures: z.number(),
      nextPollAt: z.string().nullable(),
      versions: countsSchema,
    }),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('Registry');

const versionSummarySchema = z
  .object({
    id: z.string(),
    applicationId: z.string().nullable(),
    version: z.string(),
    tag: z.string(),
    commit: z.string(),
    state: z.enum(['valid', 'warnings', 'rejected']),
    shape: z.string().nullable(),
    errors: z.array(issueSchema),
    warnings: z.array(issueSchema),
    mark: versionMarkSchema,
    createdAt: z.string(),
  })
  .openapi('RegistryVersion');

const eventSchema = z
  .object({
    id: z.string(),
    kind: z.string(),
    tag: z.string().nullable(),
    detail: z.record(z.string(), z.unknown()),
    createdAt: z.string(),
  })
  .openapi('RegistryEvent');

const tags = ['registries'];
const security = bearerAuth;

const create = createRoute({
  method: 'post',
  path: '/api/v1/registries',
  tags,
  security,
  summary: 'Add a registry (tests the connection first)',
  middleware: [requireRole('admin')] as const,
  request: {
    query: forceQuery,
    body: { required: true, content: { 'application/json': { schema: createSchema } } },
  },
  responses: { 201: jsonContent(registrySchema, 'Created'), ...authErrors, ...conflict, ...unprocessable },
});

const list = createRoute({
  method: 'get',
  path: '/api/v1/registries',
  tags,
  security,
  summary: 'List registries with their status',
  request: { query: pageQuery },
  responses: { 200: pagedContent('registries', registrySchema, 'Registries'), ...authErrors },
});

const get = createRoute({
  method: 'get',
  path: '/api/v1/registries/{id}',
  tags,
  security,
  summary: 'One registry with its status',
  request: { params: idParam },
  responses: { 200: jsonContent(registrySchema, 'The registry'), ...authErrors, ...notFound },
});

const patch = createRoute({
  method: 'patch',
  path: '/api/v1/registries/{id}',
  tags,
  security,
  summary: 'Change a registry (a changed address or credentials is tested again); null removes a credential',
  middleware: [requireRole('admin')] as const,
  request: {
    params: idParam,
    query: forceQuery,
    body: { required: true, content: { 'application/json': { schema: patchSchema } } },
  },
  responses: {
    200: jsonContent(registrySchema, 'Updated'),
    ...authErrors,
    ...notFound,
    ...conflict,
    ...unprocessable,
  },
});

const remove = createRoute({
  method: 'delete',
  path: '/api/v1/registries/{id}',
  tags,
  security,
  summary: 'Remove a registry and its versions',
  middleware: [requireRole('admin')] as const,
  request: { params: idParam },
  responses: { 204: { description: 'Deleted' }, ...authErrors, ...notFound },
});

const sync = createRoute({
  method: 'post',
  path: '/api/v1/registries/{id}/sync',
  tags,
  security,
  summary: 'Poll now',
  middleware: [requireRole('operator')] as const,
  request: { params: idParam },
  responses: {
    202: jsonContent(z.object({ jobId: z.string(), state: z.string() }), 'Poll queued'),
    ...authErrors,
    ...notFound,
  },
});

const versions = createRoute({
  method: 'get',
  path: '/api/v1/registries/{id}/versions',
  tags,
  security,
  summary: 'Every version ingested from the registry, rejected ones with their errors',
  request: { params: idParam, query: pageQuery },
  responses: {
    200: pagedContent('versions', versionSummarySchema, 'Versions'),
    ...authErrors,
    ...notFound,
  },
});

const events = createRoute({
  method: 'get',
  path: '/api/v1/registries/{id}/events',
  tags,
  security,
  summary: 'Events such as moved tags (TAG_MOVED) and application id conflicts, newest first',
  request: { params: idParam, query: z.object({ limit: limitParam, cursor: cursorParam }) },
  responses: { 200: pagedContent('events', eventSchema, 'Events'), ...authErrors, ...notFound },
});

export function registerRegistries(app: App): void {
  app.openapi(create, async (c) => {
    const services = c.get('services');
    const body = c.req.valid('json');
    const record = await createRegistry(services, withoutNulls(body), { force: c.req.valid('query').force === 'true' });
    c.header('Location', `/api/v1/registries/${record.id}`);
    return c.json(await registryView(services, record), 201);
  });
  app.openapi(list, async (c) => {
    const services = c.get('services');
    const [records, counts] = await Promise.all([
      services.store.registries.list(),
      services.store.versions.countsByRegistry(),
    ]);
    const page = pageOf(c.req.url, records, (record) => record.id, c.req.valid('query'));
    const views = page.items.map((record) => registryView(services, record, counts.get(record.id) ?? noVersions));
    return c.json({ registries: await Promise.all(views), next: page.next }, 200);
  });
  app.openapi(get, async (c) => {
    const services = c.get('services');
    return c.json(await registryView(services, await getRegistry(services, c.req.valid('param').id)), 200);
  });
  app.openapi(patch, async (c) => {
    const services = c.get('services');
    const record = await updateRegistry(services, c.req.valid('param').id, c.req.valid('json'), {
      force: c.req.valid('query').force === 'true',
    });
    return c.json(await registryView(services, record), 200);
  });
  app.openapi(remove, async (c) => {
    const services = c.get('services');
    const record = await getRegistry(services, c.req.valid('param').id);
    await services.store.registries.delete(record.id);
    services.logger.info({ registry: record.name, registryId: record.id }, 'registry deleted');
    return c.body(null, 204);
  });
  app.openapi(sync, async (c) => {
    const services = c.get('services');
    const record = await getRegistry(services, c.req.valid('param').id);
    const job = await requestPoll(services, record.id);
    return c.json({ jobId: job.id, state: job.state }, 202);
  });
  app.openapi(versions, async (c) => {
    const services = c.get('services');
    const record = await getRegistry(services, c.req.valid('param').id);
    const rows = await services.store.versions.listByRegistry(record.id);
    const page = pageOf(c.req.url, rows, (row) => row.id, c.req.valid('query'));
    return c.json({ versions: page.items.map(versionSummary), next: page.next }, 200);
  });
  app.openapi(events, async (c) => {
    const services = c.get('services');
    const record = await getRegistry(services, c.req.valid('param').id);
    const { limit = 100, cursor } = c.req.valid('query');
    const rows = await services.store.events.list(record.id, { limit, ...(cursor ? { beforeId: cursor } : {}) });
    return c.json(
      {
        next: nextPage(c.req.url, rows.length, limit, rows.at(-1)?.id),
        events: rows.map((event) => ({
          id: event.id,
          kind: event.kind,
          tag: event.tag,
          detail: event.detail,
          createdAt: new Date(event.createdAt).toISOString(),
        })),
      },
      200,
    );
  });
}

const noVersions: Record<VersionState, number> = { valid: 0, warnings: 0, rejected: 0 };

/** `counts` may be given when they were read for many registries at once (the list). */
export async function registryView(
  services: Services,
  record: RegistryRecord,
  given?: Record<VersionState, number>,
): Promise<z.infer<typeof registrySchema>> {
  const counts = given ?? (await services.store.versions.counts(record.id));
  return {
    id: record.id,
    name: record.name,
    kind: record.kind,
    url: record.url,
    subPath: record.subPath,
    tagPattern: record.tagPattern,
    semverRange: record.semverRange,
    strictVersion: record.strictVersion,
    allowHttp: record.allowHttp,
    pollInterval: record.pollInterval,
    credentials: record.credentialSummary,
    configured: record.configured,
    status: {
      lastPollAt: isoTime(record.lastPollAt),
      lastSuccessAt: isoTime(record.lastSuccessAt),
      lastError: record.lastError,
      consecutiveFailures: record.consecutiveFailures,
      nextPollAt: isoTime(record.nextPollAt),
      versions: { valid: counts.valid ?? 0, warnings: counts.warnings ?? 0, rejected: counts.rejected ?? 0 },
    },
    createdAt: new Date(record.createdAt).toISOString(),
    updatedAt: new Date(record.updatedAt).toISOString(),
  };
}

function versionSummary(version: VersionRecord): z.infer<typeof versionSummarySchema> {
  return {
    id: version.id,
    applicationId: version.applicationId,
    version: version.version,
    tag: version.tag,
    commit: version.commit,
    state: version.state,
    shape: version.shape,
    errors: version.errors,
    warnings: version.warnings,
    mark: markView(version),
    createdAt: new Date(version.createdAt).toISOString(),
  };
}

/** On creation `null` means the same as absent. */
function withoutNulls(body: z.infer<typeof createSchema>): RegistrySettings {
  return Object.fromEntries(Object.entries(body).filter(([, value]) => value !== null)) as unknown as RegistrySettings;
}
