import { type Kysely, type Migration, sql } from 'kysely';

/**
 * Issue 10: which registry owns each application id (item 1), filled from the versions already
 * stored (the registry of an id's first version; no row changes or goes), and the indexes the
 * queries need (item 15): the deliveries list by receipt time, events of a registry by kind, and
 * the purge of done jobs by age.
 */
export function hardening(): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('applications')
        .addColumn('application_id', 'text', (c) => c.primaryKey())
        .addColumn('registry_id', 'text', (c) => c.notNull().references('registries.id').onDelete('cascade'))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await sql`
        INSERT INTO applications (application_id, registry_id, created_at, updated_at)
        SELECT v.application_id, v.registry_id, v.created_at, v.created_at FROM versions v
        WHERE v.application_id IS NOT NULL
          AND v.id = (SELECT MIN(w.id) FROM versions w WHERE w.application_id = v.application_id)
      `.execute(db);
      await db.schema.createIndex('applications_registry').on('applications').column('registry_id').execute();
      await db.schema.createIndex('deliveries_received').on('deliveries').columns(['received_at', 'id']).execute();
      await db.schema.createIndex('events_registry_kind').on('events').columns(['registry_id', 'kind', 'id']).execute();
      await db.schema.createIndex('jobs_state_updated').on('jobs').columns(['state', 'updated_at']).execute();
    },
    async down(db: Kysely<unknown>): Promise<void> {
      for (const index of ['jobs_state_updated', 'events_registry_kind', 'deliveries_received']) {
        await db.schema.dropIndex(index).execute();
      }
      await db.schema.dropTable('applications').execute();
    },
  };
}
