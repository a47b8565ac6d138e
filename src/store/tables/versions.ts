/** The `versions` table (ingested releases, immutable) and their `resources`. */
import semver from 'semver';
import type { TableContext } from '../context.js';
import { newId } from '../ids.js';
import type { Store, VersionMark, VersionRecord, VersionState } from '../interface.js';
import { num, toMark, toResource, toVersion } from '../rows.js';

export function versionsTable({ db: q, now, atomically }: TableContext): Store['versions'] {
  const all = () => q().selectFrom('versions').selectAll();

  return {
    async insert(record, resources) {
      return atomically(async (db) => {
        const at = now();
        const row = await db
          .insertInto('versions')
          .values({
            id: newId(at),
            registry_id: record.registryId,
            application_id: record.applicationId,
            tag: record.tag,
            commit: record.commit,
            version: record.version,
            state: record.state,
            shape: record.shape,
            description: record.description == null ? null : JSON.stringify(record.description),
            errors: JSON.stringify(record.errors),
            warnings: JSON.stringify(record.warnings),
            created_at: at,
          })
          .onConflict((oc) => oc.columns(['registry_id', 'tag']).doNothing())
          .returningAll()
          .executeTakeFirst();
        if (!row) {
          const existing = await db
            .selectFrom('versions')
            .selectAll()
            .where('registry_id', '=', record.registryId)
            .where('tag', '=', record.tag)
            .executeTakeFirstOrThrow();
          return { version: toVersion(existing), created: false };
        }
        if (record.applicationId !== null && record.state !== 'rejected') {
          // The first usable version of an id claims it for its registry (flows/ingest.ts checks first).
          await db
            .insertInto('applications')
            .values({
              application_id: record.applicationId,
              registry_id: record.registryId,
              created_at: at,
              updated_at: at,
            })
            .onConflict((oc) => oc.column('application_id').doNothing())
            .execute();
        }
        if (resources.length > 0) {
          await db
            .insertInto('resources')
            .values(
              resources.map((resource) => ({
                version_id: row.id,
                name: resource.name,
                path: resource.path,
                content_type: resource.contentType,
                bytes: resource.bytes,
              })),
            )
            .execute();
        }
        return { version: toVersion(row), created: true };
      });
    },

    async getByTag(registryId, tag) {
      const row = await all().where('registry_id', '=', registryId).where('tag', '=', tag).executeTakeFirst();
      return row ? toVersion(row) : undefined;
    },

    async tags(registryId) {
      const rows = await q()
        .selectFrom('versions')
        .select(['tag', 'commit'])
        .where('registry_id', '=', registryId)
        .execute();
      return new Map(rows.map((row) => [row.tag, row.commit]));
    },

    async marks(registryId) {
      const rows = await q()
        .selectFrom('versions')
        .select(['tag', 'mark', 'marked_at', 'moved_to'])
        .where('registry_id', '=', registryId)
        .where('marked_at', 'is not', null)
        .execute();
      const marks = new Map<string, VersionMark>();
      for (const row of rows) {
        const mark = toMark(row);
        if (mark) marks.set(row.tag, mark);
      }
      return marks;
    },

    async setMark(registryId, tag, mark) {
      const result = await q()
        .updateTable('versions')
        .set({
          mark: mark?.kind ?? null,
          marked_at: mark?.at ?? null,
          moved_to: mark?.kind === 'moved' ? mark.commit : null,
        })
        .where('registry_id', '=', registryId)
        .where('tag', '=', tag)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },

    async listMarked() {
      // Served versions only: the owner's copy, as `get` answers.
      const rows = await all()
        .where('marked_at', 'is not', null)
        .where('application_id', 'is not', null)
        .where('registry_id', 'in', (eb) =>
          eb
            .selectFrom('applications')
            .select('applications.registry_id')
            .whereRef('applications.application_id', '=', 'versions.application_id'),
        )
        .orderBy('id')
        .execute();
      return rows.map(toVersion);
    },

    async listByRegistry(registryId) {
      return (await all().where('registry_id', '=', registryId).orderBy('id').execute()).map(toVersion);
    },

    async listByApplication(applicationId) {
      return (await all().where('application_id', '=', applicationId).orderBy('id').execute()).map(toVersion);
    },

    async get(applicationId, version) {
      // Only the owning registry's version is served; another registry's copy is a rejected conflict.
      const row = await all()
        .where('application_id', '=', applicationId)
        .where('version', '=', version)
        .where('registry_id', 'in', (eb) =>
          eb.selectFrom('applications').select('registry_id').where('application_id', '=', applicationId),
        )
        .orderBy('id', 'desc')
        .limit(1)
        .executeTakeFirst();
      return row ? toVersion(row) : undefined;
    },

    async applications() {
      const [rows, owners] = await Promise.all([
        q()
          .selectFrom('versions')
          .select(['id', 'application_id', 'registry_id', 'version', 'state', 'mark'])
          .where('application_id', 'is not', null)
          .orderBy('id')
          .execute(),
        q().selectFrom('applications').select(['application_id', 'registry_id']).execute(),
      ]);
      const ownerOf = new Map(owners.map((row) => [row.application_id, row.registry_id]));
      const groups = new Map<string, typeof rows>();
      for (const row of rows) {
        const key = row.application_id as string;
        const group = groups.get(key) ?? [];
        group.push(row);
        groups.set(key, group);
      }
      const latestIds = new Map<string, string>();
      for (const [applicationId, group] of groups) {
        const owner = ownerOf.get(applicationId);
        // A withdrawn version is never the latest (issue 15): the registry no longer offers it.
        const usable = group.filter(
          (row) => row.state !== 'rejected' && row.registry_id === owner && row.mark !== 'withdrawn',
        );
        const best = usable.reduce<(typeof usable)[number] | undefined>(
          (a, b) => (a === undefined || compareVersions(b, a) > 0 ? b : a),
          undefined,
        );
        if (best) latestIds.set(applicationId, best.id);
      }
      const latestRows =
        latestIds.size === 0
          ? []
          : await all()
              .where('id', 'in', [...latestIds.values()])
              .execute();
      const byId = new Map(latestRows.map((row) => [row.id, toVersion(row)]));
      return [...groups.entries()]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([applicationId, group]) => {
          const latestId = latestIds.get(applicationId);
          const latest: VersionRecord | null = latestId === undefined ? null : (byId.get(latestId) ?? null);
          const registryId =
            ownerOf.get(applicationId) ?? latest?.registryId ?? (group[group.length - 1]?.registry_id as string);
          return { applicationId, registryId, latest, versions: group.length };
        });
    },

    async resource(versionId, name) {
      const row = await q()
        .selectFrom('resources')
        .selectAll()
        .where('version_id', '=', versionId)
        .where('name', '=', name)
        .executeTakeFirst();
      return row ? toResource(row) : undefined;
    },

    async counts(registryId) {
      const rows = await q()
        .selectFrom('versions')
        .select(['state', (eb) => eb.fn.countAll<number | string>().as('count')])
        .where('registry_id', '=', registryId)
        .groupBy('state')
        .execute();
      const counts = emptyCounts();
      for (const row of rows) counts[row.state as VersionState] = num(row.count);
      return counts;
    },

    async countsByRegistry() {
      const rows = await q()
        .selectFrom('versions')
        .select(['registry_id', 'state', (eb) => eb.fn.countAll<number | string>().as('count')])
        .groupBy(['registry_id', 'state'])
        .execute();
      const result = new Map<string, Record<VersionState, number>>();
      for (const row of rows) {
        let counts = result.get(row.registry_id);
        if (!counts) {
          counts = emptyCounts();
          result.set(row.registry_id, counts);
        }
        counts[row.state as VersionState] = num(row.count);
      }
      return result;
    },
  };
}

function emptyCounts(): Record<VersionState, number> {
  return { valid: 0, warnings: 0, rejected: 0 };
}

/** Semantic versions compare by precedence (a leading `v` is ignored); anything else ranks below them, by age. */
function compareVersions(a: { id: string; version: string }, b: { id: string; version: string }): number {
  const va = semver.valid(semver.clean(a.version) ?? '');
  const vb = semver.valid(semver.clean(b.version) ?? '');
  if (va && vb) return semver.compare(va, vb) || a.id.localeCompare(b.id);
  if (va) return 1;
  if (vb) return -1;
  return a.id.localeCompare(b.id);
}
