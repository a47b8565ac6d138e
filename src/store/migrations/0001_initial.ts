import { type Kysely, type Migration, sql } from 'kysely';
import type { DialectName } from '../schema.js';

/** The first schema: every table the Store and the job queue use. */
export function initial(dialect: DialectName): Migration {
  const binary = dialect === 'postgres' ? 'bytea' : 'blob';
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('registries')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull().unique())
        .addColumn('url', 'text', (c) => c.notNull())
        .addColumn('url_key', 'text', (c) => c.notNull())
        .addColumn('sub_path', 'text', (c) => c.notNull())
        .addColumn('tag_pattern', 'text')
        .addColumn('semver_range', 'text')
        .addColumn('strict_version', 'integer', (c) => c.notNull())
        .addColumn('allow_http', 'integer', (c) => c.notNull())
        .addColumn('poll_interval', 'integer', (c) => c.notNull())
        .addColumn('secrets_ciphertext', 'text')
        .addColumn('credential_summary', 'text', (c) => c.notNull())
        .addColumn('configured', 'integer', (c) => c.notNull())
        .addColumn('last_poll_at', 'bigint')
        .addColumn('last_success_at', 'bigint')
        .addColumn('last_error', 'text')
        .addColumn('consecutive_failures', 'integer', (c) => c.notNull())
        .addColumn('next_poll_at', 'bigint', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('registries_url_key').on('registries').column('url_key').execute();
      await db.schema.createIndex('registries_next_poll_at').on('registries').column('next_poll_at').execute();

      await db.schema
        .createTable('versions')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('registry_id', 'text', (c) => c.notNull().references('registries.id').onDelete('cascade'))
        .addColumn('application_id', 'text')
        .addColumn('tag', 'text', (c) => c.notNull())
        .addColumn('commit', 'text', (c) => c.notNull())
        .addColumn('version', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('shape', 'text')
        .addColumn('description', 'text')
        .addColumn('errors', 'text', (c) => c.notNull())
        .addColumn('warnings', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addUniqueConstraint('versions_registry_tag', ['registry_id', 'tag'])
        .execute();
      await db.schema
        .createIndex('versions_application')
        .on('versions')
        .columns(['application_id', 'version'])
        .execute();

      await db.schema
        .createTable('resources')
        .addColumn('version_id', 'text', (c) => c.notNull().references('versions.id').onDelete('cascade'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('path', 'text', (c) => c.notNull())
        .addColumn('content_type', 'text', (c) => c.notNull())
        .addColumn('bytes', binary, (c) => c.notNull())
        .addPrimaryKeyConstraint('resources_pk', ['version_id', 'name'])
        .execute();

      await db.schema
        .createTable('events')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('registry_id', 'text', (c) => c.notNull().references('registries.id').onDelete('cascade'))
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('tag', 'text')
        .addColumn('detail', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('events_registry').on('events').columns(['registry_id', 'id']).execute();

      await db.schema
        .createTable('deliveries')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('forge', 'text', (c) => c.notNull())
        .addColumn('delivery_id', 'text', (c) => c.notNull())
        .addColumn('event', 'text', (c) => c.notNull())
        .addColumn('action', 'text')
        .addColumn('repository_url', 'text')
        .addColumn('result', 'text', (c) => c.notNull())
        .addColumn('job_id', 'text')
        .addColumn('payload', 'text', (c) => c.notNull())
        .addColumn('received_at', 'bigint', (c) => c.notNull())
        .addColumn('handled_at', 'bigint')
        .addUniqueConstraint('deliveries_forge_delivery', ['forge', 'delivery_id'])
        .execute();

      await db.schema
        .createTable('tokens')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('token_hash', 'text', (c) => c.notNull().unique())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('jobs')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('payload', 'text', (c) => c.notNull())
        .addColumn('dedupe_key', 'text')
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull())
        .addColumn('max_attempts', 'integer', (c) => c.notNull())
        .addColumn('run_at', 'bigint', (c) => c.notNull())
        .addColumn('last_error', 'text')
        .addColumn('locked_by', 'text')
        .addColumn('locked_until', 'bigint')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      // At most one pending or running job per dedupe key; done and dead jobs keep their key as history.
      await db.schema
        .createIndex('jobs_dedupe_active')
        .on('jobs')
        .column('dedupe_key')
        .unique()
        .where(sql.ref('state'), 'in', sql`('pending', 'running')`)
        .execute();
      await db.schema.createIndex('jobs_due').on('jobs').columns(['state', 'run_at', 'id']).execute();
      await db.schema.createIndex('jobs_leases').on('jobs').columns(['state', 'locked_until']).execute();
    },
  };
}
