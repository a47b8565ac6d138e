import type { Kysely, Migration } from 'kysely';

/**
 * Deployments (issue 11): deployment repositories, deployments (one per slot: repository, target
 * and name, while not removed) and their proposals (the history).
 */
export function deployments(): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('deployment_repositories')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull().unique())
        .addColumn('provider', 'text', (c) => c.notNull())
        .addColumn('settings', 'text', (c) => c.notNull())
        .addColumn('url_key', 'text')
        .addColumn('base_branch', 'text', (c) => c.notNull())
        .addColumn('format', 'text', (c) => c.notNull())
        .addColumn('layout', 'text', (c) => c.notNull())
        .addColumn('commit_author', 'text', (c) => c.notNull())
        .addColumn('labels', 'text', (c) => c.notNull())
        .addColumn('title_pattern', 'text')
        .addColumn('secrets_ciphertext', 'text')
        .addColumn('credential_summary', 'text', (c) => c.notNull())
        .addColumn('configured', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('deployment_repositories_url_key')
        .on('deployment_repositories')
        .column('url_key')
        .execute();

      await db.schema
        .createTable('deployments')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('repository_id', 'text', (c) => c.notNull().references('deployment_repositories.id'))
        .addColumn('application_id', 'text', (c) => c.notNull())
        .addColumn('version', 'text', (c) => c.notNull())
        .addColumn('profile', 'text', (c) => c.notNull())
        .addColumn('target', 'text', (c) => c.notNull())
        .addColumn('namespace', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('slot', 'text', (c) => c.unique())
        .addColumn('values', 'text', (c) => c.notNull())
        .addColumn('sealed_values', 'text')
        .addColumn('sensitive', 'text', (c) => c.notNull())
        .addColumn('namespaces', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('failure_reason', 'text')
        .addColumn('revision', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('deployments_repository').on('deployments').column('repository_id').execute();

      await db.schema
        .createTable('proposals')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('deployment_id', 'text', (c) => c.notNull().references('deployments.id').onDelete('cascade'))
        .addColumn('repository_id', 'text', (c) => c.notNull())
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('version', 'text', (c) => c.notNull())
        .addColumn('profile', 'text', (c) => c.notNull())
        .addColumn('namespace', 'text', (c) => c.notNull())
        .addColumn('values', 'text', (c) => c.notNull())
        .addColumn('sealed_values', 'text')
        .addColumn('sensitive', 'text', (c) => c.notNull())
        .addColumn('content_hash', 'text', (c) => c.notNull())
        .addColumn('files', 'text', (c) => c.notNull())
        .addColumn('branch', 'text', (c) => c.notNull())
        .addColumn('number', 'integer')
        .addColumn('url', 'text')
        .addColumn('commit', 'text')
        .addColumn('merge_commit', 'text')
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('outcome', 'text')
        .addColumn('failure_reason', 'text')
        .addColumn('requested_by', 'text', (c) => c.notNull())
        .addColumn('requested_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('proposals_deployment').on('proposals').column('deployment_id').execute();
      await db.schema
        .createIndex('proposals_repository_state')
        .on('proposals')
        .columns(['repository_id', 'state'])
        .execute();
      await db.schema
        .createIndex('proposals_repository_number')
        .on('proposals')
        .columns(['repository_id', 'number'])
        .execute();
    },
    async down(db: Kysely<unknown>): Promise<void> {
      for (const table of ['proposals', 'deployments', 'deployment_repositories']) {
        await db.schema.dropTable(table).execute();
      }
    },
  };
}
