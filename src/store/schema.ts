/**
 * Table types for Kysely. Column types are the values the drivers accept on write; reads are
 * normalised in `rows.ts` (Postgres returns BIGINT as a string, SQLite has no boolean).
 * Times are epoch milliseconds (BIGINT), booleans 0/1, JSON as text, so one set of queries
 * works on both databases.
 */

export interface RegistryTable {
  id: string;
  name: string;
  url: string;
  url_key: string;
  sub_path: string;
  tag_pattern: string | null;
  semver_range: string | null;
  strict_version: number;
  allow_http: number;
  poll_interval: number;
  secrets_ciphertext: string | null;
  credential_summary: string;
  configured: number;
  last_poll_at: number | string | null;
  last_success_at: number | string | null;
  last_error: string | null;
  consecutive_failures: number;
  next_poll_at: number | string;
  created_at: number | string;
  updated_at: number | string;
  /** Poll lease (migration 0002): the poll running now, until when, and whether to poll again after it. */
  poll_lease_owner: string | null;
  poll_lease_until: number | string | null;
  poll_again: number;
  /** Migration 0005: 1 for the registry of `serve --demo`. */
  demo: number;
  /** Migration 0007: 'git' or 'oci'. */
  kind: 'git' | 'oci';
}

/** Which registry owns an application id: the first to publish it, or an admin's transfer (issue 10). */
export interface ApplicationTable {
  application_id: string;
  registry_id: string;
  created_at: number | string;
  updated_at: number | string;
}

export interface VersionTable {
  id: string;
  registry_id: string;
  application_id: string | null;
  tag: string;
  commit: string;
  version: string;
  state: string;
  shape: string | null;
  description: string | null;
  errors: string;
  warnings: string;
  created_at: number | string;
  /** Migration 0010: `withdrawn` | `moved` | null, since `marked_at`; `moved_to` the commit a moved tag names. */
  mark: string | null;
  marked_at: number | string | null;
  moved_to: string | null;
}

export interface ResourceTable {
  version_id: string;
  name: string;
  path: string;
  content_type: string;
  bytes: Uint8Array;
}

export interface EventTable {
  id: string;
  registry_id: string;
  kind: string;
  tag: string | null;
  detail: string;
  created_at: number | string;
}

export interface DeliveryTable {
  id: string;
  forge: string;
  delivery_id: string;
  event: string;
  action: string | null;
  repository_url: string | null;
  result: string;
  job_id: string | null;
  payload: string;
  received_at: number | string;
  handled_at: number | string | null;
}

export interface TokenTable {
  id: string;
  name: string;
  role: string;
  token_hash: string;
  created_at: number | string;
}

export interface SessionTable {
  id: string;
  token_id: string;
  csrf: string;
  /** JSON of the SessionDraft, or null. */
  draft: string | null;
  created_at: number | string;
  expires_at: number | string;
}

export interface JobTable {
  id: string;
  kind: string;
  payload: string;
  dedupe_key: string | null;
  state: string;
  attempts: number;
  max_attempts: number;
  run_at: number | string;
  last_error: string | null;
  /** Worker holding the lease; null unless running. */
  locked_by: string | null;
  /** Lease end; a running job past it may be claimed again. */
  locked_until: number | string | null;
  created_at: number | string;
  updated_at: number | string;
}

/** Deployment repositories (migration 0004); JSON columns as text. */
export interface DeploymentRepositoryTable {
  id: string;
  name: string;
  provider: string;
  settings: string;
  url_key: string | null;
  base_branch: string;
  format: string;
  layout: string;
  commit_author: string;
  labels: string;
  title_pattern: string | null;
  secrets_ciphertext: string | null;
  credential_summary: string;
  configured: number;
  /** JSON RepositorySops (issue 15); null when not set. */
  sops?: string | null;
  created_at: number | string;
  updated_at: number | string;
}

export interface DeploymentTable {
  id: string;
  repository_id: string;
  application_id: string;
  version: string;
  profile: string;
  target: string;
  namespace: string;
  name: string;
  /** `<repository id> <target> <name>` while not removed, else null: unique, so one deployment holds a place. */
  slot: string | null;
  values: string;
  sealed_values: string | null;
  sensitive: string;
  namespaces: string;
  /** none | patch | minor | major (issue 15). */
  upgrade_policy?: string;
  /** Who carries out one of its proposals now, and until when (migration 0012). */
  proposal_lease_owner?: string | null;
  proposal_lease_until?: number | string | null;
  state: string;
  failure_reason: string | null;
  revision: number;
  created_at: number | string;
  updated_at: number | string;
}

export interface ProposalTable {
  id: string;
  deployment_id: string;
  repository_id: string;
  action: string;
  version: string;
  profile: string;
  namespace: string;
  values: string;
  sealed_values: string | null;
  sensitive: string;
  content_hash: string;
  files: string;
  branch: string;
  number: number | null;
  url: string | null;
  commit: string | null;
  merge_commit: string | null;
  state: string;
  outcome: string | null;
  failure_reason: string | null;
  requested_by: string;
  requested_at: number | string;
  updated_at: number | string;
}

export interface Database {
  registries: RegistryTable;
  versions: VersionTable;
  applications: ApplicationTable;
  resources: ResourceTable;
  events: EventTable;
  deliveries: DeliveryTable;
  tokens: TokenTable;
  sessions: SessionTable;
  jobs: JobTable;
  deployment_repositories: DeploymentRepositoryTable;
  deployments: DeploymentTable;
  proposals: ProposalTable;
}

export type DialectName = 'sqlite' | 'postgres';
