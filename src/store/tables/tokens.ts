/** The `tokens` table: API tokens by the SHA-256 of the token (the token itself is never stored). */
import { BridgeError } from '../../errors.js';
import type { TableContext } from '../context.js';
import { newId } from '../ids.js';
import type { Store } from '../interface.js';
import { toToken } from '../rows.js';

export function tokensTable({ db: q, now }: TableContext): Store['tokens'] {
  return {
    async create(record) {
      const at = now();
      const row = await q()
        .insertInto('tokens')
        .values({
          id: newId(at),
          name: record.name,
          role: record.role,
          token_hash: record.tokenHash,
          created_at: at,
        })
        .onConflict((oc) => oc.column('token_hash').doNothing())
        .returningAll()
        .executeTakeFirst();
      if (!row) throw new BridgeError('CONFLICT', `a token with this hash exists already (name '${record.name}')`);
      return toToken(row);
    },

    async findByHash(tokenHash) {
      const row = await q().selectFrom('tokens').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
      return row ? toToken(row) : undefined;
    },

    async list() {
      const rows = await q().selectFrom('tokens').selectAll().orderBy('id').execute();
      return rows.map(toToken);
    },

    async delete(id) {
      await q().deleteFrom('tokens').where('id', '=', id).execute();
    },
  };
}
