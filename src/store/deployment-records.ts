/**
 * What the store keeps about deployment repositories, deployments and their proposals. Secrets
 * (repository credentials, sensitive parameter values) are stored sealed (crypto/): the store
 * receives and returns ciphertext only. Times are epoch milliseconds.
 */
import type { RenderFormat } from '../margo/render/index.js';

export const providerKinds = ['github', 'git', 'local'] as const;
export type ProviderKind = (typeof providerKinds)[number];

export interface CommitAuthorSettings {
  name: string;
  email: string;
}

export interface RepositoryLayout {
  /** Folder all deployments live under; '' is the repository root. */
  root: string;
  /** The deployment's folder below the root; `{target}/{name}` by default. */
  directory: string;
}

export interface DeploymentRepositoryRecord {
  id: string;
  name: string;
  provider: ProviderKind;
  /**
   * The provider's settings without secrets: github `{ owner, repo, apiUrl, appId?, installationId? }`,
   * git `{ url, allowHttp }`, local `{}`.
   */
  settings: Record<string, unknown>;
  /** Normalised web/clone URL (urls.ts `repositoryKey`) for matching webhook deliveries; null for local. */
  urlKey: string | null;
  baseBranch: string;
  format: RenderFormat;
  layout: RepositoryLayout;
  commitAuthor: CommitAuthorSettings;
  labels: string[];
  /** Pull-request title pattern (`{type}`, `{target}`, `{application}`, `{version}`, `{name}`, `{summary}`); null = default. */
  titlePattern: string | null;
  /** Sealed JSON of the provider's secrets (token, private key, password, certificates); null when none. */
  secretsCiphertext: string | null;
  /** What the API may show about the credentials (kinds, user names), never a secret. */
  credentialSummary: Record<string, unknown>;
  /** Set when the repository came from margo-bridge.yaml. */
  configured: boolean;
  /** Sensitive values (issue 15): absent or null when neither recipients nor plaintext are set. */
  sops?: RepositorySops | null;
  createdAt: number;
  updatedAt: number;
}

/** How sensitive values reach the repository: SOPS-encrypted for these age recipients, or plaintext if allowed. */
export interface RepositorySops {
  ageRecipients: string[];
  allowPlaintextSecrets: boolean;
}

export type DeploymentRepositoryInput = Omit<DeploymentRepositoryRecord, 'id' | 'createdAt' | 'updatedAt'>;

/**
 * - `pending`: recorded, the proposal job has not finished yet;
 * - `proposed`: a proposal is open for review;
 * - `merged`: live on the base branch; `closed`: the last proposal was closed without merge;
 * - `superseded`: (proposals only) a newer proposal of the same deployment replaced it;
 * - `failed`: the last proposal could not be made (reason kept, retry possible);
 * - `unchanged`: (proposals only) the rendering equals the base branch, nothing was proposed;
 * - `removed`: (deployments only) a removal was merged;
 * - `needs-input`: (deployments only) an upgrade waits for values of new required parameters (named in failureReason).
 */
export const deploymentStates = [
  'pending',
  'proposed',
  'merged',
  'closed',
  'failed',
  'removed',
  'needs-input',
] as const;
export type DeploymentState = (typeof deploymentStates)[number];

export const proposalStates = ['pending', 'proposed', 'merged', 'closed', 'superseded', 'failed', 'unchanged'] as const;
export type ProposalRecordState = (typeof proposalStates)[number];

/** Which new versions of its application a deployment is upgraded to (semver, D-10). */
export const upgradePolicies = ['none', 'patch', 'minor', 'major'] as const;
export type UpgradePolicy = (typeof upgradePolicies)[number];

export type ProposalAction = 'deploy' | 'update' | 'upgrade' | 'remove';

export interface DeploymentRecord {
  /** The ApplicationDeployment's id (UUID), kept across updates. */
  id: string;
  repositoryId: string;
  applicationId: string;
  version: string;
  profile: string;
  target: string;
  namespace: string;
  /** RFC 1123 label, unique per (repository, target) among deployments not removed. */
  name: string;
  /** Values of parameters that are neither sensitive nor secret-looking. */
  values: Record<string, unknown>;
  /** Sealed JSON of the other values; null when none. */
  sealedValues: string | null;
  /** Parameters whose values are hidden (marked sensitive or secret-looking). */
  sensitive: string[];
  /** Namespaces its rendering needs created (its manifest), for the target's index. */
  namespaces: string[];
  /** Which new versions get an upgrade proposal (issue 15); absent = none. */
  upgradePolicy?: UpgradePolicy;
  state: DeploymentState;
  failureReason: string | null;
  /** Bumped by every change request: two concurrent requests cannot both pass the same revision. */
  revision: number;
  createdAt: number;
  updatedAt: number;
}

export type DeploymentInput = Omit<DeploymentRecord, 'createdAt' | 'updatedAt' | 'revision' | 'failureReason'>;

export interface ProposalFile {
  path: string;
  /** Hex SHA-256 of the file's UTF-8 bytes. */
  sha256: string;
}

export interface ProposalRecord {
  id: string;
  deploymentId: string;
  repositoryId: string;
  action: ProposalAction;
  /** What was asked, to render it again in the job: version, profile, namespace and values (sensitive sealed). */
  version: string;
  profile: string;
  namespace: string;
  values: Record<string, unknown>;
  sealedValues: string | null;
  sensitive: string[];
  /** `sha256:<hex>` of the rendered files (margo/render `contentHash`): same hash, same proposal. */
  contentHash: string;
  files: ProposalFile[];
  branch: string;
  number: number | null;
  url: string | null;
  commit: string | null;
  mergeCommit: string | null;
  state: ProposalRecordState;
  /** The provider's answer: created, updated, adopted or unchanged. */
  outcome: string | null;
  failureReason: string | null;
  requestedBy: string;
  requestedAt: number;
  updatedAt: number;
}

export type ProposalInput = Omit<
  ProposalRecord,
  'id' | 'updatedAt' | 'number' | 'url' | 'commit' | 'mergeCommit' | 'outcome' | 'failureReason'
>;

export type ProposalPatch = Partial<
  Pick<ProposalRecord, 'number' | 'url' | 'commit' | 'mergeCommit' | 'state' | 'outcome' | 'failureReason' | 'branch'>
>;

export interface DeploymentFilter {
  repositoryId?: string;
  applicationId?: string;
  target?: string;
  state?: DeploymentState;
}

/** A page of a keyset list: at most `limit` items after the previous page's last one (its key). */
export interface KeysetPage<K> {
  limit: number;
  after?: K | undefined;
}

/** Where a page of deployments (newest first) continues: the previous page's last deployment. */
export interface DeploymentKey {
  createdAt: number;
  id: string;
}

/** The store's part for deployments; `Store` (interface.ts) extends it. */
export interface DeploymentTables {
  deploymentRepositories: {
    /** CONFLICT when the name is taken. */
    create(input: DeploymentRepositoryInput): Promise<DeploymentRepositoryRecord>;
    update(id: string, patch: Partial<DeploymentRepositoryInput>): Promise<DeploymentRepositoryRecord>;
    get(id: string): Promise<DeploymentRepositoryRecord | undefined>;
    getByName(name: string): Promise<DeploymentRepositoryRecord | undefined>;
    /** By name; with `page`, the names after `page.after` only. */
    list(page?: KeysetPage<string>): Promise<DeploymentRepositoryRecord[]>;
    findByUrlKey(urlKey: string): Promise<DeploymentRepositoryRecord[]>;
    /** CONFLICT while deployments (not removed) use it. */
    delete(id: string): Promise<void>;
  };
  deployments: {
    /**
     * Inserts unless a deployment that is not removed holds (repositoryId, target, name): then
     * returns that one with created=false (one statement, safe under concurrency).
     */
    create(input: DeploymentInput): Promise<{ deployment: DeploymentRecord; created: boolean }>;
    /**
     * Changes a deployment only while its revision is still `revision` (and bumps it): false when
     * another request changed it first. Without `revision`, unconditionally.
     */
    update(
      id: string,
      patch: Partial<Omit<DeploymentRecord, 'id' | 'createdAt' | 'updatedAt' | 'revision' | 'repositoryId'>>,
      revision?: number,
    ): Promise<boolean>;
    get(id: string): Promise<DeploymentRecord | undefined>;
    /** The deployment (not removed) at (repositoryId, target, name). */
    findByName(repositoryId: string, target: string, name: string): Promise<DeploymentRecord | undefined>;
    /** Newest first; with `page`, those older than `page.after` only. */
    list(filter: DeploymentFilter, page?: KeysetPage<DeploymentKey>): Promise<DeploymentRecord[]>;
    /** How many deployments (not removed) use the repository. */
    countByRepository(repositoryId: string): Promise<number>;
    /**
     * The proposal lease: the proposals of a deployment share a branch, so one at a time is
     * carried out. Takes it for `owner` until `until` when it is free or expired at `now` (one
     * conditional statement); false when another owner holds it. Leaves the revision alone.
     */
    acquireProposalLease(id: string, owner: string, now: number, until: number): Promise<boolean>;
    /** Extends the lease while `owner` holds it; false when it no longer does. */
    renewProposalLease(id: string, owner: string, until: number): Promise<boolean>;
    releaseProposalLease(id: string, owner: string): Promise<void>;
  };
  proposals: {
    create(input: ProposalInput): Promise<ProposalRecord>;
    update(id: string, patch: ProposalPatch): Promise<ProposalRecord>;
    get(id: string): Promise<ProposalRecord | undefined>;
    /** Newest first. */
    listByDeployment(deploymentId: string): Promise<ProposalRecord[]>;
    /** Proposals of a repository in one of the states, oldest first. */
    listByState(repositoryId: string | null, states: ProposalRecordState[]): Promise<ProposalRecord[]>;
    findByNumber(repositoryId: string, number: number): Promise<ProposalRecord[]>;
  };
}
