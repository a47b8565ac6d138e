import type { Kysely, Migration } from 'kysely';

/**
 * The per-deployment proposal lease (issue 14): the proposals of a deployment share one branch,
 * so one at a time is carried out, across requests, workers and processes. Who holds it, until when.
 */
export function proposalLease(): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable('deployments').addColumn('proposal_lease_owner', 'text').execute();
      await db.schema.alterTable('deployments').addColumn('proposal_lease_until', 'bigint').execute();
    },
    async down(db: Kysely<unknown>): Promise<void> {
      for (const column of ['proposal_lease_until', 'proposal_lease_owner']) {
        await db.schema.alterTable('deployments').dropColumn(column).execute();
      }
    },
  };
}
