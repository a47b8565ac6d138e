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
    drop: async () => {
      // Closed pools end their connections in the background: let them go before forcing.
      for (let wait = 0; wait < 50 && (await connectionsTo(name)) > 0; wait++) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      // WITH (FORCE) ends connections a failed test may have left open (PostgreSQL 13+).
      await admin(`drop database if exists ${name} with (force)`);
    },
  };
}

async function admin(statement: string, values: unknown[] = []): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: postgresTestUrl });
  await client.connect();
  try {
    return await client.query(statement, values);
  } finally {
    await client.end();
  }
}

async function connectionsTo(database: string): Promise<number> {
  const result = await admin('select count(*)::int as n from pg_stat_activity where datname = $1', [database]);
  return Number(result.rows[0]?.n ?? 0);
}
