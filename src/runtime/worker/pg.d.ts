/**
 * The part of `pg` that runs on Workers (runtime/worker/postgres.ts and the workerd tests), for the
 * Workers typecheck only: tsconfig.worker.json maps `pg` here, because @types/pg pulls in Node's
 * types, which would hide a Node built-in imported by shared code. The Node typecheck uses @types/pg.
 */
import type { PostgresPool, PostgresPoolClient } from 'kysely';

interface PoolClient extends PostgresPoolClient {
  on(event: 'error', listener: (error: Error) => void): this;
}

declare class Pool implements PostgresPool {
  constructor(config: { connectionString: string; max?: number; idleTimeoutMillis?: number });
  connect(): Promise<PoolClient>;
  end(): Promise<void>;
  query(text: string, values?: unknown[]): Promise<{ rows: Record<string, unknown>[] }>;
  on(event: 'error', listener: (error: Error) => void): this;
  on(event: 'connect', listener: (client: PoolClient) => void): this;
}

declare const pg: { Pool: typeof Pool };
export default pg;
