/** The `proposals` table: every proposal of a deployment, its branch, pull request and outcome (the history). */
import type { Selectable } from 'kysely';
import { BridgeError } from '../../errors.js';
import type { TableContext } from '../context.js';
import type {
  DeploymentTables,
  ProposalAction,
  ProposalFile,
  ProposalRecord,
  ProposalRecordState,
} from '../deployment-records.js';
import { newId } from '../ids.js';
import { num } from '../rows.js';
import type { ProposalTable } from '../schema.js';

type Row = Selectable<ProposalTable>;

function toRecord(row: Row): ProposalRecord {
  return {
    id: row.id,
    deploymentId: row.deployment_id,
    repositoryId: row.repository_id,
    action: row.action as ProposalAction,
    version: row.version,
    profile: row.profile,
    namespace: row.namespace,
    values: JSON.parse(row.values) as Record<string, unknown>,
    sealedValues: row.sealed_values,
    sensitive: JSON.parse(row.sensitive) as string[],
    contentHash: row.content_hash,
    files: JSON.parse(row.files) as ProposalFile[],
    branch: row.branch,
    number: row.number === null ? null : num(row.number),
    url: row.url,
    commit: row.commit,
    mergeCommit: row.merge_commit,
    state: row.state as ProposalRecordState,
    outcome: row.outcome,
    failureReason: row.failure_reason,
    requestedBy: row.requested_by,
    requestedAt: num(row.requested_at),
    updatedAt: num(row.updated_at),
  };
}

export function proposalsTable({ db: q, now }: TableContext): DeploymentTables['proposals'] {
  const all = () => q().selectFrom('proposals').selectAll();

  return {
    async create(input) {
      const at = now();
      const row = await q()
        .insertInto('proposals')
        .values({
          id: newId(at),
          deployment_id: input.deploymentId,
          repository_id: input.repositoryId,
          action: input.action,
          version: input.version,
          profile: input.profile,
          namespace: input.namespace,
          values: JSON.stringify(input.values),
          sealed_values: input.sealedValues,
          sensitive: JSON.stringify(input.sensitive),
          content_hash: input.contentHash,
          files: JSON.stringify(input.files),
          branch: input.branch,
          number: null,
          url: null,
          commit: null,
          merge_commit: null,
          state: input.state,
          outcome: null,
          failure_reason: null,
          requested_by: input.requestedBy,
          requested_at: input.requestedAt,
          updated_at: at,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return toRecord(row);
    },

    async update(id, patch) {
      const set: Partial<ProposalTable> = { updated_at: now() };
      if (patch.number !== undefined) set.number = patch.number;
      if (patch.url !== undefined) set.url = patch.url;
      if (patch.commit !== undefined) set.commit = patch.commit;
      if (patch.mergeCommit !== undefined) set.merge_commit = patch.mergeCommit;
      if (patch.state !== undefined) set.state = patch.state;
      if (patch.outcome !== undefined) set.outcome = patch.outcome;
      if (patch.failureReason !== undefined) set.failure_reason = patch.failureReason;
      if (patch.branch !== undefined) set.branch = patch.branch;
      const row = await q().updateTable('proposals').set(set).where('id', '=', id).returningAll().executeTakeFirst();
      if (!row) throw new BridgeError('NOT_FOUND', `no proposal with id ${id}`);
      return toRecord(row);
    },

    async get(id) {
      const row = await all().where('id', '=', id).executeTakeFirst();
      return row ? toRecord(row) : undefined;
    },

    async listByDeployment(deploymentId) {
      const rows = await all().where('deployment_id', '=', deploymentId).orderBy('id', 'desc').execute();
      return rows.map(toRecord);
    },

    async listByState(repositoryId, states) {
      if (states.length === 0) return [];
      let query = all().where('state', 'in', states);
      if (repositoryId !== null) query = query.where('repository_id', '=', repositoryId);
      return (await query.orderBy('id').execute()).map(toRecord);
    },

    async findByNumber(repositoryId, number) {
      const rows = await all()
        .where('repository_id', '=', repositoryId)
        .where('number', '=', number)
        .orderBy('id', 'desc')
        .execute();
      return rows.map(toRecord);
    },
  };
}
