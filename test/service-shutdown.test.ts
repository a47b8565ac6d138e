/**
 * Shutdown has a deadline (issue 10, item 5): a client that never finishes its request does not
 * hold a stopping service past `shutdownTimeout`. A killed process's jobs are taken up 30 s after
 * their last lease renewal (item 13), not 120 s.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { type AddressInfo, connect, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/node/load.js';
import { requestPoll } from '../src/flows/poll.js';
import { createRegistry } from '../src/flows/registries.js';
import { silentLogger } from '../src/logger.js';
import { createJobWorkers } from '../src/runtime/job-workers.js';
import { buildRuntime, startService } from '../src/runtime/node/index.js';
import type { Services } from '../src/services.js';
import { openSqliteStore } from '../src/store/node/sqlite.js';
import { webhookTestServices } from './support/webhook-services.js';

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

  it("hands the job of a killed process to the service's workers 30 s after its last renewal (default lease)", async () => {
    const harness = await webhookTestServices();
    const dataDir = await mkdtemp(join(tmpdir(), 'mb-lease-'));
    dirs.push(dataDir);
    let time = 1_700_000_000_000;
    const store = await openSqliteStore({ path: join(dataDir, 'jobs.db'), now: () => time });
    // The service's own workers and handlers, default configuration, on a clock the test moves.
    const services: Services = { ...harness.services, store, clock: { now: () => time } };
    // A registry whose server takes connections and never answers: a poll of it runs until killed.
    const connections: Socket[] = [];
    const silent = createServer((socket) => connections.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const registry = await createRegistry(
      services,
      { name: 'silent', url: `http://127.0.0.1:${(silent.address() as AddressInfo).port}/app.git`, allowHttp: true },
      { skipConnectionTest: true },
    );
    await requestPoll(services, registry.id);
    const until = async (done: () => boolean) => {
      for (let i = 0; i < 200 && !done(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
      return done();
    };
    const [killed] = createJobWorkers(services);
    const first = killed!.runOnce();
    expect(await until(() => connections.length === 1)).toBe(true);
    // The process is killed now: it neither renews nor releases the lease. A live lease is not taken...
    const [survivor] = createJobWorkers(services);
    time += 29_000;
    expect(await survivor!.runOnce()).toBe(0);
    // ...and one 30 s old is: the survivor polls the registry again (a second connection).
    time += 1_001;
    const second = survivor!.runOnce();
    const outcome = await Promise.race([
      second.then((claimed) => `runOnce ended, ${claimed} claimed`),
      until(() => connections.length === 2).then((taken) => (taken ? 'taken over' : 'not taken over')),
    ]);
    expect(outcome).toBe('taken over');
    for (const socket of connections) socket.destroy();
    silent.close();
    await Promise.all([first, second]);
    await store.close();
    await harness.close();
  }, 20_000);
});
