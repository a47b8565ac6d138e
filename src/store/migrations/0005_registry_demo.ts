import { type Kysely, type Migration, sql } from 'kysely';

/**
 * Marks the registry `serve --demo` creates (issue 12), so a start without --demo can park it
 * instead of polling an address nothing serves. A demo registry created before this migration
 * (the name 'demo', pre-configured, a loopback /demo.git URL) is marked too.
 */
export function registryDemo(): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .alterTable('registries')
        .addColumn('demo', 'integer', (c) => c.notNull().defaultTo(sql`0`))
        .execute();
      await sql`UPDATE registries SET demo = 1 WHERE name = 'demo' AND configured = 1 AND url LIKE 'http://127.0.0.1:%/demo.git'`.execute(
        db,
      );
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable('registries').dropColumn('demo').execute();
    },
  };
}
