/**
 * The one implementation of `Store` on Kysely, shared by SQLite and Postgres (`node/sqlite.ts` and
 * `node/postgres.ts` only build the dialect). This file is the core: transactions, savepoints and the
 * guard against using the outer store inside a transaction. Each table lives in `tables/<table>.ts`
 * as a `(ctx: TableContext) => Store['<table>']`. Dialect-neutral SQL throughout: ON CONFLICT … DO
 * NOTHING and RETURNING exist in both; the only dialect branch is the queue's `FOR UPDATE SKIP LOCKED`.
 */
import { type ControlledTransaction, type Kysely, sql } from 'kysely';
import { BridgeError } from '../errors.js';
import type { JobQueue } from '../jobs/interface.js';
import type { TableContext } from './context.js';
import type { Store } from './interface.js';
import { LATEST_MIGRATION } from './migrations/index.js';
import type { Database, DialectName } from './schema.js';
import { applicationsTable } from './tables/applications.js';
import { deliveriesTable } from './tables/deliveries.js';
import { deploymentRepositoriesTable } from './tables/deployment-repositories.js';
import { deploymentsTable } from './tables/deployments.js';
import { eventsTable } from './tables/events.js';
import { jobQueue } from './tables/jobs.js';
import { proposalsTable } from './tables/proposals.js';
import { registriesTable } from './tables/registries.js';
import { sessionsTable } from './tables/sessions.js';
import { tokensTable } from './tables/tokens.js';
import { versionsTable } from './tables/versions.js';
import type { TransactionScope } from './transaction-scope.js';

export interface KyselyStoreOptions {
  db: Kysely<Database>;
  dialect: DialectName;
  now?: () => number;
  scope?: TransactionScope;
}

type TxStore = Store & { jobs: JobQueue };

interface Context {
  db: Kysely<Database>;
  /** The open transaction, or null for the outer store. */
  trx: ControlledTransaction<Database, string[]> | null;
  /**
   * Savepoints opened directly in this context, one at a time: releasing or rolling back a
   * savepoint also ends every savepoint opened after it, so concurrent siblings must not overlap.
   */
  savepointTail: Promise<void>;
}

export function createKyselyStore(options: KyselyStoreOptions): Store {
  const { dialect, scope } = options;
  const now = options.now ?? Date.now;
  let savepoints = 0;
  return build({ db: options.db, trx: null, savepointTail: Promise.resolve() });

  /** Runs `work` atomically: a transaction from the outer store, a savepoint inside one. */
  async function atomically<T>(ctx: Context, work: (inner: Context) => Promise<T>): Promise<T> {
    if (ctx.trx === null) {
      guard(ctx);
      const trx = await ctx.db.startTransaction().execute();
      const inner: Context = { db: trx, trx, savepointTail: Promise.resolve() };
      try {
        const result = scope ? await scope.run(() => work(inner)) : await work(inner);
        await trx.commit().execute();
        return result;
      } catch (error) {
        await trx.rollback().execute();
        throw error;
      }
    }
    const previous = ctx.savepointTail;
    let done: () => void = () => undefined;
    ctx.savepointTail = new Promise<void>((resolve) => {
      done = resolve;
    });
    await previous;
    const name = `sp_${++savepoints}`;
    try {
      const savepoint = await ctx.trx.savepoint(name).execute();
      try {
        const result = await work({ db: savepoint, trx: savepoint, savepointTail: Promise.resolve() });
        await savepoint.releaseSavepoint(name).execute();
        return result;
      } catch (error) {
        await savepoint.rollbackToSavepoint(name).execute();
        throw error;
      }
    } finally {
      done();
    }
  }

  function guard(ctx: Context): void {
    if (ctx.trx === null && scope?.active()) {
      throw new BridgeError(
        'INTERNAL',
        'the store was used directly inside Store.transaction(); use the tx passed to the callback',
      );
    }
  }

  function build(ctx: Context): TxStore {
    const tables: TableContext = {
      /** The executor for one call; the outer store refuses to run inside its own transaction. */
      db: () => {
        guard(ctx);
        return ctx.db;
      },
      dialect,
      now,
      atomically: (work) => atomically(ctx, (inner) => work(inner.db)),
    };
    return {
      transaction: (work) => atomically(ctx, (inner) => work(build(inner))),
      jobs: jobQueue(tables),
      registries: registriesTable(tables),
      versions: versionsTable(tables),
      applications: applicationsTable(tables),
      events: eventsTable(tables),
      deliveries: deliveriesTable(tables),
      tokens: tokensTable(tables),
      sessions: sessionsTable(tables),
      deploymentRepositories: deploymentRepositoriesTable(tables),
      deployments: deploymentsTable(tables),
      proposals: proposalsTable(tables),

      async ready() {
        try {
          const result = await sql<{
            name: string;
          }>`select name from kysely_migration where name = ${LATEST_MIGRATION}`.execute(tables.db());
          return result.rows.length === 1;
        } catch {
          return false;
        }
      },

      async close() {
        if (ctx.trx !== null) throw new BridgeError('INTERNAL', 'close() is not available inside a transaction');
        await ctx.db.destroy();
      },
    };
  }
}
