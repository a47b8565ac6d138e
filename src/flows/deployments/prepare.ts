/**
 * From a deployment request to the change a proposal carries, through the same code as the CLI:
 * the stored version's description, `resolveDeployment` (validateValues, D-12 against the live
 * values, the id and name kept), the controller-ready rendering of margo/render and the target's
 * recomputed index files. Nothing is written here.
 *
 * The repository is not read: the deployment's id and name and the values it is live with come
 * from the store (what the CLI reads from the previous file), and the target's index lists the
 * deployments the store knows to be on the base branch. That keeps a proposal within a few API
 * calls; the provider builds the commit on the base branch as it is then.
 */
import { toHex } from '../../bytes.js';
import { BridgeError, isBridgeError } from '../../errors.js';
import { type PreviousDeployment, type ResolvedDeployment, resolveDeployment } from '../../margo/deployment/index.js';
import type { Description, InputValue, Value } from '../../margo/model.js';
import {
  deploymentFolder,
  MANIFEST_FILE,
  type RenderedFile,
  type RepositoryChange,
  readManifest,
  renderForRepository,
  type TargetDeployment,
  targetIndex,
  targetIndexPaths,
} from '../../margo/render/index.js';
import type { Services } from '../../services.js';
import type { DeploymentRepositoryRecord, ProposalFile, ProposalRecord } from '../../store/deployment-records.js';
import type { VersionRecord } from '../../store/interface.js';

export interface DesiredDeployment {
  applicationId: string;
  version: string;
  profile: string;
  target: string;
  namespace: string;
  /** Absent: the renderer's default name for the application. */
  name?: string;
  values: Record<string, InputValue>;
  /** The deployment's id when it exists; a new one is minted otherwise. */
  deploymentId?: string;
  /** The values the deployment is live with (its last merged proposal): immutable settings keep them. */
  live?: Record<string, InputValue>;
}

export interface PreparedChange {
  version: VersionRecord;
  description: Description;
  resolved: ResolvedDeployment;
  /** The deployment's own folder as rendered (what `files` of the answer lists). */
  rendered: RenderedFile[];
  folder: string;
  hash: string;
  /** Namespaces the rendering needs created (its manifest), for the target's index. */
  namespaces: string[];
  change: RepositoryChange;
  /** Path and SHA-256 of each rendered file, as answers list them. */
  digests: ProposalFile[];
  /** When the request was prepared (the proposal's `requestedAt`). */
  requestedAt: number;
}

const LABEL = /^[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?$/;

/** A deployment name is an RFC 1123 label: a folder name and a Kubernetes object name. */
export function checkDeploymentName(name: string): void {
  if (!LABEL.test(name)) {
    throw new BridgeError(
      'INVALID_TARGET',
      `name '${name}' must be an RFC 1123 label: lower-case letters, digits and '-', at most 63, starting and ending with a letter or digit`,
      { field: 'name' },
    );
  }
}

/** The stored version a deployment may use: ingested, not rejected, with a description. */
export async function deployableVersion(
  services: Services,
  applicationId: string,
  version: string,
): Promise<{ version: VersionRecord; description: Description }> {
  const record = await services.store.versions.get(applicationId, version);
  if (!record) {
    const known = (await services.store.versions.listByApplication(applicationId)).length > 0;
    throw new BridgeError(
      'NOT_FOUND',
      known
        ? `application '${applicationId}' has no version '${version}'`
        : `no application '${applicationId}' in the catalogue`,
      { field: known ? 'version' : 'applicationId' },
    );
  }
  if (record.state === 'rejected' || record.description === null) {
    throw new BridgeError(
      'INVALID_DESCRIPTION',
      `version ${version} of '${applicationId}' was rejected at ingest (${record.errors.length} errors) and cannot be deployed`,
      { field: 'version' },
    );
  }
  return { version: record, description: record.description as Description };
}

export async function prepareDeployment(
  services: Services,
  repository: DeploymentRepositoryRecord,
  desired: DesiredDeployment,
): Promise<PreparedChange> {
  if (desired.name !== undefined) checkDeploymentName(desired.name);
  const { version, description } = await deployableVersion(services, desired.applicationId, desired.version);
  const layout = repository.layout;
  const deploymentId = desired.deploymentId ?? crypto.randomUUID();
  const previous: PreviousDeployment | undefined =
    desired.deploymentId === undefined
      ? undefined
      : {
          id: deploymentId,
          ...(desired.name !== undefined ? { name: desired.name } : {}),
          applicationId: desired.applicationId,
          values: liveValues(desired.live ?? {}),
        };
  const resolved = translateValueErrors(() =>
    resolveDeployment({
      description,
      profile: desired.profile,
      target: desired.target,
      namespace: desired.namespace,
      values: desired.values,
      ...(desired.name !== undefined ? { name: desired.name } : {}),
      ...(previous ? { previous } : {}),
      newId: () => deploymentId,
    }),
  );
  const rendering = await renderForRepository({
    resolved,
    format: repository.format,
    layout,
    templates: services.templates,
  });
  const manifest = rendering.files.find((file) => file.path === `${rendering.folder}/${MANIFEST_FILE}`);
  const namespaces = manifest ? readManifest(manifest.path, manifest.content).namespaces : [];
  await checkFolderFree(
    services,
    repository,
    { folder: rendering.folder, target: resolved.target, name: resolved.name },
    deploymentId,
  );
  const siblings = await deploymentsOnBase(services, repository, resolved.target, deploymentId);
  const change = indexedChange(repository, resolved.target, rendering.folder, rendering.files, [
    ...siblings,
    { folder: rendering.folder, namespaces },
  ]);
  return {
    version,
    description,
    resolved,
    rendered: rendering.files,
    folder: rendering.folder,
    hash: rendering.hash,
    namespaces,
    change,
    digests: await digestsOf(rendering.files),
    requestedAt: services.clock.now(),
  };
}

/** The change that removes a deployment's folder and its entry in the target's index. */
export async function prepareRemoval(
  services: Services,
  repository: DeploymentRepositoryRecord,
  deployment: { id: string; target: string; name: string; applicationId: string },
): Promise<RepositoryChange> {
  const folder = deploymentFolder(deployment, repository.layout);
  const siblings = await deploymentsOnBase(services, repository, deployment.target, deployment.id);
  return indexedChange(repository, deployment.target, folder, [], siblings);
}

/** The newest proposal that reached the base branch (merged, or found there already), if any. */
export function liveProposal(proposals: readonly ProposalRecord[]): ProposalRecord | undefined {
  return proposals.find((proposal) => proposal.state === 'merged' || proposal.state === 'unchanged');
}

/** The deployment's folder replaced wholesale, plus the target's index of `deployments`. */
function indexedChange(
  repository: DeploymentRepositoryRecord,
  target: string,
  folder: string,
  files: RenderedFile[],
  deployments: TargetDeployment[],
): RepositoryChange {
  const layout = repository.layout;
  const index = targetIndex({ target, layout, deployments });
  const written = new Set(index.map((file) => file.path));
  return {
    files: [...files, ...index].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)),
    owned: [folder],
    deletions: targetIndexPaths(target, layout).filter((path) => !written.has(path)),
  };
}

/**
 * A deployment owns its folder entirely (a proposal deletes what it no longer renders there), so
 * no other deployment's folder may be that folder, lie inside it or hold it: target `plant` with
 * a deployment `line` and target `plant/line` would otherwise overwrite each other's files.
 */
async function checkFolderFree(
  services: Services,
  repository: DeploymentRepositoryRecord,
  place: { folder: string; target: string; name: string },
  exceptId: string,
): Promise<void> {
  const { folder } = place;
  for (const other of await services.store.deployments.list({ repositoryId: repository.id })) {
    if (other.id === exceptId || other.state === 'removed') continue;
    // The same target and name is the same deployment asked again (or a conflict): the callers answer that.
    if (other.target === place.target && other.name === place.name) continue;
    const theirs = deploymentFolder(other, repository.layout);
    if (theirs === folder || theirs.startsWith(`${folder}/`) || folder.startsWith(`${theirs}/`)) {
      throw new BridgeError(
        'CONFLICT',
        `the deployment's folder '${folder}' would overlap '${theirs}', the folder of deployment '${other.name}' on target '${other.target}'; choose another target or name`,
        { field: 'target' },
      );
    }
  }
}

/** The other deployments of a target that are on the base branch, as the target's index lists them. */
async function deploymentsOnBase(
  services: Services,
  repository: DeploymentRepositoryRecord,
  target: string,
  exceptId: string,
): Promise<TargetDeployment[]> {
  const found: TargetDeployment[] = [];
  for (const deployment of await services.store.deployments.list({ repositoryId: repository.id, target })) {
    if (deployment.id === exceptId || deployment.state === 'removed') continue;
    const live = liveProposal(await services.store.proposals.listByDeployment(deployment.id));
    if (!live || live.action === 'remove') continue;
    found.push({ folder: deploymentFolder(deployment, repository.layout), namespaces: deployment.namespaces });
  }
  return found;
}

/** Values as the immutable check compares them (nulls dropped). */
function liveValues(values: Record<string, InputValue>): Record<string, Value> {
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== null)) as Record<string, Value>;
}

/**
 * resolveDeployment reports value problems as `details.issues`; the API answers them as
 * `errors: [{ parameter, code, message }]`. Messages never contain a value (margo/values.ts).
 */
function translateValueErrors<T>(work: () => T): T {
  try {
    return work();
  } catch (error) {
    if (isBridgeError(error, 'INVALID_VALUES') || isBridgeError(error, 'IMMUTABLE_SETTING')) {
      const issues = (error.details as { issues?: { parameter: string; code: string; message: string }[] })?.issues;
      throw new BridgeError(error.code, error.message, {
        errors: (issues ?? []).map(({ parameter, code, message }) => ({ parameter, code, message })),
      });
    }
    throw error;
  }
}

const encoder = new TextEncoder();

async function digestsOf(files: readonly RenderedFile[]): Promise<ProposalFile[]> {
  return Promise.all(
    files.map(async (file) => ({
      path: file.path,
      sha256: toHex(new Uint8Array(await crypto.subtle.digest('SHA-256', encoder.encode(file.content)))),
    })),
  );
}
