/**
 * Crash test: signed deliveries under load against the real service process, which is killed
 * with SIGKILL mid-stream and restarted on the same SQLite data directory. Every delivery that
 * got a 2xx answer must be stored and handled exactly once: the test counts the handling events
 * (one registry event per handled delivery) in the database after the restart has drained.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WEBHOOK_EVENT } from '../src/flows/deliveries.js';
import { SQLITE_FILE } from '../src/store/node/open.js';
import { type GitServer, startGitServer } from './support/git-server.js';
import { createRegistryRoot, helloPackage, publishRelease, removeRegistryRoot } from './support/registries.js';
import { type ServiceProcess, startServiceProcess, writeServiceConfig } from './support/service-process.js';
import { forgeHeaders, githubExample, jsonBody } from './support/webhooks.js';

const SECRET = 'crash-test-secret';
const SENDERS = 16;
/** Kill once this many deliveries were answered 2xx (or after KILL_AFTER_MS, whichever is first). */
const KILL_AT_ACCEPTED = 400;
const KILL_AFTER_MS = 4000;

describe('webhook deliveries survive SIGKILL: every 2xx delivery is handled exactly once', () => {
  let root: string;
  let dataDir: string;
  let gitServer: GitServer;
  let configFile: string;
  let service: ServiceProcess | undefined;

  beforeAll(async () => {
    root = await createRegistryRoot();
    dataDir = await mkdtemp(join(tmpdir(), 'mb-crash-webhooks-'));
    await publishRelease(root, 'hello', 'v1.0.0', await helloPackage('1.0.0'));
    gitServer = await startGitServer({ root });
    configFile = await writeServiceConfig(dataDir, {
      dataDir,
      port: 0,
      logLevel: 'warn',
      allowPrivateNetworks: true,
      adminToken: 'crash-admin-token-0123456789',
      webhooks: { secrets: [SECRET] },
      // One slow-ish delivery worker lets a backlog build up, so the kill finds deliveries stored but unhandled;
      // a short lease lets the restarted worker take over the jobs the killed one was running.
      jobs: { pollIntervalMs: 200, concurrency: 1, leaseSeconds: 2 },
      polling: { interval: 3600, tick: 3600 },
      registries: [{ name: 'hello', url: gitServer.url('hello'), allowHttp: true, pollInterval: 3600 }],
    });
  });

  afterAll(async () => {
    await service?.kill('SIGKILL');
    await gitServer?.stop();
    if (root) await removeRegistryRoot(root);
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  function delivery(id: string): { body: Uint8Array<ArrayBuffer>; headers: Record<string, string> } {
    const payload = githubExample('push', (p) => String(p.ref).startsWith('refs/tags/') && !p.deleted);
    const repository = payload.repository as Record<string, unknown>;
    repository.clone_url = gitServer.url('hello');
    repository.html_url = `${gitServer.baseUrl}/hello`;
    const body = jsonBody(payload);
    return { body, headers: forgeHeaders('github', body, SECRET, { event: 'push', deliveryId: id }) };
  }

  async function post(url: string, id: string): Promise<number> {
    const { body, headers } = delivery(id);
    const response = await fetch(`${url}/webhooks/github`, { method: 'POST', body, headers });
    await response.arrayBuffer();
    return response.status;
  }

  function openDatabase(): Database.Database {
    return new Database(join(dataDir, SQLITE_FILE), { readonly: true, fileMustExist: true });
  }

  it('counts: 2xx deliveries = stored = handled once each, redeliveries after the restart are duplicates', async () => {
    service = await startServiceProcess(configFile);
    const url = service.url;
    const accepted = new Set<string>();
    let failed = 0;
    let next = 0;
    let killed = false;
    const started = Date.now();

    const sender = async () => {
      while (!killed) {
        const id = `crash-${next++}`;
        try {
          const status = await post(url, id);
          if (status >= 200 && status < 300) accepted.add(id);
          else failed++;
        } catch {
          failed++; // connection reset by the kill: no answer, so no promise was made
        }
      }
    };
    const senders = Array.from({ length: SENDERS }, sender);
    while (accepted.size < KILL_AT_ACCEPTED && Date.now() - started < KILL_AFTER_MS) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    killed = true;
    await service.kill('SIGKILL');
    await Promise.all(senders);
    expect(accepted.size).toBeGreaterThan(50);

    // Right after the crash: every 2xx delivery is in the database, some still unhandled.
    const atCrash = openDatabase();
    const storedAtCrash = new Set(
      (
        atCrash.prepare("select delivery_id from deliveries where forge = 'github'").all() as { delivery_id: string }[]
      ).map((row) => row.delivery_id),
    );
    const pendingAtCrash = (
      atCrash.prepare("select count(*) as n from deliveries where result = 'pending'").get() as { n: number }
    ).n;
    atCrash.close();
    for (const id of accepted) expect(storedAtCrash.has(id), id).toBe(true);

    service = await startServiceProcess(configFile);
    // Redeliveries of answered ids after the restart: 200 duplicate, not handled again.
    const replayed = [...accepted].slice(0, 25);
    for (const id of replayed) expect(await post(service.url, id)).toBe(200);

    const deadline = Date.now() + 30_000;
    for (;;) {
      const db = openDatabase();
      const { n } = db.prepare("select count(*) as n from deliveries where result = 'pending'").get() as { n: number };
      db.close();
      if (n === 0) break;
      if (Date.now() > deadline) throw new Error(`${n} deliveries still pending 30 s after the restart`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(await service.kill('SIGTERM')).toBe(0);
    service = undefined;

    const db = openDatabase();
    const rows = db.prepare("select delivery_id, result, handled_at from deliveries where forge = 'github'").all() as {
      delivery_id: string;
      result: string;
      handled_at: number | null;
    }[];
    const events = db.prepare('select detail from events where kind = ?').all(WEBHOOK_EVENT) as { detail: string }[];
    const leftoverJobs = db
      .prepare("select count(*) as n from jobs where kind = 'delivery' and state <> 'done'")
      .get() as { n: number };
    db.close();

    const handledTimes = new Map<string, number>();
    for (const event of events) {
      const id = (JSON.parse(event.detail) as { deliveryId: string }).deliveryId;
      handledTimes.set(id, (handledTimes.get(id) ?? 0) + 1);
    }
    const byId = new Map(rows.map((row) => [row.delivery_id, row]));
    expect(byId.size).toBe(rows.length);
    for (const id of accepted) {
      expect(byId.get(id)?.result, id).toBe('handled');
      expect(handledTimes.get(id), id).toBe(1);
    }
    // Deliveries committed just before the kill whose answer never left are handled once too.
    for (const row of rows) {
      expect(row.result, row.delivery_id).toBe('handled');
      expect(handledTimes.get(row.delivery_id), row.delivery_id).toBe(1);
    }
    expect(events.length).toBe(rows.length);
    expect(leftoverJobs.n).toBe(0);
    process.stderr.write(
      `crash-webhooks: ${accepted.size} answered 2xx, ${failed} without answer, ${rows.length} stored, ` +
        `${pendingAtCrash} pending at the kill, ${events.length} handled once each, ${replayed.length} redelivered as duplicates\n`,
    );
  });
});
