/**
 * The private PostgreSQL that `.ci/run` (scripts/postgres.sh) starts: DATABASE_URL_TEST points at
 * its maintenance database. Each suite creates its own database so suites never collide.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const postgresTestUrl: string | undefined = process.env.DATABASE_URL_TEST || undefined;

/** Suite names say why Postgres suites are skipped, so the skip is visible in the report. */
export const postgresSkipReason = postgresTestUrl
  ? ''
  : ' (skipped: DATABASE_URL_TEST is not set; see scripts/postgres.sh)';

export interface TestDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

export async function createTestDatabase(): Promise<TestDatabase> {
  if (!postgresTestUrl) throw new Error('DATABASE_URL_TEST is not set');
  const name = `mb_test_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  await admin(`create database ${name}`);
  const url = new URL(postgresTestUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    // WITH (FORCE) ends connections a failed test may have left open (PostgreSQL 13+).
    drop: () => admin(`drop database if exists ${name} with (force)`),
  };
}

async function admin(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: postgresTestUrl });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}
