/**
 * Row ↔ record mapping. Postgres returns BIGINT and COUNT as strings and bytea as a Buffer,
 * SQLite has no boolean type: everything is normalised here so callers see one shape.
 */
import type { Job, JobKind, JobState } from '../jobs/interface.js';
import type {
  DeliveryRecord,
  DeliveryResult,
  RegistryEvent,
  RegistryInput,
  RegistryRecord,
  ResourceRecord,
  Role,
  TokenRecord,
  VersionMark,
  VersionRecord,
  VersionState,
} from './interface.js';
import type {
  DeliveryTable,
  EventTable,
  JobTable,
  RegistryTable,
  ResourceTable,
  TokenTable,
  VersionTable,
} from './schema.js';

export function num(value: number | string | bigint): number {
  return typeof value === 'number' ? value : Number(value);
}

function numOrNull(value: number | string | bigint | null): number | null {
  return value === null ? null : num(value);
}

export function toRegistry(row: RegistryTable): RegistryRecord {
  return {
    id: row.id,
    name: row.name,
    kind: row.kind,
    url: row.url,
    urlKey: row.url_key,
    subPath: row.sub_path,
    tagPattern: row.tag_pattern,
    semverRange: row.semver_range,
    strictVersion: row.strict_version === 1,
    allowHttp: row.allow_http === 1,
    pollInterval: row.poll_interval,
    secretsCiphertext: row.secrets_ciphertext,
    credentialSummary: JSON.parse(row.credential_summary) as Record<string, unknown>,
    configured: row.configured === 1,
    demo: row.demo === 1,
    lastPollAt: numOrNull(row.last_poll_at),
    lastSuccessAt: numOrNull(row.last_success_at),
    lastError: row.last_error,
    consecutiveFailures: row.consecutive_failures,
    nextPollAt: num(row.next_poll_at),
    createdAt: num(row.created_at),
    updatedAt: num(row.updated_at),
  };
}

/** The configuration columns of a registry; only keys present in `input` are returned. */
export function registryColumns(input: Partial<RegistryInput>): Partial<RegistryTable> {
  const row: Partial<RegistryTable> = {};
  if (input.name !== undefined) row.name = input.name;
  if (input.url !== undefined) row.url = input.url;
  if (input.urlKey !== undefined) row.url_key = input.urlKey;
  if (input.subPath !== undefined) row.sub_path = input.subPath;
  if (input.tagPattern !== undefined) row.tag_pattern = input.tagPattern;
  if (input.semverRange !== undefined) row.semver_range = input.semverRange;
  if (input.strictVersion !== undefined) row.strict_version = input.strictVersion ? 1 : 0;
  if (input.allowHttp !== undefined) row.allow_http = input.allowHttp ? 1 : 0;
  if (input.pollInterval !== undefined) row.poll_interval = input.pollInterval;
  if (input.secretsCiphertext !== undefined) row.secrets_ciphertext = input.secretsCiphertext;
  if (input.credentialSummary !== undefined) row.credential_summary = JSON.stringify(input.credentialSummary);
  if (input.configured !== undefined) row.configured = input.configured ? 1 : 0;
  if (input.nextPollAt !== undefined) row.next_poll_at = input.nextPollAt;
  if (input.demo !== undefined) row.demo = input.demo ? 1 : 0;
  if (input.kind !== undefined) row.kind = input.kind;
  return row;
}

export function toVersion(row: VersionTable): VersionRecord {
  return {
    id: row.id,
    registryId: row.registry_id,
    applicationId: row.application_id,
    tag: row.tag,
    commit: row.commit,
    version: row.version,
    state: row.state as VersionState,
    shape: row.shape,
    description: row.description === null ? null : JSON.parse(row.description),
    errors: JSON.parse(row.errors),
    warnings: JSON.parse(row.warnings),
    createdAt: num(row.created_at),
    mark: toMark(row),
  };
}

export function toMark(row: Pick<VersionTable, 'mark' | 'marked_at' | 'moved_to'>): VersionMark | null {
  if (row.marked_at === null) return null;
  if (row.mark === 'withdrawn') return { kind: 'withdrawn', at: num(row.marked_at) };
  if (row.mark === 'moved' && row.moved_to !== null) {
    return { kind: 'moved', at: num(row.marked_at), commit: row.moved_to };
  }
  return null;
}

export function toResource(row: ResourceTable): ResourceRecord {
  // Both drivers return a Buffer; callers get a plain Uint8Array (web-standard, comparable).
  return { name: row.name, path: row.path, contentType: row.content_type, bytes: new Uint8Array(row.bytes) };
}

export function toEvent(row: EventTable): RegistryEvent {
  return {
    id: row.id,
    registryId: row.registry_id,
    kind: row.kind,
    tag: row.tag,
    detail: JSON.parse(row.detail) as Record<string, unknown>,
    createdAt: num(row.created_at),
  };
}

export function toDelivery(row: DeliveryTable): DeliveryRecord {
  return {
    id: row.id,
    forge: row.forge as DeliveryRecord['forge'],
    deliveryId: row.delivery_id,
    event: row.event,
    action: row.action,
    repositoryUrl: row.repository_url,
    result: row.result as DeliveryResult,
    jobId: row.job_id,
    payload: JSON.parse(row.payload) as Record<string, unknown>,
    receivedAt: num(row.received_at),
    handledAt: numOrNull(row.handled_at),
  };
}

export function toToken(row: TokenTable): TokenRecord {
  return {
    id: row.id,
    name: row.name,
    role: row.role as Role,
    tokenHash: row.token_hash,
    createdAt: num(row.created_at),
  };
}

export function toJob(row: JobTable): Job {
  return {
    id: row.id,
    kind: row.kind as JobKind,
    payload: JSON.parse(row.payload) as Record<string, unknown>,
    dedupeKey: row.dedupe_key,
    state: row.state as JobState,
    attempts: row.attempts,
    maxAttempts: row.max_attempts,
    runAt: num(row.run_at),
    lastError: row.last_error,
    createdAt: num(row.created_at),
    updatedAt: num(row.updated_at),
  };
}

/** A unique-constraint violation, on either driver (SQLite: SQLITE_CONSTRAINT_UNIQUE/PRIMARYKEY, Postgres: 23505). */
export function isUniqueViolation(error: unknown): boolean {
  if (typeof error !== 'object' || error === null || !('code' in error)) return false;
  const code = (error as { code: unknown }).code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}
