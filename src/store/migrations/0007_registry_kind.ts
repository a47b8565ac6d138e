import { type Kysely, type Migration, sql } from 'kysely';

/**
 * The registry's kind (issue 16): `git`, every registry until now, or `oci`. Versions keep their
 * `commit` column: for an OCI release it holds the manifest digest (`sha256:…`).
 */
export function registryKind(): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .alterTable('registries')
        .addColumn('kind', 'text', (c) => c.notNull().defaultTo(sql`'git'`))
        .execute();
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable('registries').dropColumn('kind').execute();
    },
  };
}
