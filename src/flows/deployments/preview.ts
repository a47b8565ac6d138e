/**
 * Validates and renders without committing: the files a request would propose and, for a
 * change of an existing deployment, a unified diff against the files on the base branch (the
 * web page's review step).
 */
import type { InputValue } from '../../margo/model.js';
import { type RenderedFile, targetFolder, unifiedDiff } from '../../margo/render/index.js';
import type { Services } from '../../services.js';
import type { ProposalFile } from '../../store/deployment-records.js';
import { getDeployment } from './answer.js';
import { type DesiredDeployment, prepareDeployment } from './prepare.js';
import { findDeploymentRepository, getDeploymentRepository, providerOf } from './repositories.js';
import { hiddenParameters, MASK, openValues } from './sensitive.js';
import { type DeploymentChange, type DeploymentRequest, liveValuesOf, mergeValues } from './submit.js';

export interface Preview {
  /** The deployment's folder as it would be, with content. */
  files: (ProposalFile & { content: string })[];
  /** Unified diff of the target folder on the base branch against the proposal; '' when equal. */
  diff: string;
  unchanged: boolean;
  warnings: { code: string; message: string }[];
}

export async function previewDeployment(
  services: Services,
  request: DeploymentRequest | ({ id: string } & DeploymentChange),
): Promise<Preview> {
  let desired: DesiredDeployment;
  let repositoryId: string;
  // Marked sensitive by this request or (on a change) by earlier ones: masked in the answer.
  let sensitive = request.sensitive ?? [];
  // Values the files on the base branch may still hold (the diff shows removed lines too).
  const earlier: Record<string, InputValue>[] = [];
  if ('id' in request) {
    const current = await getDeployment(services, request.id);
    repositoryId = current.repositoryId;
    sensitive = [...current.sensitive, ...sensitive];
    const stored = await openValues(services.secretBox, current);
    const live = await liveValuesOf(
      services,
      current.applicationId,
      await services.store.proposals.listByDeployment(current.id),
    );
    earlier.push(stored, live ?? {});
    const values = mergeValues(stored, request.values ?? {});
    desired = {
      applicationId: current.applicationId,
      version: request.version ?? current.version,
      profile: request.profile ?? current.profile,
      target: current.target,
      namespace: request.namespace ?? current.namespace,
      name: current.name,
      values,
      deploymentId: current.id,
      ...(live ? { live } : {}),
    };
  } else {
    repositoryId = (await findDeploymentRepository(services, request.repository)).id;
    desired = {
      applicationId: request.applicationId,
      version: request.version,
      profile: request.profile,
      target: request.target,
      namespace: request.namespace ?? 'default',
      ...(request.name !== undefined ? { name: request.name } : {}),
      values: request.values ?? {},
    };
  }
  const repository = await getDeploymentRepository(services, repositoryId);
  const prepared = await prepareDeployment(services, repository, desired);
  // The diff is against the target's folder on the base branch as it is now.
  const provider = await providerOf(services, repository);
  const present = await provider.readFiles(
    repository.baseBranch,
    targetFolder(prepared.resolved.target, repository.layout),
  );
  const changed = new Map(prepared.change.files.map((file) => [file.path, file]));
  const after = [
    ...present.filter(
      (file) => !changed.has(file.path) && !prepared.change.owned.some((folder) => file.path.startsWith(`${folder}/`)),
    ),
    ...prepared.change.files,
  ].filter((file) => !prepared.change.deletions.includes(file.path));
  // The answer shows rendered text: the values of hidden parameters are masked in it.
  const hide = masker([desired.values, ...earlier], hiddenParameters(prepared.description, sensitive));
  const contents = new Map(prepared.rendered.map((file) => [file.path, file.content]));
  return {
    files: prepared.digests.map((digest) => ({ ...digest, content: hide(contents.get(digest.path) ?? '') })),
    diff: hide(unifiedDiff(present, after)),
    unchanged: sameFiles(present, after),
    warnings: prepared.resolved.warnings.map(({ code, message }) => ({ code, message })),
  };
}

/** Replaces every hidden value's text in `text` by the mask (longest first, so no part of one survives). */
function masker(valueSets: Record<string, InputValue>[], hidden: ReadonlySet<string>): (text: string) => string {
  const secrets = valueSets
    .flatMap((values) => Object.entries(values))
    .filter(([name]) => hidden.has(name))
    .flatMap(([, value]) => (Array.isArray(value) ? value : [value]))
    .filter((value) => value !== null && value !== '')
    .map(String)
    .sort((a, b) => b.length - a.length);
  return (text) => secrets.reduce((masked, secret) => masked.split(secret).join(MASK), text);
}

function sameFiles(a: readonly RenderedFile[], b: readonly RenderedFile[]): boolean {
  const key = (files: readonly RenderedFile[]) =>
    JSON.stringify([...files].sort((x, y) => (x.path < y.path ? -1 : 1)).map((file) => [file.path, file.content]));
  return key(a) === key(b);
}
