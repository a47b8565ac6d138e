import type { BridgeObject } from './bridge-object.js';

/** A Queue message: "jobs may be due"; the jobs themselves live in the database. */
export interface WakeMessage {
  wake: number;
}

/**
 * The Worker's bindings (wrangler.toml). Settings arrive as text bindings under the environment
 * variables' names (config/env.ts), secrets included; config.ts reads them.
 */
export interface WorkerEnv {
  BRIDGE: DurableObjectNamespace<BridgeObject>;
  JOBS: Queue<WakeMessage>;
  /** Optional: PostgreSQL through Hyperdrive instead of the object's SQLite (wrangler.toml). */
  HYPERDRIVE?: Pick<Hyperdrive, 'connectionString'>;
}
