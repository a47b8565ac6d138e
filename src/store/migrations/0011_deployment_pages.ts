import type { Kysely, Migration } from 'kysely';

/**
 * `GET /api/v1/deployments` pages by key, newest first (issue 10): an index in that order lets a
 * page seek to the previous page's last deployment instead of sorting the table.
 */
export function deploymentPages(): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.createIndex('deployments_created').on('deployments').columns(['created_at', 'id']).execute();
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.dropIndex('deployments_created').execute();
    },
  };
}
