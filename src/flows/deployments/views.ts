/**
 * What the API and the web pages show of deployments and proposals: values of hidden
 * parameters masked, no ciphertext, times as ISO text. One shape for both.
 */
import type { Services } from '../../services.js';
import type {
  DeploymentFilter,
  DeploymentKey,
  DeploymentRecord,
  DeploymentRepositoryRecord,
  KeysetPage,
  ProposalRecord,
  UpgradePolicy,
} from '../../store/deployment-records.js';
import { markView, type VersionMarkView } from '../version-marks.js';
import { getDeployment } from './answer.js';
import { MASK } from './sensitive.js';

export interface ProposalView {
  id: string;
  action: ProposalRecord['action'];
  state: ProposalRecord['state'];
  branch: string;
  number: number | null;
  url: string | null;
  commit: string | null;
  mergeCommit: string | null;
  outcome: string | null;
  version: string;
  contentHash: string;
  failureReason: string | null;
  requestedBy: string;
  requestedAt: string;
  updatedAt: string;
}

export interface DeploymentView {
  id: string;
  repository: { id: string; name: string };
  applicationId: string;
  version: string;
  profile: string;
  target: string;
  namespace: string;
  name: string;
  /** Hidden parameters show the mask. */
  values: Record<string, unknown>;
  sensitive: string[];
  upgradePolicy: UpgradePolicy;
  state: DeploymentRecord['state'];
  failureReason: string | null;
  proposal: ProposalView | null;
  /** Set when the deployed version was withdrawn or its tag moved: a flag only, nothing changes by it. */
  versionMark: VersionMarkView | null;
  createdAt: string;
  updatedAt: string;
}

export function proposalView(proposal: ProposalRecord): ProposalView {
  return {
    id: proposal.id,
    action: proposal.action,
    state: proposal.state,
    branch: proposal.branch,
    number: proposal.number,
    url: proposal.url,
    commit: proposal.commit,
    mergeCommit: proposal.mergeCommit,
    outcome: proposal.outcome,
    version: proposal.version,
    contentHash: proposal.contentHash,
    failureReason: proposal.failureReason,
    requestedBy: proposal.requestedBy,
    requestedAt: new Date(proposal.requestedAt).toISOString(),
    updatedAt: new Date(proposal.updatedAt).toISOString(),
  };
}

export function deploymentView(
  deployment: DeploymentRecord,
  repository: Pick<DeploymentRepositoryRecord, 'id' | 'name'>,
  proposal: ProposalRecord | undefined,
  versionMark: VersionMarkView | null = null,
): DeploymentView {
  const values: Record<string, unknown> = { ...deployment.values };
  for (const name of deployment.sensitive) values[name] = MASK;
  return {
    id: deployment.id,
    repository: { id: repository.id, name: repository.name },
    applicationId: deployment.applicationId,
    version: deployment.version,
    profile: deployment.profile,
    target: deployment.target,
    namespace: deployment.namespace,
    name: deployment.name,
    values,
    sensitive: deployment.sensitive,
    upgradePolicy: deployment.upgradePolicy ?? 'none',
    state: deployment.state,
    failureReason: deployment.failureReason,
    proposal: proposal ? proposalView(proposal) : null,
    versionMark,
    createdAt: new Date(deployment.createdAt).toISOString(),
    updatedAt: new Date(deployment.updatedAt).toISOString(),
  };
}

export interface DeploymentQuery {
  /** Repository name or id. */
  repository?: string;
  applicationId?: string;
  target?: string;
  state?: DeploymentFilter['state'];
}

/** Newest first; with `page`, one page of them (keyset: after `page.after`). */
export async function listDeployments(
  services: Services,
  query: DeploymentQuery = {},
  page?: KeysetPage<DeploymentKey>,
): Promise<DeploymentView[]> {
  const repositories = await services.store.deploymentRepositories.list();
  const byId = new Map(repositories.map((repository) => [repository.id, repository]));
  const filter: DeploymentFilter = {};
  if (query.repository !== undefined) {
    const found = repositories.find((r) => r.name === query.repository || r.id === query.repository);
    if (!found) return [];
    filter.repositoryId = found.id;
  }
  if (query.applicationId !== undefined) filter.applicationId = query.applicationId;
  if (query.target !== undefined) filter.target = query.target;
  if (query.state !== undefined) filter.state = query.state;
  const [deployments, marked] = await Promise.all([
    services.store.deployments.list(filter, page),
    services.store.versions.listMarked(),
  ]);
  // Marked versions are few: one query flags every deployment of the list.
  const marks = new Map(marked.map((version) => [markKey(version.applicationId ?? '', version.version), version]));
  return Promise.all(
    deployments.map(async (deployment) => {
      const [newest] = await services.store.proposals.listByDeployment(deployment.id);
      const repository = byId.get(deployment.repositoryId) ?? { id: deployment.repositoryId, name: '' };
      const version = marks.get(markKey(deployment.applicationId, deployment.version));
      return deploymentView(deployment, repository, newest, version ? markView(version) : null);
    }),
  );
}

function markKey(applicationId: string, version: string): string {
  return `${applicationId}\n${version}`;
}

/** One deployment with its history: every proposal, newest first (its commit, who asked, when). */
export async function deploymentWithHistory(
  services: Services,
  id: string,
): Promise<DeploymentView & { history: ProposalView[] }> {
  const deployment = await getDeployment(services, id);
  const repository = (await services.store.deploymentRepositories.get(deployment.repositoryId)) ?? {
    id: deployment.repositoryId,
    name: '',
  };
  const [proposals, version] = await Promise.all([
    services.store.proposals.listByDeployment(id),
    services.store.versions.get(deployment.applicationId, deployment.version),
  ]);
  return {
    ...deploymentView(deployment, repository, proposals[0], version ? markView(version) : null),
    history: proposals.map(proposalView),
  };
}

/** The repository as the API shows it: no secrets, only what kind of credentials it has. */
export function deploymentRepositoryView(record: DeploymentRepositoryRecord) {
  return {
    id: record.id,
    name: record.name,
    provider: record.provider,
    settings: record.settings,
    baseBranch: record.baseBranch,
    format: record.format,
    layout: record.layout,
    commitAuthor: record.commitAuthor,
    labels: record.labels,
    titlePattern: record.titlePattern,
    credentials: record.credentialSummary,
    configured: record.configured,
    sops: record.sops ?? { ageRecipients: [], allowPlaintextSecrets: false },
    createdAt: new Date(record.createdAt).toISOString(),
    updatedAt: new Date(record.updatedAt).toISOString(),
  };
}
