/**
 * End-User requests that create or change a deployment (values, version, profile; remove.ts
 * removes and retries). Each is validated and rendered first (nothing is stored for a bad
 * request), then one transaction records the deployment, a `pending` proposal and its `propose` job; the request then
 * carries the proposal out at once (propose.ts) and the job stands by for crashes and retries.
 *
 * Idempotency: a request whose rendering has the content hash of the deployment's open proposal
 * is answered with that proposal (the same request twice gives one proposal); one whose hash is
 * the one live on the base branch opens none and says so (`unchanged`). Concurrency: the store
 * lets one deployment hold (repository, target, name), and every change passes the deployment's
 * revision, so of two concurrent requests one records and the other, retried, finds its proposal.
 */
import { BridgeError } from '../../errors.js';
import type { Description, InputValue } from '../../margo/model.js';
import { installedValues } from '../../margo/values.js';
import type { Services } from '../../services.js';
import type {
  DeploymentRecord,
  DeploymentRepositoryRecord,
  ProposalAction,
  ProposalRecord,
  UpgradePolicy,
} from '../../store/deployment-records.js';
import { answerOf, carryOut, type DeploymentAnswer, getDeployment, isOpen, MAX_RACES, raceLost } from './answer.js';
import { liveProposal, type PreparedChange, prepareDeployment } from './prepare.js';
import { proposalBranch, proposeJob } from './propose.js';
import { findDeploymentRepository, getDeploymentRepository } from './repositories.js';
import { hiddenParameters, openValues, sealValues } from './sensitive.js';
import { sensitiveInUse, sensitiveMode } from './sops-files.js';

export interface DeploymentRequest {
  /** Deployment repository, by name or id. */
  repository: string;
  applicationId: string;
  version: string;
  profile: string;
  target: string;
  namespace?: string;
  /** RFC 1123 label; default the renderer's name for the application. */
  name?: string;
  values?: Record<string, InputValue>;
  /** Parameters whose values are secrets (masked, sealed), besides those whose names suggest one. */
  sensitive?: string[];
  /** Which new versions are proposed automatically (issue 15); default none. */
  upgradePolicy?: UpgradePolicy;
}

export interface DeploymentChange {
  version?: string;
  profile?: string;
  namespace?: string;
  /** Merged into the current values; null removes a value (its default applies again). */
  values?: Record<string, InputValue | null>;
  sensitive?: string[];
  upgradePolicy?: UpgradePolicy;
}

const DEFAULT_NAMESPACE = 'default';

export async function createDeployment(
  services: Services,
  request: DeploymentRequest,
  actor: string,
): Promise<DeploymentAnswer> {
  const repository = await findDeploymentRepository(services, request.repository);
  const values = request.values ?? {};
  for (let race = 0; race < MAX_RACES; race++) {
    const prepared = await prepareDeployment(services, repository, {
      applicationId: request.applicationId,
      version: request.version,
      profile: request.profile,
      target: request.target,
      namespace: request.namespace ?? DEFAULT_NAMESPACE,
      ...(request.name !== undefined ? { name: request.name } : {}),
      values,
    });
    const { resolved } = prepared;
    const existing = await services.store.deployments.findByName(repository.id, resolved.target, resolved.name);
    if (existing) return repeatOrConflict(services, repository, existing, request);
    const hidden = hiddenParameters(prepared.description, request.sensitive ?? []);
    sensitiveMode(repository, sensitiveInUse(resolved, hidden));
    const sealed = await sealValues(services.secretBox, values, hidden);
    const sensitive = hiddenGiven(hidden, values);
    const recorded = await services.store.transaction(async (tx) => {
      const { deployment, created } = await tx.deployments.create({
        id: resolved.id,
        repositoryId: repository.id,
        applicationId: resolved.applicationId,
        version: prepared.version.version,
        profile: request.profile,
        target: resolved.target,
        namespace: resolved.namespace,
        name: resolved.name,
        ...sealed,
        sensitive,
        namespaces: prepared.namespaces,
        upgradePolicy: request.upgradePolicy ?? 'none',
        state: 'pending',
      });
      if (!created) return undefined;
      const proposal = await tx.proposals.create(
        proposalInput(deployment, prepared, 'deploy', sealed, sensitive, actor),
      );
      return { deployment, proposal, standBy: await tx.jobs.enqueue(proposeJob(services, proposal.id)) };
    });
    // Another request took (repository, target, name) first: the next round answers as a repeat of it.
    if (!recorded) continue;
    return carryOut(services, recorded.deployment, recorded, prepared, true);
  }
  throw raceLost();
}

/** A create for a taken (repository, target, name): the same request again, or a conflict. */
async function repeatOrConflict(
  services: Services,
  repository: DeploymentRepositoryRecord,
  existing: DeploymentRecord,
  request: DeploymentRequest,
): Promise<DeploymentAnswer> {
  const proposals = await services.store.proposals.listByDeployment(existing.id);
  const prepared = await prepareDeployment(services, repository, {
    applicationId: request.applicationId,
    version: request.version,
    profile: request.profile,
    target: existing.target,
    namespace: request.namespace ?? DEFAULT_NAMESPACE,
    name: existing.name,
    values: request.values ?? {},
    deploymentId: existing.id,
    live: await liveValuesOf(services, existing.applicationId, proposals),
  });
  const repeated = answerWithout(services, existing, proposals, prepared);
  if (repeated) return repeated;
  throw new BridgeError(
    'CONFLICT',
    `deployment '${existing.name}' exists at target '${existing.target}' of repository '${repository.name}' (id ${existing.id}); change it with PATCH /api/v1/deployments/${existing.id}`,
    { id: existing.id },
  );
}

export interface UpdateOptions {
  /**
   * Asked again in every round, of the deployment and its proposals as they are then; false leaves
   * the deployment as it is (the answer carries its newest proposal). An upgrade job uses it so
   * that a newer version another job recorded meanwhile is never replaced by an older one.
   */
  stillWanted?: (current: DeploymentRecord, proposals: readonly ProposalRecord[]) => boolean;
}

export async function updateDeployment(
  services: Services,
  id: string,
  change: DeploymentChange,
  actor: string,
  options: UpdateOptions = {},
): Promise<DeploymentAnswer> {
  for (let race = 0; race < MAX_RACES; race++) {
    let current = await getDeployment(services, id);
    if (current.state === 'removed') throw new BridgeError('CONFLICT', `deployment ${id} was removed`);
    // The policy changes on its own (no proposal); the rest of the request works on the record after it.
    if (change.upgradePolicy !== undefined && change.upgradePolicy !== current.upgradePolicy) {
      await services.store.deployments.update(id, { upgradePolicy: change.upgradePolicy });
      current = await getDeployment(services, id);
    }
    const repository = await getDeploymentRepository(services, current.repositoryId);
    const proposals = await services.store.proposals.listByDeployment(current.id);
    if (options.stillWanted && !options.stillWanted(current, proposals)) {
      const [newest] = proposals;
      return { deployment: current, proposal: newest, files: newest?.files ?? [], created: false, unchanged: false };
    }
    const values = mergeValues(await openValues(services.secretBox, current), change.values ?? {});
    const version = change.version ?? current.version;
    const prepared = await prepareDeployment(services, repository, {
      applicationId: current.applicationId,
      version,
      profile: change.profile ?? current.profile,
      target: current.target,
      namespace: change.namespace ?? current.namespace,
      name: current.name,
      values,
      deploymentId: current.id,
      live: await liveValuesOf(services, current.applicationId, proposals),
    });
    const repeated = answerWithout(services, current, proposals, prepared);
    if (repeated) return repeated;
    const hidden = hiddenParameters(prepared.description, [...current.sensitive, ...(change.sensitive ?? [])]);
    sensitiveMode(repository, sensitiveInUse(prepared.resolved, hidden));
    const outcome = await record(services, current, prepared, {
      action: version !== current.version ? 'upgrade' : 'update',
      values,
      sensitive: [...current.sensitive, ...(change.sensitive ?? [])],
      actor,
    });
    if (outcome) return outcome;
  }
  throw raceLost();
}

/**
 * The answer when a request needs no new proposal: its rendering is the open proposal's (the
 * same request again), or the one live on the base branch with nothing open (`unchanged`).
 */
function answerWithout(
  services: Services,
  deployment: DeploymentRecord,
  proposals: readonly ProposalRecord[],
  prepared: PreparedChange,
): Promise<DeploymentAnswer> | undefined {
  const [newest] = proposals;
  if (newest && isOpen(newest)) {
    return newest.contentHash === prepared.hash
      ? answerOf(services, deployment.id, newest.id, prepared, false)
      : undefined;
  }
  const live = liveProposal(proposals);
  if (live && live.action !== 'remove' && live.contentHash === prepared.hash) {
    return Promise.resolve({
      deployment,
      proposal: undefined,
      files: prepared.digests,
      created: false,
      unchanged: true,
    });
  }
  return undefined;
}

/** Records a change of an existing deployment; undefined when another request changed it first. */
async function record(
  services: Services,
  current: DeploymentRecord,
  prepared: PreparedChange,
  ask: { action: ProposalAction; values: Record<string, InputValue>; sensitive: string[]; actor: string },
): Promise<DeploymentAnswer | undefined> {
  const hidden = hiddenParameters(prepared.description, ask.sensitive);
  const sealed = await sealValues(services.secretBox, ask.values, hidden);
  const sensitive = hiddenGiven(hidden, ask.values);
  const recorded = await services.store.transaction(async (tx) => {
    const changed = await tx.deployments.update(
      current.id,
      {
        version: prepared.version.version,
        profile: prepared.resolved.profile.id === current.profile ? current.profile : prepared.resolved.profile.id,
        namespace: prepared.resolved.namespace,
        ...sealed,
        sensitive,
        namespaces: prepared.namespaces,
        state: 'pending',
        failureReason: null,
      },
      current.revision,
    );
    if (!changed) return undefined;
    const proposal = await tx.proposals.create(
      proposalInput(current, prepared, ask.action, sealed, sensitive, ask.actor),
    );
    return { proposal, standBy: await tx.jobs.enqueue(proposeJob(services, proposal.id)) };
  });
  if (!recorded) return undefined;
  return carryOut(services, current, recorded, prepared, false);
}

function proposalInput(
  deployment: DeploymentRecord,
  prepared: PreparedChange,
  action: ProposalAction,
  sealed: { values: Record<string, unknown>; sealedValues: string | null },
  sensitive: string[],
  actor: string,
) {
  return {
    deploymentId: deployment.id,
    repositoryId: deployment.repositoryId,
    action,
    version: prepared.version.version,
    profile: prepared.resolved.profile.id,
    namespace: prepared.resolved.namespace,
    ...sealed,
    sensitive,
    contentHash: prepared.hash,
    files: prepared.digests,
    branch: proposalBranch(deployment),
    state: 'pending' as const,
    requestedBy: actor,
    requestedAt: prepared.requestedAt,
  };
}

/**
 * The values the deployment is live with on the base branch, if any: those of its last proposal
 * that reached it, with the defaults of that proposal's version it was installed with (D-12).
 */
export async function liveValuesOf(
  services: Services,
  applicationId: string,
  proposals: readonly ProposalRecord[],
): Promise<Record<string, InputValue> | undefined> {
  const live = liveProposal(proposals);
  if (!live || live.action === 'remove') return undefined;
  const given = await openValues(services.secretBox, live);
  const version = await services.store.versions.get(applicationId, live.version);
  return version?.description ? installedValues(version.description as Description, given) : given;
}

/** Hidden parameters that were given a value, sorted (what views mask). */
function hiddenGiven(hidden: ReadonlySet<string>, values: Record<string, InputValue>): string[] {
  return [...hidden].filter((name) => Object.hasOwn(values, name)).sort();
}

/** `current` with a change's values applied; null removes a value. */
export function mergeValues(
  current: Record<string, InputValue>,
  patch: Record<string, InputValue | null>,
): Record<string, InputValue> {
  const merged = { ...current };
  for (const [name, value] of Object.entries(patch)) {
    if (value === null) delete merged[name];
    else merged[name] = value;
  }
  return merged;
}
