/** The catalogue: applications, their versions, a version's description and its resources. */
import { createRoute, z } from '@hono/zod-openapi';
import { BridgeError } from '../../errors.js';
import { markView } from '../../flows/version-marks.js';
import type { Description } from '../../margo/model.js';
import type { Services } from '../../services.js';
import type { Store, VersionRecord } from '../../store/interface.js';
import { requireRole } from '../auth.js';
import type { App } from '../env.js';
import {
  authErrors,
  bearerAuth,
  idParam,
  issueSchema,
  jsonContent,
  notFound,
  pagedContent,
  pageOf,
  pageQuery,
  pathParam,
  versionMarkSchema,
} from '../schemas.js';

const tags = ['catalogue'];
const security = bearerAuth;
const stateSchema = z.enum(['valid', 'warnings', 'rejected']);
const versionParam = idParam.extend({ version: pathParam('version') });
const resourceNames = ['icon', 'descriptionFile', 'releaseNotes', 'licenseFile'] as const;
const resourceParam = versionParam.extend({
  name: z.enum(resourceNames).openapi({ param: { name: 'name', in: 'path' } }),
});

const registryRef = z.object({
  id: z.string(),
  name: z.string(),
  kind: z.enum(['git', 'oci']),
  url: z.string(),
});
const sourceSchema = z.string().openapi({
  description:
    'Where the version came from: `oci://host/name:tag@sha256:…` (OCI manifest digest) or `<git url>#<tag>@<commit>`',
});
const applicationSummary = z
  .object({
    id: z.string(),
    name: z.string(),
    tagline: z.string().nullable(),
    latestVersion: z
      .string()
      .nullable()
      .openapi({ description: 'Newest valid (or with warnings) version that is not withdrawn' }),
    versions: z.number(),
    registry: registryRef.nullable(),
  })
  .openapi('ApplicationSummary');

const versionSummary = z.object({
  version: z.string(),
  tag: z.string(),
  commit: z.string(),
  source: sourceSchema,
  state: stateSchema,
  errors: z.number(),
  warnings: z.number(),
  mark: versionMarkSchema,
  createdAt: z.string(),
});

const applicationDetail = applicationSummary
  .extend({
    versions: z
      .array(versionSummary)
      .openapi({ description: 'One page of the versions, oldest first (`limit`, `cursor`)' }),
    next: z.string().nullable().openapi({ description: 'URL of the next page of versions; null on the last' }),
  })
  .openapi('Application');

const versionDetail = z
  .object({
    applicationId: z.string(),
    version: z.string(),
    tag: z.string(),
    commit: z.string(),
    source: sourceSchema,
    state: stateSchema,
    shape: z.string().nullable(),
    description: z.unknown().openapi({ description: 'The normalised description' }),
    errors: z.array(issueSchema),
    warnings: z.array(issueSchema),
    resources: z.array(z.object({ name: z.string(), path: z.string(), href: z.string() })),
    registry: registryRef.nullable(),
    mark: versionMarkSchema,
    createdAt: z.string(),
  })
  .openapi('Version');

const listRoute = createRoute({
  method: 'get',
  path: '/api/v1/applications',
  tags,
  security,
  summary: 'Applications in the catalogue',
  request: { query: pageQuery },
  responses: {
    200: pagedContent('applications', applicationSummary, 'Applications'),
    ...authErrors,
  },
});

const getRoute = createRoute({
  method: 'get',
  path: '/api/v1/applications/{id}',
  tags,
  security,
  summary: 'One application with its versions, paged',
  request: { params: idParam, query: pageQuery },
  responses: { 200: jsonContent(applicationDetail, 'The application'), ...authErrors, ...notFound },
});

const versionRoute = createRoute({
  method: 'get',
  path: '/api/v1/applications/{id}/versions/{version}',
  tags,
  security,
  summary: 'A version: normalised description, warnings or errors, tag, commit',
  request: { params: versionParam },
  responses: { 200: jsonContent(versionDetail, 'The version'), ...authErrors, ...notFound },
});

const resourceRoute = createRoute({
  method: 'get',
  path: '/api/v1/applications/{id}/versions/{version}/resources/{name}',
  tags,
  security,
  summary: 'A resource of the version (icon, descriptionFile, releaseNotes, licenseFile), with its content type',
  request: { params: resourceParam },
  responses: {
    200: { description: 'The file as stored; markdown is served raw as text/markdown' },
    ...authErrors,
    ...notFound,
  },
});

const ownerSchema = z
  .object({ applicationId: z.string(), registryId: z.string() })
  .openapi('ApplicationOwner', { description: 'The registry whose versions of the application are served' });

const ownerRoute = createRoute({
  method: 'put',
  path: '/api/v1/applications/{id}/owner',
  tags,
  security,
  summary:
    'Transfer an application to another registry: its versions are served from then on (APPLICATION_ID_CONFLICT)',
  middleware: [requireRole('admin')] as const,
  request: {
    params: idParam,
    body: { content: { 'application/json': { schema: z.object({ registryId: z.string().min(1) }).strict() } } },
  },
  responses: { 200: jsonContent(ownerSchema, 'The new owner'), ...authErrors, ...notFound },
});

export function registerApplications(app: App): void {
  app.openapi(ownerRoute, async (c) => {
    const { id } = c.req.valid('param');
    const { registryId } = c.req.valid('json');
    const services = c.get('services');
    const registry = await services.store.registries.get(registryId);
    if (!registry) throw new BridgeError('NOT_FOUND', `no registry with id ${registryId}`);
    if ((await services.store.versions.listByApplication(id)).length === 0) {
      throw new BridgeError('NOT_FOUND', `no application with id '${id}'`);
    }
    await services.store.applications.transfer(id, registryId);
    services.logger.info({ applicationId: id, registry: registry.name }, 'application transferred');
    return c.json({ applicationId: id, registryId }, 200);
  });

  app.openapi(listRoute, async (c) => {
    const { store } = c.get('services');
    const [all, registries] = await Promise.all([store.versions.applications(), registryNames(c)]);
    const { items: rows, next } = pageOf(c.req.url, all, (row) => row.applicationId, c.req.valid('query'));
    const applications = await Promise.all(
      rows.map(async (row) => {
        const shown = row.latest ?? newest(await store.versions.listByApplication(row.applicationId));
        return {
          ...identity(row.applicationId, shown),
          latestVersion: row.latest?.version ?? null,
          versions: row.versions,
          registry: registries(row.registryId),
        };
      }),
    );
    return c.json({ applications, next }, 200);
  });

  app.openapi(getRoute, async (c) => {
    const { id } = c.req.valid('param');
    const { store } = c.get('services');
    const [versions, owner] = await Promise.all([store.versions.listByApplication(id), store.applications.owner(id)]);
    if (versions.length === 0) throw new BridgeError('NOT_FOUND', `no application with id '${id}'`);
    // Only the owner's versions describe the application; others' are listed as rejected conflicts.
    const latest = latestUsable(versions.filter((version) => version.registryId === owner));
    const page = pageOf(c.req.url, versions, (version) => version.id, c.req.valid('query'));
    const registries = await registryNames(c);
    return c.json(
      {
        ...identity(id, latest ?? newest(versions)),
        latestVersion: latest?.version ?? null,
        registry: registries(owner ?? versions[0]!.registryId),
        next: page.next,
        versions: page.items.map((version) => ({
          version: version.version,
          tag: version.tag,
          commit: version.commit,
          source: versionSource(registries(version.registryId), version),
          state: version.state,
          errors: version.errors.length,
          warnings: version.warnings.length,
          mark: markView(version),
          createdAt: new Date(version.createdAt).toISOString(),
        })),
      },
      200,
    );
  });

  app.openapi(versionRoute, async (c) => {
    const { id, version: wanted } = c.req.valid('param');
    const version = await findVersion(c.get('services').store, id, wanted);
    const registries = await registryNames(c);
    const catalog = (version.description as Description | null)?.metadata.catalog.application ?? {};
    const base = `/api/v1/applications/${encodeURIComponent(id)}/versions/${encodeURIComponent(version.version)}`;
    return c.json(
      {
        applicationId: id,
        version: version.version,
        tag: version.tag,
        commit: version.commit,
        source: versionSource(registries(version.registryId), version),
        state: version.state,
        shape: version.shape,
        description: version.description,
        errors: version.errors,
        warnings: version.warnings,
        resources: resourceNames
          .filter((name) => catalog[name] !== undefined)
          .map((name) => ({ name, path: catalog[name] ?? '', href: `${base}/resources/${name}` })),
        registry: registries(version.registryId),
        mark: markView(version),
        createdAt: new Date(version.createdAt).toISOString(),
      },
      200,
    );
  });

  app.openapi(resourceRoute, async (c) => {
    const { id, version: wanted, name } = c.req.valid('param');
    const { store } = c.get('services');
    const version = await findVersion(store, id, wanted);
    const resource = await store.versions.resource(version.id, name);
    if (!resource) throw new BridgeError('NOT_FOUND', `version ${version.version} of '${id}' has no ${name}`);
    return c.body(resource.bytes as Uint8Array<ArrayBuffer>, 200, {
      'content-type': resource.contentType,
      'content-length': String(resource.bytes.byteLength),
      // Resources come from registries: never let a browser run them as part of this origin.
      'x-content-type-options': 'nosniff',
      'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; sandbox",
      'cache-control': 'private, max-age=3600, immutable',
    });
  });
}

async function findVersion(store: Store, applicationId: string, version: string): Promise<VersionRecord> {
  const found = await store.versions.get(applicationId, version);
  if (!found) throw new BridgeError('NOT_FOUND', `application '${applicationId}' has no version '${version}'`);
  return found;
}

/** A lookup of registry id → { id, name }, loaded once per request. */
type RegistryRef = z.infer<typeof registryRef>;

async function registryNames(c: { get(key: 'services'): Services }): Promise<(id: string) => RegistryRef | null> {
  const registries = await c.get('services').store.registries.list();
  const byId = new Map(
    registries.map((registry) => [
      registry.id,
      { id: registry.id, name: registry.name, kind: registry.kind, url: registry.url },
    ]),
  );
  return (id) => byId.get(id) ?? null;
}

/** Where a version came from, one line: the OCI reference with its digest, or the Git URL, tag and commit. */
function versionSource(registry: RegistryRef | null, version: VersionRecord): string {
  if (registry === null) return `${version.tag}@${version.commit}`;
  if (registry.kind === 'oci')
    return `oci://${registry.url.replace(/^https?:\/\//, '')}:${version.tag}@${version.commit}`;
  return `${registry.url}#${version.tag}@${version.commit}`;
}

function identity(
  id: string,
  version: VersionRecord | undefined,
): { id: string; name: string; tagline: string | null } {
  const description = version?.description as Description | null | undefined;
  return {
    id,
    name: description?.metadata.name ?? id,
    tagline: description?.metadata.catalog.application?.tagline ?? null,
  };
}

/** Newest version neither rejected nor withdrawn (issue 15). */
function latestUsable(versions: VersionRecord[]): VersionRecord | undefined {
  return newest(versions.filter((version) => version.state !== 'rejected' && version.mark?.kind !== 'withdrawn'));
}

function newest(versions: VersionRecord[]): VersionRecord | undefined {
  return [...versions].sort((a, b) => b.createdAt - a.createdAt)[0];
}
