/**
 * Services for webhook tests: a real store (SQLite file, or Postgres when a URL is given), the real
 * secret box and registry reader, and a logger that records what it was given (to prove that no
 * body content is logged).
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe } from 'vitest';
import { type ConfigInput, configSchema } from '../../src/config/schema.js';
import { createSecretBox } from '../../src/crypto/secrets.js';
import { generateToken, hashToken } from '../../src/crypto/tokens.js';
import { createServiceMetrics } from '../../src/metrics/service.js';
import { createNodeRegistryReader } from '../../src/registry/node/index.js';
import { createWebhookIntake } from '../../src/runtime/webhook-intake.js';
import { type IncomingDelivery, type Services, systemClock } from '../../src/services.js';
import { openStore } from '../../src/store/node/open.js';
import { deploymentParts } from './deployment-parts.js';
import { createTestDatabase, postgresSkipReason, postgresTestUrl, type TestDatabase } from './postgres.js';
import { type LogEntry, recordingLogger } from './recording-logger.js';

export interface TestServices {
  services: Services;
  logs: LogEntry[];
  close(): Promise<void>;
}

export async function webhookTestServices(
  options: { databaseUrl?: string; config?: ConfigInput } = {},
): Promise<TestServices> {
  const dataDir = await mkdtemp(join(tmpdir(), 'mb-webhooks-'));
  const config = configSchema.parse({ dataDir, allowPrivateNetworks: true, ...options.config });
  const store = await openStore({ dataDir, ...(options.databaseUrl ? { databaseUrl: options.databaseUrl } : {}) });
  const logs: LogEntry[] = [];
  const base: Omit<Services, 'webhooks'> = {
    config,
    store,
    registryReader: createNodeRegistryReader({ storage: { kind: 'memory' }, allowPrivateNetworks: true }),
    secretBox: createSecretBox(randomBytes(32)),
    logger: recordingLogger(logs),
    metrics: createServiceMetrics(),
    clock: systemClock,
    random: Math.random,
    hashToken,
    generateToken,
    ...(await deploymentParts(dataDir)),
  };
  const services: Services = { ...base, webhooks: createWebhookIntake(base) };
  return {
    services,
    logs,
    async close() {
      await store.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** A verified GitHub tag push for `url`, as the receiver gets it from the parser. */
export function tagDelivery(deliveryId: string, url = 'https://github.com/acme/app.git'): IncomingDelivery {
  return {
    forge: 'github',
    deliveryId,
    event: 'push',
    action: null,
    repositoryUrl: url,
    result: 'pending',
    payload: {
      forge: 'github',
      deliveryId,
      event: 'push',
      action: null,
      kind: 'tag',
      repositoryUrls: [url, url.replace(/\.git$/, '')],
      ref: 'v1.0.0',
      deleted: false,
    },
  };
}

/**
 * Declares `body` once per database: SQLite always, PostgreSQL when DATABASE_URL_TEST is set
 * (skipped with the reason in its title otherwise), each with fresh services.
 */
export function describeOnEachDatabase(
  title: string,
  body: (harness: () => TestServices, databaseName: string) => void,
): void {
  const backends = [
    { name: 'SQLite', skip: false, database: async (): Promise<TestDatabase | undefined> => undefined },
    { name: `PostgreSQL${postgresSkipReason}`, skip: !postgresTestUrl, database: () => createTestDatabase() },
  ];
  for (const backend of backends) {
    describe.skipIf(backend.skip)(`${title} on ${backend.name}`, () => {
      let harness: TestServices;
      let database: TestDatabase | undefined;
      beforeAll(async () => {
        database = await backend.database();
        harness = await webhookTestServices(database ? { databaseUrl: database.url } : {});
      });
      afterAll(async () => {
        await harness?.close();
        await database?.drop();
      });
      body(() => harness, backend.name);
    });
  }
}
