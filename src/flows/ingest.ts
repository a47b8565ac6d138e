/**
 * Ingesting one release: read the package at the tag, validate its description, and store an
 * immutable version (valid, with warnings, or rejected with its errors) with its resources.
 * Idempotent: a tag ingested before is left alone, so a job repeated after a crash stores nothing twice.
 */
import { BridgeError, type ErrorCode } from '../errors.js';
import { validateDocument } from '../margo/index.js';
import type { Description, DocumentReport, Issue } from '../margo/model.js';
import type { Package, RegistryConnection, Release } from '../registry/interface.js';
import type { Services } from '../services.js';
import type { RegistryRecord, ResourceRecord, VersionInput, VersionRecord, VersionState } from '../store/interface.js';
import { withoutUrlCredentials } from '../urls.js';
import { composeArtifactWarnings } from './compose-artifacts.js';
import { connectionFor } from './connection.js';
import { upgradeJob } from './deployments/upgrade.js';

export interface IngestPayload {
  registryId: string;
  tag: string;
  commit: string;
  version: string;
}

/** Failures of the package itself: retrying cannot help, so the version is stored as rejected. */
const packageErrors: ErrorCode[] = ['NO_DESCRIPTION', 'LIMIT_EXCEEDED', 'UNSAFE_PATH', 'INVALID_DESCRIPTION'];

export type IngestResult =
  | { outcome: 'stored' | 'existing'; version: VersionRecord }
  | { outcome: 'missing-registry' | 'missing-tag' };

export async function ingestRelease(services: Services, payload: IngestPayload): Promise<IngestResult> {
  const { store } = services;
  const registry = await store.registries.get(payload.registryId);
  if (!registry) return { outcome: 'missing-registry' };
  const existing = await store.versions.getByTag(registry.id, payload.tag);
  if (existing) return { outcome: 'existing', version: existing };
  const log = services.logger.child({ registry: registry.name, registryId: registry.id, tag: payload.tag });
  log.info({}, 'ingest started');

  const fallbackRelease: Release = { tag: payload.tag, commit: payload.commit, version: payload.version };
  let record: VersionInput;
  let resources: ResourceRecord[] = [];
  try {
    const connection = await connectionFor(services.secretBox, registry);
    const pkg = await services.registryReader.readRelease(connection, payload.tag);
    ({ record, resources } = versionFromPackage(registry.id, registry.strictVersion, pkg));
    record = await withComposeArtifactWarnings(services, connection, record);
    const conflict = await ownershipConflict(services, registry, record.applicationId);
    if (conflict !== null) {
      record = { ...record, state: 'rejected', errors: [conflict, ...record.errors] };
      resources = [];
    }
  } catch (error) {
    if (isBridgeCode(error, ['TAG_NOT_FOUND'])) {
      log.warn({}, 'tag disappeared before it could be ingested');
      return { outcome: 'missing-tag' };
    }
    if (!isBridgeCode(error, packageErrors)) {
      if (error instanceof BridgeError) {
        services.metrics.registryErrors.inc({ registry: registry.name, code: error.code });
      }
      throw error;
    }
    record = rejectedRecord(registry.id, fallbackRelease, error);
  }

  // The version and its upgrade job commit together, so a crash between them loses no upgrade.
  const { version, created } = await store.transaction(async (tx) => {
    const stored = await tx.versions.insert(record, resources);
    const { applicationId } = stored.version;
    if (stored.created && stored.version.state !== 'rejected' && applicationId !== null) {
      // Only deployments whose upgrade policy allows it get an upgrade proposal (issue 15).
      const deployments = await tx.deployments.list({ applicationId });
      if (deployments.some((deployment) => (deployment.upgradePolicy ?? 'none') !== 'none')) {
        await tx.jobs.enqueue(upgradeJob(services, applicationId, stored.version.version));
      }
    }
    return stored;
  });
  if (created) services.metrics.versionsIngested.inc({ state: version.state });
  log.info({ version: version.version, state: version.state, errors: version.errors.length, created }, 'ingest done');
  return { outcome: created ? 'stored' : 'existing', version };
}

/** SUP-01: compose components published as OCI artifacts get their archive layout checked (warnings). */
async function withComposeArtifactWarnings(
  services: Services,
  connection: RegistryConnection,
  record: VersionInput,
): Promise<VersionInput> {
  if (record.description === null || record.state === 'rejected') return record;
  const added = await composeArtifactWarnings(services.registryReader, connection, record.description as Description);
  if (added.length === 0) return record;
  return { ...record, state: 'warnings', warnings: [...record.warnings, ...added] };
}

/**
 * Issue 10, item 1: an application id belongs to the registry that first published it. Another
 * registry's version of it is an APPLICATION_ID_CONFLICT (recorded, counted, an event), never served.
 */
async function ownershipConflict(
  services: Services,
  registry: RegistryRecord,
  applicationId: string | null,
): Promise<Issue | null> {
  if (applicationId === null) return null;
  const owner = await services.store.applications.claim(applicationId, registry.id);
  if (owner === registry.id) return null;
  const ownerName = (await services.store.registries.get(owner))?.name ?? owner;
  const message =
    `application id '${applicationId}' belongs to registry '${ownerName}'; registry '${registry.name}' ` +
    'may not publish it (an admin can transfer it: PUT /api/v1/applications/{id}/owner)';
  services.metrics.applicationIdConflicts.inc({ registry: registry.name });
  await services.store.events.add({
    registryId: registry.id,
    kind: 'APPLICATION_ID_CONFLICT',
    tag: null,
    detail: { applicationId, owner, ownerName },
  });
  services.logger.warn({ registry: registry.name, applicationId, owner: ownerName }, 'application id conflict');
  return issue('error', 'APPLICATION_ID_CONFLICT', message, 'metadata.id');
}

function versionFromPackage(
  registryId: string,
  strictVersion: boolean,
  pkg: Package,
): { record: VersionInput; resources: ResourceRecord[] } {
  // The reader's report, made with A-58 against the package's files; validated here only for a
  // reader that did not provide one.
  const report = pkg.report ?? validateWithFiles(pkg);
  const errors: Issue[] = [...report.errors];
  const warnings: Issue[] = [...report.warnings];
  const description = report.kind === 'description' ? report.description : null;
  if (report.kind !== 'description' && errors.length === 0) {
    errors.push(issue('error', 'NOT_A_DESCRIPTION', `${pkg.descriptionPath} is not a Margo application description`));
  }
  if (description !== null && description.metadata.version !== pkg.release.version) {
    // D-10: the tag gives the version; a different metadata.version is a warning, an error in strict mode.
    (strictVersion ? errors : warnings).push(
      issue(
        strictVersion ? 'error' : 'warning',
        'VERSION_MISMATCH',
        `metadata.version is '${description.metadata.version}' but the tag '${pkg.release.tag}' gives version '${pkg.release.version}'`,
        'metadata.version',
      ),
    );
  }
  const application = description?.metadata.catalog.application ?? {};
  for (const problem of pkg.resourceProblems) {
    if (reportedAsCatalogFile(problem.path, application, warnings)) continue;
    warnings.push(issue('warning', `RESOURCE_${problem.code}`, `${problem.path}: ${problem.message}`));
  }
  const state: VersionState = errors.length > 0 ? 'rejected' : warnings.length > 0 ? 'warnings' : 'valid';
  return {
    record: {
      registryId,
      applicationId: description?.id ?? null,
      tag: pkg.release.tag,
      commit: pkg.release.commit,
      version: pkg.release.version,
      state,
      shape: report.shape,
      description,
      errors,
      warnings,
    },
    resources: description === null ? [] : resourcesOf(description.metadata.catalog.application ?? {}, pkg),
  };
}

/** the registry listed the package's files, so missing catalog files are reported with their position. */
function validateWithFiles(pkg: Package): DocumentReport {
  const files = pkg.files ? new Set(pkg.files) : undefined;
  return validateDocument(pkg.descriptionText, files ? { fileExists: (path) => files.has(path) } : {});
}

const resourceRoles = ['icon', 'descriptionFile', 'releaseNotes', 'licenseFile'] as const;

/** A resource the registry could not read that A-58 already reported (CATALOG_FILE) is not reported twice. */
function reportedAsCatalogFile(
  reference: string,
  application: Partial<Record<(typeof resourceRoles)[number], string | undefined>>,
  warnings: Issue[],
): boolean {
  return resourceRoles.some(
    (role) =>
      application[role] === reference &&
      warnings.some(
        (warning) => warning.code === 'CATALOG_FILE' && warning.path === `metadata.catalog.application.${role}`,
      ),
  );
}

/** Pairs each catalogue role (icon, descriptionFile, …) with the file the registry read for it. */
function resourcesOf(
  application: Partial<Record<(typeof resourceRoles)[number], string | undefined>>,
  pkg: Package,
): ResourceRecord[] {
  const result: ResourceRecord[] = [];
  for (const role of resourceRoles) {
    const wanted = application[role];
    if (wanted === undefined) continue;
    const file = pkg.resources.find((candidate) => samePath(candidate.path, wanted));
    if (file) result.push({ name: role, path: file.path, contentType: contentTypeOf(file.path), bytes: file.bytes });
  }
  return result;
}

function samePath(a: string, b: string): boolean {
  const clean = (path: string) => path.replace(/^(\.\/)+/, '').replace(/^\/+/, '');
  return clean(a) === clean(b);
}

const contentTypes: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  svg: 'image/svg+xml',
  webp: 'image/webp',
  ico: 'image/x-icon',
  md: 'text/markdown; charset=utf-8',
  markdown: 'text/markdown; charset=utf-8',
  txt: 'text/plain; charset=utf-8',
  html: 'text/plain; charset=utf-8',
  pdf: 'application/pdf',
};

export function contentTypeOf(path: string): string {
  const extension = /\.([a-z0-9]+)$/i.exec(path)?.[1]?.toLowerCase();
  if (extension === undefined)
    return path.toUpperCase().startsWith('LICENSE') ? 'text/plain; charset=utf-8' : 'application/octet-stream';
  return contentTypes[extension] ?? 'application/octet-stream';
}

function rejectedRecord(registryId: string, release: Release, error: BridgeError): VersionInput {
  return {
    registryId,
    applicationId: null,
    tag: release.tag,
    commit: release.commit,
    version: release.version,
    state: 'rejected',
    shape: null,
    description: null,
    errors: [issue('error', error.code, withoutUrlCredentials(error.message))],
    warnings: [],
  };
}

function issue(severity: Issue['severity'], code: string, message: string, path = ''): Issue {
  return { severity, code, message, path, line: 0, column: 0 };
}

function isBridgeCode(error: unknown, codes: ErrorCode[]): error is BridgeError {
  return error instanceof BridgeError && codes.includes(error.code);
}
