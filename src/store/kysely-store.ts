/**
 * The one implementation of `Store` on Kysely, shared by SQLite and Postgres (`sqlite.ts` and
 * `postgres.ts` only build the dialect). Dialect-neutral SQL throughout: ON CONFLICT … DO NOTHING
 * and RETURNING exist in both; the only dialect branch is the queue's `FOR UPDATE SKIP LOCKED`.
 */
import { type ControlledTransaction, type Kysely, sql } from 'kysely';
import semver from 'semver';
import { BridgeError } from '../errors.js';
import { createDbQueue } from '../jobs/db.js';
import type { JobQueue } from '../jobs/interface.js';
import { newId } from './ids.js';
import type { DeliveryRecord, RegistryRecord, Store, VersionRecord, VersionState } from './interface.js';
import { LATEST_MIGRATION } from './migrations/index.js';
import {
  isUniqueViolation,
  num,
  registryColumns,
  toDelivery,
  toEvent,
  toRegistry,
  toResource,
  toToken,
  toVersion,
} from './rows.js';
import type { Database, DialectName } from './schema.js';

/**
 * Tells whether the calling code runs inside one of this store's transactions (Node: an
 * AsyncLocalStorage). With it, using the outer store inside `transaction()` fails at once with a
 * clear error instead of deadlocking on SQLite's single connection or on a row lock on Postgres.
 */
export interface TransactionScope {
  run<T>(work: () => Promise<T>): Promise<T>;
  active(): boolean;
}

export interface KyselyStoreOptions {
  db: Kysely<Database>;
  dialect: DialectName;
  now?: () => number;
  scope?: TransactionScope;
}

type TxStore = Store & { jobs: JobQueue };

/** 11 parameters a row: 500 rows stay far below SQLite's (32,766) and Postgres's (65,535) limits. */
const MAX_DELIVERIES_PER_INSERT = 500;

interface Context {
  db: Kysely<Database>;
  /** The open transaction, or null for the outer store. */
  trx: ControlledTransaction<Database, string[]> | null;
  /**
   * Savepoints opened directly in this context, one at a time: releasing or rolling back a
   * savepoint also ends every savepoint opened after it, so concurrent siblings must not overlap.
   */
  savepointTail: Promise<void>;
}

export function createKyselyStore(options: KyselyStoreOptions): Store {
  const { dialect, scope } = options;
  const now = options.now ?? Date.now;
  let savepoints = 0;
  return build({ db: options.db, trx: null, savepointTail: Promise.resolve() });

  /** Runs `work` atomically: a transaction from the outer store, a savepoint inside one. */
  async function atomically<T>(ctx: Context, work: (inner: Context) => Promise<T>): Promise<T> {
    if (ctx.trx === null) {
      guard(ctx);
      const trx = await ctx.db.startTransaction().execute();
      const inner: Context = { db: trx, trx, savepointTail: Promise.resolve() };
      try {
        const result = scope ? await scope.run(() => work(inner)) : await work(inner);
        await trx.commit().execute();
        return result;
      } catch (error) {
        await trx.rollback().execute();
        throw error;
      }
    }
    const previous = ctx.savepointTail;
    let done: () => void = () => undefined;
    ctx.savepointTail = new Promise<void>((resolve) => {
      done = resolve;
    });
    await previous;
    const name = `sp_${++savepoints}`;
    try {
      const savepoint = await ctx.trx.savepoint(name).execute();
      try {
        const result = await work({ db: savepoint, trx: savepoint, savepointTail: Promise.resolve() });
        await savepoint.releaseSavepoint(name).execute();
        return result;
      } catch (error) {
        await savepoint.rollbackToSavepoint(name).execute();
        throw error;
      }
    } finally {
      done();
    }
  }

  function guard(ctx: Context): void {
    if (ctx.trx === null && scope?.active()) {
      throw new BridgeError(
        'INTERNAL',
        'the store was used directly inside Store.transaction(); use the tx passed to the callback',
      );
    }
  }

  function build(ctx: Context): TxStore {
    /** The executor for one call; the outer store refuses to run inside its own transaction. */
    const q = (): Kysely<Database> => {
      guard(ctx);
      return ctx.db;
    };

    async function getRegistry(id: string): Promise<RegistryRecord | undefined> {
      const row = await q().selectFrom('registries').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? toRegistry(row) : undefined;
    }

    async function nameTaken(name: string, exceptId: string | null): Promise<boolean> {
      let query = q().selectFrom('registries').select('id').where('name', '=', name);
      if (exceptId !== null) query = query.where('id', '!=', exceptId);
      return (await query.executeTakeFirst()) !== undefined;
    }

    const store: TxStore = {
      transaction: (work) => atomically(ctx, (inner) => work(build(inner))),
      jobs: createDbQueue({ db: q, dialect, now }),

      registries: {
        async create(input) {
          const at = now();
          // ON CONFLICT DO NOTHING instead of catching the violation: inside a Postgres
          // transaction a failed statement would abort the caller's whole transaction.
          const row = await q()
            .insertInto('registries')
            .values({
              id: newId(at),
              name: input.name,
              url: input.url,
              url_key: input.urlKey,
              sub_path: input.subPath,
              tag_pattern: input.tagPattern,
              semver_range: input.semverRange,
              strict_version: input.strictVersion ? 1 : 0,
              allow_http: input.allowHttp ? 1 : 0,
              poll_interval: input.pollInterval,
              secrets_ciphertext: input.secretsCiphertext,
              credential_summary: JSON.stringify(input.credentialSummary),
              configured: input.configured ? 1 : 0,
              last_poll_at: null,
              last_success_at: null,
              last_error: null,
              consecutive_failures: 0,
              next_poll_at: input.nextPollAt ?? at,
              poll_lease_owner: null,
              poll_lease_until: null,
              poll_again: 0,
              created_at: at,
              updated_at: at,
            })
            .onConflict((oc) => oc.column('name').doNothing())
            .returningAll()
            .executeTakeFirst();
          if (!row) throw new BridgeError('CONFLICT', `a registry named '${input.name}' exists already`);
          return toRegistry(row);
        },

        async update(id, patch) {
          if (patch.name !== undefined && (await nameTaken(patch.name, id))) {
            throw new BridgeError('CONFLICT', `a registry named '${patch.name}' exists already`);
          }
          try {
            const row = await q()
              .updateTable('registries')
              .set({ ...registryColumns(patch), updated_at: now() })
              .where('id', '=', id)
              .returningAll()
              .executeTakeFirst();
            if (!row) throw new BridgeError('NOT_FOUND', `registry '${id}' not found`);
            return toRegistry(row);
          } catch (error) {
            if (isUniqueViolation(error)) {
              throw new BridgeError('CONFLICT', `a registry named '${patch.name}' exists already`);
            }
            throw error;
          }
        },

        async recordPoll(id, outcome) {
          await q()
            .updateTable('registries')
            .set({
              last_poll_at: outcome.at,
              last_error: outcome.error,
              ...(outcome.error === null ? { last_success_at: outcome.at } : {}),
              next_poll_at: outcome.nextPollAt,
              consecutive_failures: outcome.consecutiveFailures,
            })
            .where('id', '=', id)
            .execute();
        },

        get: getRegistry,

        async getByName(name) {
          const row = await q().selectFrom('registries').selectAll().where('name', '=', name).executeTakeFirst();
          return row ? toRegistry(row) : undefined;
        },

        async list() {
          const rows = await q().selectFrom('registries').selectAll().orderBy('name').execute();
          return rows.map(toRegistry);
        },

        async findByUrlKey(urlKey) {
          const rows = await q()
            .selectFrom('registries')
            .selectAll()
            .where('url_key', '=', urlKey)
            .orderBy('id')
            .execute();
          return rows.map(toRegistry);
        },

        async due(at, limit) {
          const rows = await q()
            .selectFrom('registries')
            .selectAll()
            .where('next_poll_at', '<=', at)
            .orderBy('next_poll_at')
            .orderBy('id')
            .limit(limit)
            .execute();
          return rows.map(toRegistry);
        },

        async acquirePollLease(id, owner, at, until) {
          // Each attempt is one conditional UPDATE, atomic on both databases. Between "taken" and
          // "mark poll again" the holder may let go: then the next round finds the lease free.
          for (let attempt = 0; attempt < 3; attempt++) {
            const taken = await q()
              .updateTable('registries')
              .set({ poll_lease_owner: owner, poll_lease_until: until, poll_again: 0 })
              .where('id', '=', id)
              .where((eb) => eb.or([eb('poll_lease_until', 'is', null), eb('poll_lease_until', '<=', at)]))
              .executeTakeFirst();
            if (num(taken.numUpdatedRows) > 0) return 'acquired';
            const marked = await q()
              .updateTable('registries')
              .set({ poll_again: 1 })
              .where('id', '=', id)
              .where('poll_lease_until', '>', at)
              .executeTakeFirst();
            if (num(marked.numUpdatedRows) > 0) return 'held';
            if ((await getRegistry(id)) === undefined) return 'missing';
          }
          throw new BridgeError('INTERNAL', `could not take or mark the poll lease of registry '${id}'`);
        },

        async renewPollLease(id, owner, until) {
          const result = await q()
            .updateTable('registries')
            .set({ poll_lease_until: until })
            .where('id', '=', id)
            .where('poll_lease_owner', '=', owner)
            .executeTakeFirst();
          return num(result.numUpdatedRows) > 0;
        },

        async releasePollLease(id, owner, until) {
          const released = await q()
            .updateTable('registries')
            .set({ poll_lease_owner: null, poll_lease_until: null })
            .where('id', '=', id)
            .where('poll_lease_owner', '=', owner)
            .where('poll_again', '=', 0)
            .executeTakeFirst();
          if (num(released.numUpdatedRows) > 0) return 'released';
          // Still ours, so poll_again was set: keep the lease for one more round.
          const again = await q()
            .updateTable('registries')
            .set({ poll_again: 0, poll_lease_until: until })
            .where('id', '=', id)
            .where('poll_lease_owner', '=', owner)
            .executeTakeFirst();
          return num(again.numUpdatedRows) > 0 ? 'again' : 'lost';
        },

        async delete(id) {
          // Children are deleted explicitly (not only by ON DELETE CASCADE) so the result does
          // not depend on SQLite's foreign_keys pragma.
          await atomically(ctx, async ({ db }) => {
            const versionIds = db.selectFrom('versions').select('id').where('registry_id', '=', id);
            await db.deleteFrom('resources').where('version_id', 'in', versionIds).execute();
            await db.deleteFrom('versions').where('registry_id', '=', id).execute();
            await db.deleteFrom('events').where('registry_id', '=', id).execute();
            await db.deleteFrom('registries').where('id', '=', id).execute();
          });
        },
      },

      versions: {
        async insert(record, resources) {
          return atomically(ctx, async ({ db }) => {
            const at = now();
            const row = await db
              .insertInto('versions')
              .values({
                id: newId(at),
                registry_id: record.registryId,
                application_id: record.applicationId,
                tag: record.tag,
                commit: record.commit,
                version: record.version,
                state: record.state,
                shape: record.shape,
                description: record.description == null ? null : JSON.stringify(record.description),
                errors: JSON.stringify(record.errors),
                warnings: JSON.stringify(record.warnings),
                created_at: at,
              })
              .onConflict((oc) => oc.columns(['registry_id', 'tag']).doNothing())
              .returningAll()
              .executeTakeFirst();
            if (!row) {
              const existing = await db
                .selectFrom('versions')
                .selectAll()
                .where('registry_id', '=', record.registryId)
                .where('tag', '=', record.tag)
                .executeTakeFirstOrThrow();
              return { version: toVersion(existing), created: false };
            }
            if (resources.length > 0) {
              await db
                .insertInto('resources')
                .values(
                  resources.map((resource) => ({
                    version_id: row.id,
                    name: resource.name,
                    path: resource.path,
                    content_type: resource.contentType,
                    bytes: resource.bytes,
                  })),
                )
                .execute();
            }
            return { version: toVersion(row), created: true };
          });
        },

        async getByTag(registryId, tag) {
          const row = await q()
            .selectFrom('versions')
            .selectAll()
            .where('registry_id', '=', registryId)
            .where('tag', '=', tag)
            .executeTakeFirst();
          return row ? toVersion(row) : undefined;
        },

        async tags(registryId) {
          const rows = await q()
            .selectFrom('versions')
            .select(['tag', 'commit'])
            .where('registry_id', '=', registryId)
            .execute();
          return new Map(rows.map((row) => [row.tag, row.commit]));
        },

        async listByRegistry(registryId) {
          const rows = await q()
            .selectFrom('versions')
            .selectAll()
            .where('registry_id', '=', registryId)
            .orderBy('id')
            .execute();
          return rows.map(toVersion);
        },

        async listByApplication(applicationId) {
          const rows = await q()
            .selectFrom('versions')
            .selectAll()
            .where('application_id', '=', applicationId)
            .orderBy('id')
            .execute();
          return rows.map(toVersion);
        },

        async get(applicationId, version) {
          // The same application and version may come from two registries: the newest wins.
          const row = await q()
            .selectFrom('versions')
            .selectAll()
            .where('application_id', '=', applicationId)
            .where('version', '=', version)
            .orderBy('id', 'desc')
            .limit(1)
            .executeTakeFirst();
          return row ? toVersion(row) : undefined;
        },

        async applications() {
          const rows = await q()
            .selectFrom('versions')
            .select(['id', 'application_id', 'registry_id', 'version', 'state'])
            .where('application_id', 'is not', null)
            .orderBy('id')
            .execute();
          const groups = new Map<string, typeof rows>();
          for (const row of rows) {
            const key = row.application_id as string;
            const group = groups.get(key) ?? [];
            group.push(row);
            groups.set(key, group);
          }
          const latestIds = new Map<string, string>();
          for (const [applicationId, group] of groups) {
            const usable = group.filter((row) => row.state !== 'rejected');
            const best = usable.reduce<(typeof usable)[number] | undefined>(
              (a, b) => (a === undefined || compareVersions(b, a) > 0 ? b : a),
              undefined,
            );
            if (best) latestIds.set(applicationId, best.id);
          }
          const latestRows =
            latestIds.size === 0
              ? []
              : await q()
                  .selectFrom('versions')
                  .selectAll()
                  .where('id', 'in', [...latestIds.values()])
                  .execute();
          const byId = new Map(latestRows.map((row) => [row.id, toVersion(row)]));
          return [...groups.entries()]
            .sort(([a], [b]) => a.localeCompare(b))
            .map(([applicationId, group]) => {
              const latestId = latestIds.get(applicationId);
              const latest: VersionRecord | null = latestId === undefined ? null : (byId.get(latestId) ?? null);
              const registryId = latest?.registryId ?? (group[group.length - 1]?.registry_id as string);
              return { applicationId, registryId, latest, versions: group.length };
            });
        },

        async resource(versionId, name) {
          const row = await q()
            .selectFrom('resources')
            .selectAll()
            .where('version_id', '=', versionId)
            .where('name', '=', name)
            .executeTakeFirst();
          return row ? toResource(row) : undefined;
        },

        async counts(registryId) {
          const rows = await q()
            .selectFrom('versions')
            .select(['state', (eb) => eb.fn.countAll<number | string>().as('count')])
            .where('registry_id', '=', registryId)
            .groupBy('state')
            .execute();
          const counts: Record<VersionState, number> = { valid: 0, warnings: 0, rejected: 0 };
          for (const row of rows) counts[row.state as VersionState] = num(row.count);
          return counts;
        },

        async countsByRegistry() {
          const rows = await q()
            .selectFrom('versions')
            .select(['registry_id', 'state', (eb) => eb.fn.countAll<number | string>().as('count')])
            .groupBy(['registry_id', 'state'])
            .execute();
          const result = new Map<string, Record<VersionState, number>>();
          for (const row of rows) {
            let counts = result.get(row.registry_id);
            if (!counts) {
              counts = { valid: 0, warnings: 0, rejected: 0 };
              result.set(row.registry_id, counts);
            }
            counts[row.state as VersionState] = num(row.count);
          }
          return result;
        },
      },

      events: {
        async add(event) {
          const at = now();
          const row = await q()
            .insertInto('events')
            .values({
              id: newId(at),
              registry_id: event.registryId,
              kind: event.kind,
              tag: event.tag,
              detail: JSON.stringify(event.detail),
              created_at: at,
            })
            .returningAll()
            .executeTakeFirstOrThrow();
          return toEvent(row);
        },

        async list(registryId, filter = {}) {
          let query = q().selectFrom('events').selectAll().where('registry_id', '=', registryId);
          if (filter.kind !== undefined) query = query.where('kind', '=', filter.kind);
          const rows = await query.orderBy('id', 'desc').execute();
          return rows.map(toEvent);
        },
      },

      deliveries: {
        async insert(record) {
          const row = await q()
            .insertInto('deliveries')
            .values({
              id: newId(now()),
              forge: record.forge,
              delivery_id: record.deliveryId,
              event: record.event,
              action: record.action,
              repository_url: record.repositoryUrl,
              result: record.result,
              job_id: record.jobId,
              payload: JSON.stringify(record.payload),
              received_at: record.receivedAt,
              handled_at: record.handledAt,
            })
            .onConflict((oc) => oc.columns(['forge', 'delivery_id']).doNothing())
            .returningAll()
            .executeTakeFirst();
          if (row) return { delivery: toDelivery(row), created: true };
          const existing = await q()
            .selectFrom('deliveries')
            .selectAll()
            .where('forge', '=', record.forge)
            .where('delivery_id', '=', record.deliveryId)
            .executeTakeFirstOrThrow();
          return { delivery: toDelivery(existing), created: false };
        },

        async insertMany(records) {
          const db = q();
          const at = now();
          const rows = records.map((record) => ({
            id: newId(at),
            forge: record.forge,
            delivery_id: record.deliveryId,
            event: record.event,
            action: record.action,
            repository_url: record.repositoryUrl,
            result: record.result,
            job_id: record.jobId,
            payload: JSON.stringify(record.payload),
            received_at: record.receivedAt,
            handled_at: record.handledAt,
          }));
          const results: { delivery: DeliveryRecord; created: boolean }[] = [];
          for (let start = 0; start < rows.length; start += MAX_DELIVERIES_PER_INSERT) {
            const chunk = rows.slice(start, start + MAX_DELIVERIES_PER_INSERT);
            // Only the ids come back: a new row holds exactly what was given, so reading it back
            // (and parsing its payload again) would only cost time.
            const inserted = await db
              .insertInto('deliveries')
              .values(chunk)
              .onConflict((oc) => oc.columns(['forge', 'delivery_id']).doNothing())
              .returning('id')
              .execute();
            const byId = new Map<string, DeliveryRecord>();
            const newIds = new Set(inserted.map((row) => row.id));
            chunk.forEach((row, offset) => {
              if (newIds.has(row.id)) byId.set(row.id, { ...records[start + offset]!, id: row.id });
            });
            const missing = chunk.filter((row) => !byId.has(row.id));
            // Rows not inserted were stored before (or earlier in this chunk): read those once.
            const existing = new Map<string, DeliveryRecord>();
            if (missing.length > 0) {
              const found = await db
                .selectFrom('deliveries')
                .selectAll()
                .where((eb) =>
                  eb.or(
                    missing.map((row) =>
                      eb.and([eb('forge', '=', row.forge), eb('delivery_id', '=', row.delivery_id)]),
                    ),
                  ),
                )
                .execute();
              for (const row of found) existing.set(`${row.forge}\n${row.delivery_id}`, toDelivery(row));
            }
            for (const row of chunk) {
              const created = byId.get(row.id);
              const stored = created ?? existing.get(`${row.forge}\n${row.delivery_id}`);
              if (!stored) throw new BridgeError('INTERNAL', `delivery ${row.forge}/${row.delivery_id} was not stored`);
              results.push({ delivery: stored, created: created !== undefined });
            }
          }
          return results;
        },

        async setJobIds(links) {
          if (links.length === 0) return;
          // One UPDATE … SET job_id = CASE id WHEN … END for the whole batch.
          let jobId = sql<string>`case id`;
          for (const link of links) jobId = sql<string>`${jobId} when ${link.id} then ${link.jobId}`;
          await q()
            .updateTable('deliveries')
            .set({ job_id: sql<string>`${jobId} end` })
            .where(
              'id',
              'in',
              links.map((link) => link.id),
            )
            .execute();
        },

        async finish(id, outcome) {
          const result = await q()
            .updateTable('deliveries')
            .set({
              result: outcome.result,
              handled_at: outcome.handledAt,
              ...(outcome.jobId !== undefined ? { job_id: outcome.jobId } : {}),
            })
            .where('id', '=', id)
            .where('result', '=', 'pending')
            .executeTakeFirst();
          return num(result.numUpdatedRows) > 0;
        },

        async update(id, patch) {
          const set: { result?: string; job_id?: string | null; handled_at?: number | null } = {};
          if (patch.result !== undefined) set.result = patch.result;
          if (patch.jobId !== undefined) set.job_id = patch.jobId;
          if (patch.handledAt !== undefined) set.handled_at = patch.handledAt;
          if (Object.keys(set).length === 0) return;
          await q().updateTable('deliveries').set(set).where('id', '=', id).execute();
        },

        async get(id) {
          const row = await q().selectFrom('deliveries').selectAll().where('id', '=', id).executeTakeFirst();
          return row ? toDelivery(row) : undefined;
        },

        async list(limit) {
          const rows = await q()
            .selectFrom('deliveries')
            .selectAll()
            .orderBy('received_at', 'desc')
            .orderBy('id', 'desc')
            .limit(limit)
            .execute();
          return rows.map(toDelivery);
        },
      },

      tokens: {
        async create(record) {
          const at = now();
          const row = await q()
            .insertInto('tokens')
            .values({
              id: newId(at),
              name: record.name,
              role: record.role,
              token_hash: record.tokenHash,
              created_at: at,
            })
            .onConflict((oc) => oc.column('token_hash').doNothing())
            .returningAll()
            .executeTakeFirst();
          if (!row) throw new BridgeError('CONFLICT', `a token with this hash exists already (name '${record.name}')`);
          return toToken(row);
        },

        async findByHash(tokenHash) {
          const row = await q().selectFrom('tokens').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
          return row ? toToken(row) : undefined;
        },

        async list() {
          const rows = await q().selectFrom('tokens').selectAll().orderBy('id').execute();
          return rows.map(toToken);
        },

        async delete(id) {
          await q().deleteFrom('tokens').where('id', '=', id).execute();
        },
      },

      async ready() {
        try {
          const result = await sql<{
            name: string;
          }>`select name from kysely_migration where name = ${LATEST_MIGRATION}`.execute(q());
          return result.rows.length === 1;
        } catch {
          return false;
        }
      },

      async close() {
        if (ctx.trx !== null) throw new BridgeError('INTERNAL', 'close() is not available inside a transaction');
        await ctx.db.destroy();
      },
    };
    return store;
  }
}

/** Semantic versions compare by precedence (a leading `v` is ignored); anything else ranks below them, by age. */
function compareVersions(a: { id: string; version: string }, b: { id: string; version: string }): number {
  const va = semver.valid(semver.clean(a.version) ?? '');
  const vb = semver.valid(semver.clean(b.version) ?? '');
  if (va && vb) return semver.compare(va, vb) || a.id.localeCompare(b.id);
  if (va) return 1;
  if (vb) return -1;
  return a.id.localeCompare(b.id);
}
