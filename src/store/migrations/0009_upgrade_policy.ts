import { type Kysely, type Migration, sql } from 'kysely';

/** Each deployment's upgrade policy (issue 15): none | patch | minor | major; existing ones: none. */
export function upgradePolicy(): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .alterTable('deployments')
        .addColumn('upgrade_policy', 'text', (c) => c.notNull().defaultTo(sql`'none'`))
        .execute();
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable('deployments').dropColumn('upgrade_policy').execute();
    },
  };
}
