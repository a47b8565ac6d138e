/** The `deliveries` table: webhook requests from forges, one row per (forge, delivery id). */
import { sql } from 'kysely';
import { BridgeError } from '../../errors.js';
import type { TableContext } from '../context.js';
import { newId } from '../ids.js';
import { insertInChunks, MAX_ROWS_PER_INSERT } from '../insert-chunks.js';
import type { DeliveryRecord, Store } from '../interface.js';
import { num, toDelivery } from '../rows.js';

type DeliveryInput = Omit<DeliveryRecord, 'id'>;

function toRow(record: DeliveryInput, id: string) {
  return {
    id,
    forge: record.forge,
    delivery_id: record.deliveryId,
    event: record.event,
    action: record.action,
    repository_url: record.repositoryUrl,
    result: record.result,
    job_id: record.jobId,
    payload: JSON.stringify(record.payload),
    received_at: record.receivedAt,
    handled_at: record.handledAt,
  };
}

export function deliveriesTable({ db: q, now }: TableContext): Store['deliveries'] {
  return {
    async insert(record) {
      const row = await q()
        .insertInto('deliveries')
        .values(toRow(record, newId(now())))
        .onConflict((oc) => oc.columns(['forge', 'delivery_id']).doNothing())
        .returningAll()
        .executeTakeFirst();
      if (row) return { delivery: toDelivery(row), created: true };
      const existing = await q()
        .selectFrom('deliveries')
        .selectAll()
        .where('forge', '=', record.forge)
        .where('delivery_id', '=', record.deliveryId)
        .executeTakeFirstOrThrow();
      return { delivery: toDelivery(existing), created: false };
    },

    async insertMany(records) {
      const db = q();
      const at = now();
      const rows = records.map((record) => toRow(record, newId(at)));
      const results: { delivery: DeliveryRecord; created: boolean }[] = [];
      await insertInChunks(
        rows,
        // Only the ids come back: a new row holds exactly what was given, so reading it back
        // (and parsing its payload again) would only cost time.
        (chunk) =>
          db
            .insertInto('deliveries')
            .values(chunk)
            .onConflict((oc) => oc.columns(['forge', 'delivery_id']).doNothing())
            .returning('id')
            .execute(),
        async (chunk, start, newIds) => {
          const byId = new Map<string, DeliveryRecord>();
          chunk.forEach((row, offset) => {
            if (newIds.has(row.id)) byId.set(row.id, { ...records[start + offset]!, id: row.id });
          });
          const missing = chunk.filter((row) => !byId.has(row.id));
          // Rows not inserted were stored before (or earlier in this chunk): read those once.
          const existing = new Map<string, DeliveryRecord>();
          if (missing.length > 0) {
            const found = await db
              .selectFrom('deliveries')
              .selectAll()
              .where((eb) =>
                eb.or(
                  missing.map((row) => eb.and([eb('forge', '=', row.forge), eb('delivery_id', '=', row.delivery_id)])),
                ),
              )
              .execute();
            for (const row of found) existing.set(`${row.forge}\n${row.delivery_id}`, toDelivery(row));
          }
          for (const row of chunk) {
            const created = byId.get(row.id);
            const stored = created ?? existing.get(`${row.forge}\n${row.delivery_id}`);
            if (!stored) throw new BridgeError('INTERNAL', `delivery ${row.forge}/${row.delivery_id} was not stored`);
            results.push({ delivery: stored, created: created !== undefined });
          }
        },
      );
      return results;
    },

    async setJobIds(links) {
      if (links.length === 0) return;
      // One UPDATE … SET job_id = CASE id WHEN … END for the whole batch.
      let jobId = sql<string>`case id`;
      for (const link of links) jobId = sql<string>`${jobId} when ${link.id} then ${link.jobId}`;
      await q()
        .updateTable('deliveries')
        .set({ job_id: sql<string>`${jobId} end` })
        .where(
          'id',
          'in',
          links.map((link) => link.id),
        )
        .execute();
    },

    async finish(id, outcome) {
      const result = await q()
        .updateTable('deliveries')
        .set({
          result: outcome.result,
          handled_at: outcome.handledAt,
          ...(outcome.jobId !== undefined ? { job_id: outcome.jobId } : {}),
        })
        .where('id', '=', id)
        .where('result', '=', 'pending')
        .executeTakeFirst();
      return num(result.numUpdatedRows) > 0;
    },

    async finishMany(outcomes) {
      const finished = new Set<string>();
      const db = q();
      // One UPDATE … WHERE id IN (…) per distinct outcome (a batch has a few: handled with the
      // poll of each registry, ignored): linear in the rows, where a CASE per row would not be.
      const groups = new Map<string, { outcome: (typeof outcomes)[number]; ids: string[] }>();
      for (const outcome of outcomes) {
        const key = JSON.stringify([outcome.result, outcome.handledAt, outcome.jobId ?? null]);
        const group = groups.get(key) ?? { outcome, ids: [] };
        group.ids.push(outcome.id);
        groups.set(key, group);
      }
      for (const { outcome, ids } of groups.values()) {
        for (let start = 0; start < ids.length; start += MAX_ROWS_PER_INSERT) {
          // The pending condition moves each row on once; RETURNING says which did (on Postgres a
          // concurrent finisher's rows are waited for, then no longer match).
          const rows = await db
            .updateTable('deliveries')
            .set({
              result: outcome.result,
              handled_at: outcome.handledAt,
              ...(outcome.jobId !== undefined ? { job_id: outcome.jobId } : {}),
            })
            .where('id', 'in', ids.slice(start, start + MAX_ROWS_PER_INSERT))
            .where('result', '=', 'pending')
            .returning('id')
            .execute();
          for (const row of rows) finished.add(row.id);
        }
      }
      return finished;
    },

    async update(id, patch) {
      const set: { result?: string; job_id?: string | null; handled_at?: number | null } = {};
      if (patch.result !== undefined) set.result = patch.result;
      if (patch.jobId !== undefined) set.job_id = patch.jobId;
      if (patch.handledAt !== undefined) set.handled_at = patch.handledAt;
      if (Object.keys(set).length === 0) return;
      await q().updateTable('deliveries').set(set).where('id', '=', id).execute();
    },

    async get(id) {
      const row = await q().selectFrom('deliveries').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? toDelivery(row) : undefined;
    },

    async getMany(ids) {
      if (ids.length === 0) return [];
      const rows = await q()
        .selectFrom('deliveries')
        .selectAll()
        .where('id', 'in', [...ids])
        .execute();
      return rows.map(toDelivery);
    },

    async list(limit, before) {
      let query = q().selectFrom('deliveries').selectAll();
      if (before !== undefined) {
        // A row-value comparison, so both databases seek in the (received_at, id) index.
        query = query.where((eb) => eb(eb.refTuple('received_at', 'id'), '<', eb.tuple(before.receivedAt, before.id)));
      }
      const rows = await query.orderBy('received_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
      return rows.map(toDelivery);
    },

    async purge(before) {
      const result = await q().deleteFrom('deliveries').where('received_at', '<', before).executeTakeFirst();
      return num(result.numDeletedRows);
    },
  };
}
