/**
 * Persistent state of margo-bridge. One interface, several implementations (sqlite, postgres),
 * all passing `store.contract.ts`. Times are epoch milliseconds. Secrets are stored encrypted:
 * the store receives and returns ciphertext only (see `crypto/`).
 */

import type { JobQueue } from '../jobs/interface.js';
import type { Issue } from '../margo/model.js';
import type { DeploymentTables } from './deployment-records.js';

export interface RegistryRecord {
  id: string;
  name: string;
  /** `git` (a Git repository) or `oci` (an OCI repository, migration 0007). */
  kind: 'git' | 'oci';
  url: string;
  /** URL normalised for webhook matching (scheme-less, lower-case host, no `.git`, no trailing slash). */
  urlKey: string;
  subPath: string;
  tagPattern: string | null;
  semverRange: string | null;
  strictVersion: boolean;
  allowHttp: boolean;
  /** Seconds. */
  pollInterval: number;
  /** Encrypted JSON of { auth, caCert, clientCert, clientKey, webhookSecret }; null when none. */
  secretsCiphertext: string | null;
  /** What the API may show about credentials, e.g. { auth: 'basic', username: 'ci', caCert: true }. */
  credentialSummary: Record<string, unknown>;
  /** Set when the registry came from margo-bridge.yaml. */
  configured: boolean;
  /** Set for the registry `serve --demo` serves; a start without --demo parks it (runtime/node/demo.ts). */
  demo: boolean;
  lastPollAt: number | null;
  lastSuccessAt: number | null;
  lastError: string | null;
  consecutiveFailures: number;
  nextPollAt: number;
  createdAt: number;
  updatedAt: number;
}

export type RegistryInput = Omit<
  RegistryRecord,
  | 'id'
  | 'createdAt'
  | 'updatedAt'
  | 'lastPollAt'
  | 'lastSuccessAt'
  | 'lastError'
  | 'consecutiveFailures'
  | 'nextPollAt'
  | 'demo'
  | 'kind'
> & { nextPollAt?: number; demo?: boolean; kind?: RegistryRecord['kind'] };

export type VersionState = 'valid' | 'warnings' | 'rejected';

export interface ResourceRecord {
  /** Role: icon, descriptionFile, releaseNotes, licenseFile. */
  name: string;
  path: string;
  contentType: string;
  bytes: Uint8Array;
}

/** An ingested release: immutable once stored. */
export interface VersionRecord {
  id: string;
  registryId: string;
  /** Description id; null when the description could not be read far enough. */
  applicationId: string | null;
  tag: string;
  commit: string;
  version: string;
  state: VersionState;
  shape: string | null;
  /** The normalised description (margo/model.ts `Description`) as JSON; null when rejected before normalising. */
  description: unknown;
  errors: Issue[];
  warnings: Issue[];
  createdAt: number;
  /** What the registry shows of the version's tag now; null while it points at the ingested commit. */
  mark: VersionMark | null;
}

/**
 * A version whose tag the registry no longer serves as ingested (issue 15): `withdrawn` (the tag
 * was deleted) or `moved` (it points at `commit` now). The version itself stays as ingested
 * (D-10); only this mark changes, set and cleared by polls (flows/version-marks.ts).
 */
export type VersionMark = { kind: 'withdrawn'; at: number } | { kind: 'moved'; at: number; commit: string };

/** What `versions.insert` stores: a new version has no mark. */
export type VersionInput = Omit<VersionRecord, 'id' | 'createdAt' | 'mark'>;

export interface RegistryEvent {
  id: string;
  registryId: string;
  /** TAG_MOVED, TAG_DELETED, ... */
  kind: string;
  tag: string | null;
  detail: Record<string, unknown>;
  createdAt: number;
}

export type DeliveryResult = 'pending' | 'handled' | 'duplicate' | 'ignored' | 'rejected' | 'failed';

export interface DeliveryRecord {
  /** Internal id. */
  id: string;
  forge: 'github' | 'gitea' | 'gitlab' | 'distribution';
  /** The forge's delivery id (X-GitHub-Delivery, ...). Unique per forge. */
  deliveryId: string;
  event: string;
  action: string | null;
  repositoryUrl: string | null;
  result: DeliveryResult;
  jobId: string | null;
  /** The normalised delivery (webhooks/ `Delivery`) without secrets; the raw body is not kept. */
  payload: Record<string, unknown>;
  receivedAt: number;
  handledAt: number | null;
}

export type Role = 'viewer' | 'operator' | 'admin';

const roleRank: Record<Role, number> = { viewer: 0, operator: 1, admin: 2 };

/** Roles are ordered: viewer (reads) < operator (configures deployments) < admin (registries, tokens). */
export function roleAtLeast(role: Role, needed: Role): boolean {
  return roleRank[role] >= roleRank[needed];
}

export interface TokenRecord {
  id: string;
  name: string;
  role: Role;
  /** SHA-256 hex of the token; the token itself is never stored. */
  tokenHash: string;
  createdAt: number;
}

/** What a form held when its session ended: shown again on that page after the next sign-in. */
export interface SessionDraft {
  /** The page path the form was posted to. */
  path: string;
  fields: Record<string, string | string[] | undefined>;
}

/** A signed-in browser (ui/session.ts). `tokenName` and `role` come from its token, which must still exist. */
export interface SessionRecord {
  /** SHA-256 hex of the cookie value; the value itself is never stored. */
  id: string;
  tokenId: string;
  tokenName: string;
  role: Role;
  /** The token every form of this session posts (CSRF). */
  csrf: string;
  draft: SessionDraft | null;
  createdAt: number;
  /** Idle expiry; moved forward while the session is used. */
  expiresAt: number;
}

/** The deployment tables' members (`deploymentRepositories`, `deployments`, `proposals`) are in deployment-records.ts. */
export interface Store extends DeploymentTables {
  /** Runs `work` atomically; the queue passed in enqueues inside the same transaction. */
  transaction<T>(work: (tx: Store & { jobs: JobQueue }) => Promise<T>): Promise<T>;
  readonly jobs: JobQueue;

  registries: {
    create(input: RegistryInput): Promise<RegistryRecord>;
    update(id: string, patch: Partial<RegistryInput>): Promise<RegistryRecord>;
    /** Poll bookkeeping; separate from `update` so it never touches configuration. */
    recordPoll(
      id: string,
      outcome: { at: number; error: string | null; nextPollAt: number; consecutiveFailures: number },
    ): Promise<void>;
    get(id: string): Promise<RegistryRecord | undefined>;
    getByName(name: string): Promise<RegistryRecord | undefined>;
    list(): Promise<RegistryRecord[]>;
    /**
     * Changes whenever a registry is created, updated or removed (not by polls): lets a cache of
     * registry settings (the webhook secrets) skip reloading them all while nothing changed.
     */
    changeMark(): Promise<string>;
    findByUrlKey(urlKey: string): Promise<RegistryRecord[]>;
    /** `findByUrlKey` for many keys in one query (a batch of deliveries), ordered by id. */
    findByUrlKeys(urlKeys: readonly string[]): Promise<RegistryRecord[]>;
    /** Registries whose nextPollAt <= now, oldest first. */
    due(now: number, limit: number): Promise<RegistryRecord[]>;
    /**
     * The poll lease: at most one poll of a registry runs at a time, across workers and processes.
     * Takes the lease for `owner` until `until` when it is free or expired at `now` (one conditional
     * UPDATE). When another owner holds it, marks the registry "poll again" for the holder instead
     * and returns `held` (the holder polls once more before it lets go, so no request is lost).
     * `missing`: no such registry.
     */
    acquirePollLease(id: string, owner: string, now: number, until: number): Promise<'acquired' | 'held' | 'missing'>;
    /** Extends the lease while `owner` holds it; false when it no longer does. */
    renewPollLease(id: string, owner: string, until: number): Promise<boolean>;
    /**
     * Lets go of the lease, unless "poll again" was asked meanwhile: then the flag is cleared, the
     * lease extended to `until`, and `again` returned (the holder polls once more). `lost`: `owner`
     * no longer held it.
     */
    releasePollLease(id: string, owner: string, until: number): Promise<'released' | 'again' | 'lost'>;
    delete(id: string): Promise<void>;
  };

  /**
   * Which registry owns each application id (issue 10): the first registry to publish an id claims
   * it; only an admin's transfer changes it. Versions of the id from other registries are rejected.
   */
  applications: {
    /** The owner after the call: `registryId` when the id was free, else the registry that holds it. */
    claim(applicationId: string, registryId: string): Promise<string>;
    owner(applicationId: string): Promise<string | undefined>;
    /** Gives the id to `registryId` (claiming it if nobody held it). */
    transfer(applicationId: string, registryId: string): Promise<void>;
  };
  versions: {
    /** Inserts unless (registryId, tag) exists; returns the stored record and whether it was new. */
    insert(record: VersionInput, resources: ResourceRecord[]): Promise<{ version: VersionRecord; created: boolean }>;
    getByTag(registryId: string, tag: string): Promise<VersionRecord | undefined>;
    /** tag -> commit of everything ingested from a registry. */
    tags(registryId: string): Promise<Map<string, string>>;
    /** tag -> mark of the registry's marked versions (withdrawn or moved tags). */
    marks(registryId: string): Promise<Map<string, VersionMark>>;
    /** Sets the mark of the registry's version of `tag` (null clears it); false when there is no such version. */
    setMark(registryId: string, tag: string, mark: VersionMark | null): Promise<boolean>;
    /** Every marked version that is served for its application (its owner's), to flag deployments on it. */
    listMarked(): Promise<VersionRecord[]>;
    listByRegistry(registryId: string): Promise<VersionRecord[]>;
    listByApplication(applicationId: string): Promise<VersionRecord[]>;
    get(applicationId: string, version: string): Promise<VersionRecord | undefined>;
    /** One row per application id with its newest valid version that is not withdrawn. */
    applications(): Promise<
      { applicationId: string; registryId: string; latest: VersionRecord | null; versions: number }[]
    >;
    resource(versionId: string, name: string): Promise<ResourceRecord | undefined>;
    counts(registryId: string): Promise<Record<VersionState, number>>;
    /** `counts` of every registry in one query; a registry without versions has no entry. */
    countsByRegistry(): Promise<Map<string, Record<VersionState, number>>>;
  };

  events: {
    add(event: Omit<RegistryEvent, 'id' | 'createdAt'>): Promise<RegistryEvent>;
    /** `add` for many events with multi-row statements (a batch of deliveries); ids ascend in input order. */
    addMany(events: readonly Omit<RegistryEvent, 'id' | 'createdAt'>[]): Promise<void>;
    /** Newest first; with `kind`, only events of that kind. */
    list(registryId: string, filter?: { kind?: string; limit?: number; beforeId?: string }): Promise<RegistryEvent[]>;
    /** Deletes events created before `before` (epoch ms); returns how many. */
    purge(before: number): Promise<number>;
  };

  deliveries: {
    /** Returns created=false when (forge, deliveryId) was stored before. */
    insert(record: Omit<DeliveryRecord, 'id'>): Promise<{ delivery: DeliveryRecord; created: boolean }>;
    /**
     * `insert` for many records in one multi-row statement (the receiver's group commit); results
     * in input order. A (forge, deliveryId) stored before, or repeated in `records`, is
     * created=false with the first stored record.
     */
    insertMany(records: Omit<DeliveryRecord, 'id'>[]): Promise<{ delivery: DeliveryRecord; created: boolean }[]>;
    update(id: string, patch: Partial<Pick<DeliveryRecord, 'result' | 'jobId' | 'handledAt'>>): Promise<void>;
    /** Sets the job of many deliveries in one statement. */
    setJobIds(links: { id: string; jobId: string }[]): Promise<void>;
    /**
     * Moves a delivery from `pending` to its final result, once: false when it was no longer
     * pending (another run of its job finished it first), and then nothing is changed.
     */
    finish(
      id: string,
      outcome: { result: Exclude<DeliveryResult, 'pending'>; handledAt: number; jobId?: string },
    ): Promise<boolean>;
    /**
     * `finish` for many deliveries, one statement per distinct outcome: returns the ids it moved
     * on; a delivery no longer pending (or missing) is left unchanged and not returned.
     */
    finishMany(
      outcomes: readonly {
        id: string;
        result: Exclude<DeliveryResult, 'pending'>;
        handledAt: number;
        jobId?: string;
      }[],
    ): Promise<Set<string>>;
    get(id: string): Promise<DeliveryRecord | undefined>;
    /** The deliveries with these ids, in one query; missing ids are left out. */
    getMany(ids: readonly string[]): Promise<DeliveryRecord[]>;
    /** Newest first; `before` continues a list after its last item (cursor pagination). */
    list(limit: number, before?: { receivedAt: number; id: string }): Promise<DeliveryRecord[]>;
    /** Deletes deliveries received before `before` (epoch ms); returns how many. */
    purge(before: number): Promise<number>;
  };

  tokens: {
    create(record: Omit<TokenRecord, 'id' | 'createdAt'>): Promise<TokenRecord>;
    findByHash(tokenHash: string): Promise<TokenRecord | undefined>;
    list(): Promise<TokenRecord[]>;
    delete(id: string): Promise<void>;
  };

  sessions: {
    create(record: Omit<SessionRecord, 'tokenName' | 'role'>): Promise<void>;
    /** The session, if its token still exists (a deleted token ends its sessions). */
    get(id: string): Promise<SessionRecord | undefined>;
    touch(id: string, expiresAt: number): Promise<void>;
    setDraft(id: string, draft: SessionDraft | null): Promise<void>;
    delete(id: string): Promise<void>;
    /** Removes sessions whose idle expiry is at or before `now`; returns how many. */
    deleteExpired(now: number): Promise<number>;
  };

  /** Database reachable and migrations applied. */
  ready(): Promise<boolean>;
  close(): Promise<void>;
}
