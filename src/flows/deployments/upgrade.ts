/**
 * Upgrades (issue 15): when a new valid version of an application is ingested, every deployment
 * whose upgrade policy allows it (semver: `patch` keeps major.minor, `minor` keeps major, `major`
 * any newer) gets one upgrade proposal through `updateDeployment` (same branch, so a newer
 * version before the merge updates the open pull request in place: never two open). Values carry
 * over; values of parameters the new version no longer has are dropped and listed in the body.
 * New required parameters without a default put the deployment in `needs-input` naming them; an
 * immutable setting (D-12) whose value would change blocks the upgrade with the reason.
 * A version withdrawn or whose tag moved (flows/version-marks.ts) is never proposed by a policy.
 */
import semver from 'semver';
import { isBridgeError } from '../../errors.js';
import type { Job, JobInput } from '../../jobs/interface.js';
import type { Services } from '../../services.js';
import type { DeploymentRecord, ProposalRecord, UpgradePolicy } from '../../store/deployment-records.js';
import { deployableVersion } from './prepare.js';
import { openValues } from './sensitive.js';
import { updateDeployment } from './submit.js';

export const UPGRADE_ACTOR = 'margo-bridge (upgrade policy)';

/** `unchanged`: the new version renders exactly what is live (nothing to propose). */
export type UpgradeOutcome = 'proposed' | 'unchanged' | 'needs-input' | 'blocked' | 'skipped';

/** Whether `policy` lets a deployment on `from` move to `to` (never down, never sideways). */
export function upgradeAllowed(policy: UpgradePolicy, from: string, to: string): boolean {
  const a = semver.parse(from, { loose: true });
  const b = semver.parse(to, { loose: true });
  if (!a || !b || policy === 'none' || !semver.gt(b, a)) return false;
  if (b.prerelease.length > 0) return false;
  if (policy === 'major') return true;
  if (b.major !== a.major) return false;
  return policy === 'minor' || b.minor === a.minor;
}

/** The `upgrade` job a newly ingested version enqueues. */
export function upgradeJob(services: Services, applicationId: string, version: string): JobInput {
  return {
    kind: 'upgrade',
    payload: { applicationId, version },
    dedupeKey: `upgrade:${applicationId}:${version}`,
    maxAttempts: services.config.jobs.maxAttempts,
  };
}

export async function handleUpgradeJob(services: Services, job: Job): Promise<void> {
  const { applicationId, version } = job.payload;
  if (typeof applicationId !== 'string' || typeof version !== 'string') return;
  await proposeUpgrades(services, applicationId, version);
}

/** One upgrade attempt per deployment of `applicationId`; returns what became of each. */
export async function proposeUpgrades(
  services: Services,
  applicationId: string,
  version: string,
): Promise<Record<string, UpgradeOutcome>> {
  const outcomes: Record<string, UpgradeOutcome> = {};
  // Never proposed automatically: a version whose tag was deleted (withdrawn) or moved since it was ingested.
  const target = await services.store.versions.get(applicationId, version);
  if (target?.mark) {
    services.logger.info({ applicationId, version, mark: target.mark.kind }, 'no upgrade proposals: version marked');
    return outcomes;
  }
  const deployments = await services.store.deployments.list({ applicationId });
  for (const deployment of deployments) {
    outcomes[deployment.id] = await upgradeOne(services, deployment, version);
  }
  const counts = Object.values(outcomes).reduce<Record<string, number>>((all, outcome) => {
    all[outcome] = (all[outcome] ?? 0) + 1;
    return all;
  }, {});
  services.logger.info({ applicationId, version, ...counts }, 'upgrade proposals made');
  return outcomes;
}

/**
 * Whether the deployment, as it is now, takes an upgrade to `version`: measured from the newest
 * version asked for (an open upgrade counts), so never back to an older one.
 */
function wantsUpgrade(deployment: DeploymentRecord, proposals: readonly ProposalRecord[], version: string): boolean {
  if (deployment.state === 'removed') return false;
  const [newest] = proposals;
  const asked = newest && newest.state !== 'closed' && newest.state !== 'failed' ? newest.version : deployment.version;
  return upgradeAllowed(deployment.upgradePolicy ?? 'none', asked, version);
}

async function upgradeOne(services: Services, deployment: DeploymentRecord, version: string): Promise<UpgradeOutcome> {
  if (!wantsUpgrade(deployment, await services.store.proposals.listByDeployment(deployment.id), version)) {
    return 'skipped';
  }
  const { description } = await deployableVersion(services, deployment.applicationId, version);
  const values = await openValues(services.secretBox, deployment);
  const dropped = Object.keys(values).filter((name) => !(name in description.parameters));
  try {
    const answer = await updateDeployment(
      services,
      deployment.id,
      { version, values: Object.fromEntries(dropped.map((name) => [name, null])) },
      UPGRADE_ACTOR,
      // Asked again at each retry: an upgrade job for a newer version may record first (two workers).
      { stillWanted: (current, proposals) => wantsUpgrade(current, proposals, version) },
    );
    if (answer.unchanged) return 'unchanged';
    return answer.proposal?.version === version ? 'proposed' : 'skipped';
  } catch (error) {
    const problems = isBridgeError(error, 'INVALID_VALUES')
      ? ((error.details as { errors?: { parameter: string; code: string }[] })?.errors ?? [])
      : [];
    if (problems.length > 0 && problems.every((problem) => problem.code === 'VALUE_REQUIRED')) {
      const names = problems.map((problem) => problem.parameter).join(', ');
      await services.store.deployments.update(deployment.id, {
        state: 'needs-input',
        failureReason: `upgrade to ${version} needs values for new required parameters: ${names} (PATCH with version ${version} and values for them)`,
      });
      return 'needs-input';
    }
    if (isBridgeError(error)) {
      await services.store.deployments.update(deployment.id, {
        failureReason: `upgrade to ${version} blocked: ${error.message}`,
      });
      services.logger.warn({ deploymentId: deployment.id, version, code: error.code }, 'upgrade blocked');
      return 'blocked';
    }
    throw error;
  }
}
