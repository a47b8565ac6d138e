/**
 * Issue 14's end-to-end scenario (test/support/scenario.ts) on Node: one `margo-bridge serve`
 * process on SQLite, and two processes sharing one PostgreSQL database, where every job must be
 * handled exactly once: each job row done after one attempt, the runs the two processes report
 * adding up to the rows, no version or proposal twice, one pull request per deployment on GitHub
 * (one creation in the fake's request log), and both processes at work.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, postgresSkipReason, postgresTestUrl, type TestDatabase } from './support/postgres.js';
import { jobOutcomes, runScenario, type ScenarioResult } from './support/scenario.js';
import { type NodeScenarioWorld, startScenarioWorld } from './support/scenario-world.js';

const PULL_CREATION = 'POST /repos/{owner}/{repo}/pulls';

/** Runs the scenario and the checks every runtime shares: deliveries, pull requests, job outcomes. */
async function runAndCheck(world: NodeScenarioWorld): Promise<{
  result: ScenarioResult;
  ran: Record<string, Record<string, number>>[];
}> {
  const result = await runScenario(world);
  const instances = world.services.length;
  // The delivery sent to every instance at once: stored once (202), a duplicate everywhere else (200).
  for (const id of ['scenario-tag-1', 'scenario-tag-2']) {
    expect([...result.deliveries[id]!].sort(), id).toEqual([...Array(instances - 1).fill(200), 202]);
  }
  expect(world.gitHub.pulls('acme', 'fleet').map((pull) => pull.state)).toEqual(Array(instances).fill('open'));
  // Pull requests created (201) in the fake's log: one per deployment (the repository's connection
  // test sends one that is refused on purpose).
  const created = world.gitHub.requests.filter(
    (request) => `${request.method} ${request.route}` === PULL_CREATION && request.status === 201,
  );
  expect(created).toHaveLength(instances);
  // Every proposal carried out once, by one process: its request or, failing that, its job.
  const made = world.processes.flatMap((service) => service.lines.filter((line) => line.msg === 'proposal made'));
  const timesMade: Record<string, number> = {};
  for (const line of made) timesMade[String(line.proposalId)] = (timesMade[String(line.proposalId)] ?? 0) + 1;
  expect(
    Object.values(timesMade).filter((times) => times > 1),
    JSON.stringify(made),
  ).toEqual([]);
  expect(made.map((line) => line.outcome).filter((outcome) => outcome === 'adopted')).toEqual([]);
  const ran = await Promise.all(world.services.map((service) => jobOutcomes(service)));
  for (const outcomes of ran) {
    // Retried only: a proposal whose deployment had another one being carried out (its lease).
    for (const [kind, counts] of Object.entries(outcomes)) {
      expect(
        Object.keys(counts).filter((outcome) => outcome !== 'done' && (kind !== 'propose' || outcome !== 'retry')),
        kind,
      ).toEqual([]);
    }
  }
  return { result, ran };
}

describe('the end-to-end scenario on Node with SQLite (one process)', () => {
  let world: NodeScenarioWorld;
  beforeAll(async () => {
    world = await startScenarioWorld({ instances: 1 });
  }, 120_000);
  afterAll(async () => {
    await world?.close();
  });

  it('goes from a registry and a signed tag push to pull requests, upgraded in place', {
    timeout: 180_000,
  }, async () => {
    const { result } = await runAndCheck(world);
    expect(result.deployments.map((deployment) => deployment.proposal?.version)).toEqual(['1.3.0']);
  });
});

describe.skipIf(!postgresTestUrl)(
  `the end-to-end scenario on Node with PostgreSQL (two processes)${postgresSkipReason}`,
  () => {
    let database: TestDatabase;
    let world: NodeScenarioWorld;
    let pool: pg.Pool;
    beforeAll(async () => {
      database = await createTestDatabase();
      pool = new pg.Pool({ connectionString: database.url, max: 2 });
      world = await startScenarioWorld({ instances: 2, databaseUrl: database.url });
    }, 120_000);
    afterAll(async () => {
      await world?.close();
      await pool?.end();
      await database?.drop();
    });

    it('handles every job exactly once across the two processes', { timeout: 240_000 }, async () => {
      const { result, ran } = await runAndCheck(world);
      expect(result.deployments.map((deployment) => deployment.proposal?.version)).toEqual(['1.3.0', '1.3.0']);

      // Every job row done; what the two processes ran adds up to the rows: each job completed by
      // one run, and every attempt the table counts was one run in one process (none twice).
      const jobs = await pool.query<{ kind: string; state: string; jobs: string; attempts: string }>(
        'select kind, state, count(*) as jobs, sum(attempts) as attempts from jobs group by kind, state order by kind',
      );
      for (const row of jobs.rows) expect(row.state, JSON.stringify(jobs.rows)).toBe('done');
      const rows = Object.fromEntries(jobs.rows.map((row) => [row.kind, Number(row.jobs)]));
      const attempts = Object.fromEntries(jobs.rows.map((row) => [row.kind, Number(row.attempts)]));
      const done: Record<string, number> = {};
      const runs: Record<string, number> = {};
      for (const outcomes of ran) {
        for (const [kind, counts] of Object.entries(outcomes)) {
          done[kind] = (done[kind] ?? 0) + (counts.done ?? 0);
          runs[kind] = (runs[kind] ?? 0) + Object.values(counts).reduce((sum, count) => sum + count, 0);
        }
      }
      expect(done).toEqual(rows);
      expect(runs).toEqual(attempts);
      expect(Object.keys(rows).sort()).toEqual(['delivery', 'ingest', 'poll', 'propose', 'upgrade']);
      // A job tried more than once: only a proposal that waited for its deployment's lease.
      const retried = await pool.query<{ kind: string; last_error: string | null }>(
        'select kind, last_error from jobs where attempts > 1',
      );
      for (const row of retried.rows) {
        expect(row, JSON.stringify(retried.rows)).toMatchObject({
          kind: 'propose',
          last_error: expect.stringContaining('being carried out now'),
        });
      }
      // Both processes did part of the work.
      for (const outcomes of ran) expect(Object.keys(outcomes).length).toBeGreaterThan(0);

      // No version, delivery or proposal twice.
      const versions = await pool.query<{ tag: string }>('select tag from versions order by tag');
      expect(versions.rows.map((row) => row.tag)).toEqual(['v1.0.0', 'v1.1.0', 'v1.2.0', 'v1.3.0']);
      const deliveries = await pool.query<{ delivery_id: string; result: string }>(
        'select delivery_id, result from deliveries order by delivery_id',
      );
      expect(deliveries.rows).toEqual([
        { delivery_id: 'scenario-tag-1', result: 'handled' },
        { delivery_id: 'scenario-tag-2', result: 'handled' },
        { delivery_id: 'scenario-tag-3-1', result: 'handled' },
        { delivery_id: 'scenario-tag-3-2', result: 'handled' },
      ]);
      const proposals = await pool.query<{ deployment_id: string; version: string; count: string }>(
        'select deployment_id, version, count(*) from proposals group by deployment_id, version having count(*) > 1',
      );
      expect(proposals.rows).toEqual([]);
    });
  },
);
