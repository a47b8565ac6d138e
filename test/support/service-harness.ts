/**
 * A margo-bridge built the way `serve` builds it (runtime/node/index.ts `buildRuntime`: real store,
 * key file, registry reader, reconciliation, first admin token) with a recording logger, plus
 * helpers to call its HTTP app and run poll rounds. SQLite in a temporary data directory, or
 * Postgres when a database URL is given.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveConfig } from '../../src/config/resolve.js';
import type { ConfigInput } from '../../src/config/schema.js';
import { createHandlers } from '../../src/flows/handlers.js';
import { pollRound, type RoundSummary } from '../../src/flows/round.js';
import { createApp } from '../../src/http/app.js';
import type { App } from '../../src/http/env.js';
import { buildRuntime, type Runtime } from '../../src/runtime/node/index.js';
import { type LogEntry, recordingLogger } from './recording-logger.js';

/** The parts of API response bodies the tests read: `call<T>` trusts the server for them. */
export interface ApiError {
  error: { code: string; message: string; details?: { issues: { path: string }[] } };
}
export interface RegistryBody {
  id: string;
  name: string;
  pollInterval: number;
  credentials: Record<string, unknown>;
  status: {
    lastError: string | null;
    consecutiveFailures: number;
    lastPollAt: string;
    nextPollAt: string;
    versions: { valid: number; warnings: number; rejected: number };
  };
}
export interface VersionBody {
  tag: string;
  state: string;
  commit: string;
  errors: { path: string }[];
}

export const ADMIN_TOKEN = 'test-admin-token-0123456789';

export interface Harness {
  runtime: Runtime;
  app: App;
  logs: LogEntry[];
  /** JSON request with the admin token unless `token` is given (null: no Authorization header). */
  call<T = unknown>(
    method: string,
    path: string,
    body?: unknown,
    token?: string | null,
  ): Promise<{ status: number; body: T }>;
  poll(registryIds?: string[]): Promise<RoundSummary>;
  close(): Promise<void>;
}

export async function startHarness(options: { databaseUrl?: string; config?: ConfigInput } = {}): Promise<Harness> {
  const dataDir = await mkdtemp(join(tmpdir(), 'mb-service-'));
  const config = resolveConfig({
    file: {
      dataDir,
      allowPrivateNetworks: true,
      adminToken: ADMIN_TOKEN,
      ...(options.databaseUrl ? { databaseUrl: options.databaseUrl } : {}),
      ...options.config,
    },
    env: {},
  });
  const logs: LogEntry[] = [];
  const runtime = await buildRuntime(config, { logger: recordingLogger(logs) });
  const app = createApp(runtime.services);
  return {
    runtime,
    app,
    logs,
    async call<T>(method: string, path: string, body?: unknown, token: string | null = ADMIN_TOKEN) {
      const headers: Record<string, string> = {};
      if (token !== null) headers.authorization = `Bearer ${token}`;
      if (body !== undefined) headers['content-type'] = 'application/json';
      const response = await app.request(path, {
        method,
        headers,
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      const text = await response.text();
      let parsed: unknown = text;
      try {
        parsed = text === '' ? null : JSON.parse(text);
      } catch {
        // not JSON: keep the text
      }
      return { status: response.status, body: parsed as T };
    },
    async poll(registryIds) {
      const { services } = runtime;
      const ids = registryIds ?? (await services.store.registries.list()).map((registry) => registry.id);
      return pollRound(services, createHandlers(services), { registryIds: ids, concurrency: 4 });
    },
    async close() {
      await runtime.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
