/**
 * Two margo-bridge processes starting at once on one PostgreSQL: both reconcile the same
 * pre-configured registries (and register the same MARGO_BRIDGE_ADMIN_TOKEN). Each start must
 * succeed, and each registry must exist once, created by exactly one of them.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../src/config/resolve.js';
import type { ConfiguredRegistry } from '../src/config/schema.js';
import { reconcileRegistries } from '../src/flows/reconcile.js';
import { silentLogger } from '../src/logger.js';
import { buildRuntime, type Runtime } from '../src/runtime/node/index.js';
import { createTestDatabase, postgresSkipReason, postgresTestUrl, type TestDatabase } from './support/postgres.js';

const SECRET_KEY = Buffer.alloc(32, 7).toString('base64');
const ADMIN_TOKEN = 'concurrent-admin-token-0123456789';

function configured(name: string, round: number): ConfiguredRegistry {
  return {
    name,
    url: `https://${name}.example.invalid/registry.git`,
    subPath: '',
    strictVersion: false,
    allowHttp: false,
    pollInterval: 60 + round,
    auth: { type: 'bearer', token: `token-${name}` },
  };
}

describe.skipIf(!postgresTestUrl)(`concurrent starts on PostgreSQL${postgresSkipReason}`, () => {
  let database: TestDatabase;
  let dir: string;

  beforeAll(async () => {
    database = await createTestDatabase();
    dir = await mkdtemp(join(tmpdir(), 'mb-reconcile-'));
  });

  afterAll(async () => {
    await database?.drop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  function start(round: number, process: number, names: string[]): Promise<Runtime> {
    const config = resolveConfig({
      file: {
        // Each process has its own data directory, as on two machines; they share the database and key.
        dataDir: join(dir, `round-${round}-process-${process}`),
        databaseUrl: database.url,
        secretKey: SECRET_KEY,
        adminToken: ADMIN_TOKEN,
        logLevel: 'silent',
        registries: names.map((name) => configured(name, round)),
      },
      env: {},
    });
    return buildRuntime(config, { logger: silentLogger });
  }

  it('two starts at once both succeed and each registry is created once', { timeout: 60_000 }, async () => {
    const names = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot'];
    // Several rounds: the first creates everything (both race to create), later ones update.
    for (let round = 0; round < 4; round++) {
      const results = await Promise.allSettled([start(round, 1, names), start(round, 2, names)]);
      const runtimes = results.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
      try {
        const failures = results.flatMap((result) => (result.status === 'rejected' ? [String(result.reason)] : []));
        expect(failures).toEqual([]);
        // Registries of earlier rounds stay (never deleted), so look at this file's names.
        const all = await runtimes[0]!.services.store.registries.list();
        const registries = all.filter((registry) => names.includes(registry.name));
        expect(registries.map((registry) => registry.name)).toEqual(names);
        expect(registries.every((registry) => registry.configured && registry.pollInterval === 60 + round)).toBe(true);
        const tokens = await runtimes[1]!.services.store.tokens.list();
        expect(tokens.filter((token) => token.role === 'admin')).toHaveLength(1);

        // The same race on the flow itself: every name is created by exactly one side.
        const more = names.map((name) => configured(`${name}-${round}`, round));
        const [first, second] = await Promise.all(
          runtimes.map((runtime) => reconcileRegistries(runtime.services, more)),
        );
        const created = [...first!.created, ...second!.created].sort();
        expect(created).toEqual(more.map((entry) => entry.name).sort());
        expect([...first!.updated, ...second!.updated].sort()).toEqual(created);
      } finally {
        await Promise.all(runtimes.map((runtime) => runtime.close()));
      }
    }
  });
});
