import type { Kysely, Migration } from 'kysely';

/**
 * Sensitive values of a deployment repository (issue 15): its SOPS age recipients and whether
 * plaintext secrets are explicitly allowed, as JSON; null = neither set.
 */
export function repositorySops(): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable('deployment_repositories').addColumn('sops', 'text').execute();
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable('deployment_repositories').dropColumn('sops').execute();
    },
  };
}
