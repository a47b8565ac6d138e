/** The `sessions` table: web sessions by the SHA-256 of their cookie (ui/session.ts). */
import type { TableContext } from '../context.js';
import type { Role, SessionDraft, SessionRecord, Store } from '../interface.js';
import { num } from '../rows.js';

export function sessionsTable({ db: q }: TableContext): Store['sessions'] {
  return {
    async create(record) {
      await q()
        .insertInto('sessions')
        .values({
          id: record.id,
          token_id: record.tokenId,
          csrf: record.csrf,
          draft: record.draft === null ? null : JSON.stringify(record.draft),
          created_at: record.createdAt,
          expires_at: record.expiresAt,
        })
        .execute();
    },

    async get(id) {
      const row = await q()
        .selectFrom('sessions')
        .innerJoin('tokens', 'tokens.id', 'sessions.token_id')
        .select([
          'sessions.id',
          'sessions.token_id',
          'sessions.csrf',
          'sessions.draft',
          'sessions.created_at',
          'sessions.expires_at',
          'tokens.name',
          'tokens.role',
        ])
        .where('sessions.id', '=', id)
        .executeTakeFirst();
      if (!row) return undefined;
      const session: SessionRecord = {
        id: row.id,
        tokenId: row.token_id,
        tokenName: row.name,
        role: row.role as Role,
        csrf: row.csrf,
        draft: row.draft === null ? null : (JSON.parse(row.draft) as SessionDraft),
        createdAt: num(row.created_at),
        expiresAt: num(row.expires_at),
      };
      return session;
    },

    async touch(id, expiresAt) {
      await q().updateTable('sessions').set({ expires_at: expiresAt }).where('id', '=', id).execute();
    },

    async setDraft(id, draft) {
      await q()
        .updateTable('sessions')
        .set({ draft: draft === null ? null : JSON.stringify(draft) })
        .where('id', '=', id)
        .execute();
    },

    async delete(id) {
      await q().deleteFrom('sessions').where('id', '=', id).execute();
    },

    async deleteExpired(now) {
      const result = await q().deleteFrom('sessions').where('expires_at', '<=', now).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
