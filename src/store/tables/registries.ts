/** The `registries` table: connection settings, poll bookkeeping and the poll lease. */
import { BridgeError } from '../../errors.js';
import type { TableContext } from '../context.js';
import { newId } from '../ids.js';
import type { RegistryRecord, Store } from '../interface.js';
import { isUniqueViolation, num, registryColumns, toRegistry } from '../rows.js';

export function registriesTable({ db: q, now, atomically }: TableContext): Store['registries'] {
  const all = () => q().selectFrom('registries').selectAll();

  async function getRegistry(id: string): Promise<RegistryRecord | undefined> {
    const row = await all().where('id', '=', id).executeTakeFirst();
    return row ? toRegistry(row) : undefined;
  }

  async function nameTaken(name: string, exceptId: string | null): Promise<boolean> {
    let query = q().selectFrom('registries').select('id').where('name', '=', name);
    if (exceptId !== null) query = query.where('id', '!=', exceptId);
    return (await query.executeTakeFirst()) !== undefined;
  }

  return {
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
          demo: input.demo ? 1 : 0,
          kind: input.kind ?? 'git',
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
      const row = await all().where('name', '=', name).executeTakeFirst();
      return row ? toRegistry(row) : undefined;
    },

    async list() {
      return (await all().orderBy('name').execute()).map(toRegistry);
    },

    async changeMark() {
      const row = await q()
        .selectFrom('registries')
        .select((eb) => [eb.fn.countAll<number | string>().as('count'), eb.fn.max('updated_at').as('latest')])
        .executeTakeFirstOrThrow();
      return `${num(row.count)}:${row.latest === null ? 0 : num(row.latest)}`;
    },

    async findByUrlKey(urlKey) {
      return (await all().where('url_key', '=', urlKey).orderBy('id').execute()).map(toRegistry);
    },

    async findByUrlKeys(urlKeys) {
      if (urlKeys.length === 0) return [];
      return (
        await all()
          .where('url_key', 'in', [...urlKeys])
          .orderBy('id')
          .execute()
      ).map(toRegistry);
    },

    async due(at, limit) {
      const rows = await all()
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
      await atomically(async (db) => {
        const versionIds = db.selectFrom('versions').select('id').where('registry_id', '=', id);
        await db.deleteFrom('resources').where('version_id', 'in', versionIds).execute();
        await db.deleteFrom('versions').where('registry_id', '=', id).execute();
        await db.deleteFrom('events').where('registry_id', '=', id).execute();
        await db.deleteFrom('registries').where('id', '=', id).execute();
      });
    },
  };
}
