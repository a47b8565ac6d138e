/**
 * The `deployments` table. A deployment holds its slot (repository, target, name) until it is
 * removed; the unique slot column makes "one deployment per place" hold under concurrency, and
 * the revision column lets one of two concurrent changes win.
 */
import type { Selectable } from 'kysely';
import type { TableContext } from '../context.js';
import type { DeploymentRecord, DeploymentState, DeploymentTables, UpgradePolicy } from '../deployment-records.js';
import { num } from '../rows.js';
import type { DeploymentTable } from '../schema.js';

type Row = Selectable<DeploymentTable>;

function toRecord(row: Row): DeploymentRecord {
  return {
    id: row.id,
    repositoryId: row.repository_id,
    applicationId: row.application_id,
    version: row.version,
    profile: row.profile,
    target: row.target,
    namespace: row.namespace,
    name: row.name,
    values: JSON.parse(row.values) as Record<string, unknown>,
    sealedValues: row.sealed_values,
    sensitive: JSON.parse(row.sensitive) as string[],
    namespaces: JSON.parse(row.namespaces) as string[],
    upgradePolicy: (row.upgrade_policy ?? 'none') as UpgradePolicy,
    state: row.state as DeploymentState,
    failureReason: row.failure_reason,
    revision: num(row.revision),
    createdAt: num(row.created_at),
    updatedAt: num(row.updated_at),
  };
}

export function slotOf(repositoryId: string, target: string, name: string): string {
  return `${repositoryId} ${target} ${name}`;
}

export function deploymentsTable({ db: q, now }: TableContext): DeploymentTables['deployments'] {
  const all = () => q().selectFrom('deployments').selectAll();

  async function findByName(repositoryId: string, target: string, name: string) {
    const row = await all()
      .where('slot', '=', slotOf(repositoryId, target, name))
      .executeTakeFirst();
    return row ? toRecord(row) : undefined;
  }

  return {
    async create(input) {
      const at = now();
      const slot = slotOf(input.repositoryId, input.target, input.name);
      // ON CONFLICT DO NOTHING: inside a Postgres transaction a failed statement would abort it.
      const row = await q()
        .insertInto('deployments')
        .values({
          id: input.id,
          repository_id: input.repositoryId,
          application_id: input.applicationId,
          version: input.version,
          profile: input.profile,
          target: input.target,
          namespace: input.namespace,
          name: input.name,
          slot: input.state === 'removed' ? null : slot,
          values: JSON.stringify(input.values),
          sealed_values: input.sealedValues,
          sensitive: JSON.stringify(input.sensitive),
          namespaces: JSON.stringify(input.namespaces),
          upgrade_policy: input.upgradePolicy ?? 'none',
          state: input.state,
          failure_reason: null,
          revision: 1,
          created_at: at,
          updated_at: at,
        })
        .onConflict((oc) => oc.doNothing())
        .returningAll()
        .executeTakeFirst();
      if (row) return { deployment: toRecord(row), created: true };
      const existing = await findByName(input.repositoryId, input.target, input.name);
      if (!existing) {
        // The id, not the slot, collided: a second request for a deployment that is removed meanwhile.
        const byId = await all().where('id', '=', input.id).executeTakeFirstOrThrow();
        return { deployment: toRecord(byId), created: false };
      }
      return { deployment: existing, created: false };
    },

    async update(id, patch, revision) {
      const set: Partial<DeploymentTable> = { updated_at: now() };
      if (patch.applicationId !== undefined) set.application_id = patch.applicationId;
      if (patch.version !== undefined) set.version = patch.version;
      if (patch.profile !== undefined) set.profile = patch.profile;
      if (patch.target !== undefined) set.target = patch.target;
      if (patch.namespace !== undefined) set.namespace = patch.namespace;
      if (patch.name !== undefined) set.name = patch.name;
      if (patch.values !== undefined) set.values = JSON.stringify(patch.values);
      if (patch.sealedValues !== undefined) set.sealed_values = patch.sealedValues;
      if (patch.sensitive !== undefined) set.sensitive = JSON.stringify(patch.sensitive);
      if (patch.namespaces !== undefined) set.namespaces = JSON.stringify(patch.namespaces);
      if (patch.upgradePolicy !== undefined) set.upgrade_policy = patch.upgradePolicy;
      if (patch.state !== undefined) set.state = patch.state;
      if (patch.failureReason !== undefined) set.failure_reason = patch.failureReason;
      // A removed deployment gives its place up for a new one.
      if (patch.state === 'removed') set.slot = null;
      let query = q()
        .updateTable('deployments')
        .set((eb) => ({ ...set, revision: eb('revision', '+', 1) }))
        .where('id', '=', id);
      if (revision !== undefined) query = query.where('revision', '=', revision);
      const result = await query.executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },

    async get(id) {
      const row = await all().where('id', '=', id).executeTakeFirst();
      return row ? toRecord(row) : undefined;
    },

    findByName,

    async list(filter, page) {
      let query = all();
      const after = page?.after;
      if (after !== undefined) {
        // A row-value comparison, so both databases seek in the (created_at, id) index.
        query = query.where((eb) => eb(eb.refTuple('created_at', 'id'), '<', eb.tuple(after.createdAt, after.id)));
      }
      if (page !== undefined) query = query.limit(page.limit);
      if (filter.repositoryId !== undefined) query = query.where('repository_id', '=', filter.repositoryId);
      if (filter.applicationId !== undefined) query = query.where('application_id', '=', filter.applicationId);
      if (filter.target !== undefined) query = query.where('target', '=', filter.target);
      if (filter.state !== undefined) query = query.where('state', '=', filter.state);
      const rows = await query.orderBy('created_at', 'desc').orderBy('id', 'desc').execute();
      return rows.map(toRecord);
    },

    async countByRepository(repositoryId) {
      const row = await q()
        .selectFrom('deployments')
        .select((eb) => eb.fn.countAll<number | string>().as('count'))
        .where('repository_id', '=', repositoryId)
        .where('slot', 'is not', null)
        .executeTakeFirstOrThrow();
      return num(row.count);
    },

    async acquireProposalLease(id, owner, at, until) {
      const result = await q()
        .updateTable('deployments')
        .set({ proposal_lease_owner: owner, proposal_lease_until: until })
        .where('id', '=', id)
        .where((eb) =>
          eb.or([
            eb('proposal_lease_owner', 'is', null),
            eb('proposal_lease_owner', '=', owner),
            eb('proposal_lease_until', '<=', at),
          ]),
        )
        .executeTakeFirst();
      return num(result.numUpdatedRows) > 0;
    },

    async renewProposalLease(id, owner, until) {
      const result = await q()
        .updateTable('deployments')
        .set({ proposal_lease_until: until })
        .where('id', '=', id)
        .where('proposal_lease_owner', '=', owner)
        .executeTakeFirst();
      return num(result.numUpdatedRows) > 0;
    },

    async releaseProposalLease(id, owner) {
      await q()
        .updateTable('deployments')
        .set({ proposal_lease_owner: null, proposal_lease_until: null })
        .where('id', '=', id)
        .where('proposal_lease_owner', '=', owner)
        .execute();
    },
  };
}
