import { type Kysely, type Migration, sql } from 'kysely';

/**
 * The per-registry poll lease (issue 5): who polls the registry now and until when, and whether
 * another poll asked for one more round meanwhile. One column per ALTER: SQLite adds one at a time.
 */
export function pollLease(): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable('registries').addColumn('poll_lease_owner', 'text').execute();
      await db.schema.alterTable('registries').addColumn('poll_lease_until', 'bigint').execute();
      await db.schema
        .alterTable('registries')
        .addColumn('poll_again', 'integer', (c) => c.notNull().defaultTo(sql`0`))
        .execute();
    },
    async down(db: Kysely<unknown>): Promise<void> {
      for (const column of ['poll_again', 'poll_lease_until', 'poll_lease_owner']) {
        await db.schema.alterTable('registries').dropColumn(column).execute();
      }
    },
  };
}
