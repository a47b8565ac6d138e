/** The `deployment_repositories` table: where proposals go, with sealed credentials. */
import type { Selectable } from 'kysely';
import { BridgeError } from '../../errors.js';
import type { TableContext } from '../context.js';
import type {
  DeploymentRepositoryInput,
  DeploymentRepositoryRecord,
  DeploymentTables,
  ProviderKind,
  RepositoryLayout,
  RepositorySops,
} from '../deployment-records.js';
import { newId } from '../ids.js';
import { num } from '../rows.js';
import type { DeploymentRepositoryTable } from '../schema.js';

type Row = Selectable<DeploymentRepositoryTable>;

function toRecord(row: Row): DeploymentRepositoryRecord {
  return {
    id: row.id,
    name: row.name,
    provider: row.provider as ProviderKind,
    settings: JSON.parse(row.settings) as Record<string, unknown>,
    urlKey: row.url_key,
    baseBranch: row.base_branch,
    format: row.format as DeploymentRepositoryRecord['format'],
    layout: JSON.parse(row.layout) as RepositoryLayout,
    commitAuthor: JSON.parse(row.commit_author) as DeploymentRepositoryRecord['commitAuthor'],
    labels: JSON.parse(row.labels) as string[],
    titlePattern: row.title_pattern,
    secretsCiphertext: row.secrets_ciphertext,
    credentialSummary: JSON.parse(row.credential_summary) as Record<string, unknown>,
    configured: num(row.configured) === 1,
    ...(row.sops ? { sops: JSON.parse(row.sops) as RepositorySops } : {}),
    createdAt: num(row.created_at),
    updatedAt: num(row.updated_at),
  };
}

function columns(input: Partial<DeploymentRepositoryInput>): Partial<DeploymentRepositoryTable> {
  const row: Partial<DeploymentRepositoryTable> = {};
  if (input.name !== undefined) row.name = input.name;
  if (input.provider !== undefined) row.provider = input.provider;
  if (input.settings !== undefined) row.settings = JSON.stringify(input.settings);
  if (input.urlKey !== undefined) row.url_key = input.urlKey;
  if (input.baseBranch !== undefined) row.base_branch = input.baseBranch;
  if (input.format !== undefined) row.format = input.format;
  if (input.layout !== undefined) row.layout = JSON.stringify(input.layout);
  if (input.commitAuthor !== undefined) row.commit_author = JSON.stringify(input.commitAuthor);
  if (input.labels !== undefined) row.labels = JSON.stringify(input.labels);
  if (input.titlePattern !== undefined) row.title_pattern = input.titlePattern;
  if (input.secretsCiphertext !== undefined) row.secrets_ciphertext = input.secretsCiphertext;
  if (input.credentialSummary !== undefined) row.credential_summary = JSON.stringify(input.credentialSummary);
  if (input.configured !== undefined) row.configured = input.configured ? 1 : 0;
  if (input.sops !== undefined) row.sops = input.sops === null ? null : JSON.stringify(input.sops);
  return row;
}

export function deploymentRepositoriesTable({
  db: q,
  now,
  atomically,
}: TableContext): DeploymentTables['deploymentRepositories'] {
  const all = () => q().selectFrom('deployment_repositories').selectAll();
  const conflict = (name: string) =>
    new BridgeError('CONFLICT', `a deployment repository named '${name}' exists already`);

  return {
    async create(input) {
      const at = now();
      const row = await q()
        .insertInto('deployment_repositories')
        .values({ ...(columns(input) as DeploymentRepositoryTable), id: newId(at), created_at: at, updated_at: at })
        .onConflict((oc) => oc.column('name').doNothing())
        .returningAll()
        .executeTakeFirst();
      if (!row) throw conflict(input.name);
      return toRecord(row);
    },

    async update(id, patch) {
      return atomically(async (db) => {
        if (patch.name !== undefined) {
          const taken = await db
            .selectFrom('deployment_repositories')
            .select('id')
            .where('name', '=', patch.name)
            .where('id', '!=', id)
            .executeTakeFirst();
          if (taken) throw conflict(patch.name);
        }
        const row = await db
          .updateTable('deployment_repositories')
          .set({ ...columns(patch), updated_at: now() })
          .where('id', '=', id)
          .returningAll()
          .executeTakeFirst();
        if (!row) throw new BridgeError('NOT_FOUND', `no deployment repository with id ${id}`);
        return toRecord(row);
      });
    },

    async get(id) {
      const row = await all().where('id', '=', id).executeTakeFirst();
      return row ? toRecord(row) : undefined;
    },

    async getByName(name) {
      const row = await all().where('name', '=', name).executeTakeFirst();
      return row ? toRecord(row) : undefined;
    },

    async list(page) {
      let query = all().orderBy('name');
      if (page?.after !== undefined) query = query.where('name', '>', page.after);
      if (page !== undefined) query = query.limit(page.limit);
      return (await query.execute()).map(toRecord);
    },

    async findByUrlKey(urlKey) {
      return (await all().where('url_key', '=', urlKey).orderBy('id').execute()).map(toRecord);
    },

    async delete(id) {
      await atomically(async (db) => {
        const used = await db
          .selectFrom('deployments')
          .select((eb) => eb.fn.countAll<number | string>().as('count'))
          .where('repository_id', '=', id)
          .where('slot', 'is not', null)
          .executeTakeFirstOrThrow();
        if (num(used.count) > 0) {
          throw new BridgeError('CONFLICT', `deployment repository ${id} is used by ${num(used.count)} deployment(s)`);
        }
        // Removed deployments and their history go with the repository.
        await db.deleteFrom('deployments').where('repository_id', '=', id).execute();
        await db.deleteFrom('deployment_repositories').where('id', '=', id).execute();
      });
    },
  };
}
