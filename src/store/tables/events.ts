/** The `events` table: what happened to a registry (a moved tag, …), newest first. */
import type { TableContext } from '../context.js';
import { newId } from '../ids.js';
import { insertInChunks } from '../insert-chunks.js';
import type { RegistryEvent, Store } from '../interface.js';
import { num, toEvent } from '../rows.js';

function toRow(event: Omit<RegistryEvent, 'id' | 'createdAt'>, at: number) {
  return {
    id: newId(at),
    registry_id: event.registryId,
    kind: event.kind,
    tag: event.tag,
    detail: JSON.stringify(event.detail),
    created_at: at,
  };
}

export function eventsTable({ db: q, now }: TableContext): Store['events'] {
  return {
    async add(event) {
      const row = await q().insertInto('events').values(toRow(event, now())).returningAll().executeTakeFirstOrThrow();
      return toEvent(row);
    },

    async addMany(events) {
      const at = now();
      const rows = events.map((event) => toRow(event, at));
      const db = q();
      await insertInChunks(
        rows,
        (chunk) => db.insertInto('events').values(chunk).returning('id').execute(),
        async () => undefined,
      );
    },

    async list(registryId, filter = {}) {
      let query = q().selectFrom('events').selectAll().where('registry_id', '=', registryId);
      if (filter.kind !== undefined) query = query.where('kind', '=', filter.kind);
      if (filter.beforeId !== undefined) query = query.where('id', '<', filter.beforeId);
      if (filter.limit !== undefined) query = query.limit(filter.limit);
      const rows = await query.orderBy('id', 'desc').execute();
      return rows.map(toEvent);
    },

    async purge(before) {
      const result = await q().deleteFrom('events').where('created_at', '<', before).executeTakeFirst();
      return num(result.numDeletedRows);
    },
  };
}
