import type { Kysely, Migration } from 'kysely';

/**
 * Versions whose tag was deleted or moved in the registry (issue 15): `mark` (`withdrawn` |
 * `moved`), since `marked_at`, and for a moved tag the commit it names now (`moved_to`). Null on
 * every existing version: the next poll sets the marks from what the registry lists.
 * One ALTER per column: SQLite adds one column per statement.
 */
export function versionMarks(): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable('versions').addColumn('mark', 'text').execute();
      await db.schema.alterTable('versions').addColumn('marked_at', 'bigint').execute();
      await db.schema.alterTable('versions').addColumn('moved_to', 'text').execute();
    },
    async down(db: Kysely<unknown>): Promise<void> {
      for (const column of ['moved_to', 'marked_at', 'mark']) {
        await db.schema.alterTable('versions').dropColumn(column).execute();
      }
    },
  };
}
