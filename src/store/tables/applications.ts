/** The `applications` table: the registry that owns each application id (issue 10, item 1). */
import type { TableContext } from '../context.js';
import type { Store } from '../interface.js';

export function applicationsTable({ db: q, now }: TableContext): Store['applications'] {
  async function owner(applicationId: string): Promise<string | undefined> {
    const row = await q()
      .selectFrom('applications')
      .select('registry_id')
      .where('application_id', '=', applicationId)
      .executeTakeFirst();
    return row?.registry_id;
  }

  return {
    owner,
    async claim(applicationId, registryId) {
      const at = now();
      await q()
        .insertInto('applications')
        .values({ application_id: applicationId, registry_id: registryId, created_at: at, updated_at: at })
        .onConflict((oc) => oc.column('application_id').doNothing())
        .execute();
      return (await owner(applicationId)) ?? registryId;
    },
    async transfer(applicationId, registryId) {
      const at = now();
      await q()
        .insertInto('applications')
        .values({ application_id: applicationId, registry_id: registryId, created_at: at, updated_at: at })
        .onConflict((oc) => oc.column('application_id').doUpdateSet({ registry_id: registryId, updated_at: at }))
        .execute();
    },
  };
}
