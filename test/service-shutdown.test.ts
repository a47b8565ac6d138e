/**
 * Shutdown has a deadline (issue 10, item 5): a client that never finishes its request does not
 * hold a stopping service past `shutdownTimeout`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/node/load.js';
import { configSchema } from '../src/config/schema.js';
import { silentLogger } from '../src/logger.js';
import { buildRuntime, startService } from '../src/runtime/node.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

describe('shutdown', () => {
  it('stops within shutdownTimeout while a slow client holds a request open', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'mb-shutdown-'));
    dirs.push(dataDir);
    const env = { MARGO_BRIDGE_DATA_DIR: dataDir, PORT: '0', MARGO_BRIDGE_SHUTDOWN_TIMEOUT: '2' };
    const runtime = await buildRuntime(loadConfig({ env, cwd: dataDir }).config, { logger: silentLogger });
    const service = await startService(runtime);
    // Headers begun and never finished: the request stays in progress.
    const socket = connect(service.port, '127.0.0.1');
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ');
    socket.on('error', () => {});
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    await new Promise((resolve) => setTimeout(resolve, 100));
    const begin = Date.now();
    await service.stop();
    const took = Date.now() - begin;
    expect(took).toBeLessThan(3000);
    const dropped = await Promise.race([closed.then(() => true), new Promise((r) => setTimeout(() => r(false), 1000))]);
    expect(dropped).toBe(true);
  }, 20_000);

  it('hands the jobs of a killed process to others within 30 s: a short lease, renewed while jobs run', () => {
    const { jobs } = configSchema.parse({});
    expect(jobs.leaseSeconds).toBeLessThanOrEqual(30);
  });
});
