/**
 * The private test PostgreSQL inside workerd, reached through miniflare's local Hyperdrive
 * (TEST_HYPERDRIVE, vitest.workers.config.ts; unset without DATABASE_URL_TEST). Suites create
 * their own databases on that server through the same binding.
 */
import { env } from 'cloudflare:test';
import pg from 'pg';
import { databaseUrl } from './worker.js';

export const testHyperdrive = env.TEST_HYPERDRIVE;

/** Suite names say why PostgreSQL suites are skipped, so the skip is visible in the report. */
export const hyperdriveSkipReason = testHyperdrive
  ? ''
  : ' (skipped: DATABASE_URL_TEST is not set; see scripts/postgres.sh)';

/**
 * A pool of one connection. Ending it, pg-cloudflare reports "Stream was cancelled" as an error of
 * the idle client; without a listener the pool would throw it.
 */
export function testPool(connectionString: string) {
  const pool = new pg.Pool({ connectionString, max: 1 });
  pool.on('error', () => undefined);
  return pool;
}

/** Runs one statement on the binding's own database (the server's maintenance database). */
async function admin(statement: string): Promise<void> {
  if (!testHyperdrive) throw new Error('DATABASE_URL_TEST is not set');
  const pool = testPool(testHyperdrive.connectionString);
  try {
    await pool.query(statement);
  } finally {
    await pool.end();
  }
}

/** Creates `database`; returns its URL through the binding and its removal. */
export async function createTestDatabase(database: string): Promise<{ url: string; drop(): Promise<void> }> {
  await admin(`create database ${database}`);
  return {
    url: databaseUrl(testHyperdrive!.connectionString, database),
    // WITH (FORCE) ends connections a test or an object left open (PostgreSQL 13+).
    drop: () => admin(`drop database if exists ${database} with (force)`),
  };
}

/** A database name no other suite uses. */
export function uniqueDatabaseName(): string {
  const suffix = Array.from(crypto.getRandomValues(new Uint8Array(4)), (byte) => byte.toString(16).padStart(2, '0'));
  return `mb_workerd_${Date.now().toString(36)}_${suffix.join('')}`;
}
