/**
 * Watched deliveries are handled set-based (issue 10, item 17): a claimed batch of delivery jobs
 * costs one transaction and a fixed number of statements however many deliveries it holds, seen
 * in the statements a real SQLite store runs (Kysely's log, transaction control included), each
 * through its index.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WEBHOOK_EVENT } from '../src/flows/deliveries.js';
import { createRegistry } from '../src/flows/registries.js';
import type { JobOutcome } from '../src/jobs/worker.js';
import type { Services } from '../src/services.js';
import type { Store } from '../src/store/interface.js';
import { openSqliteStore } from '../src/store/node/sqlite.js';
import { deliveryWorker, receiverFor } from './support/delivery-batches.js';
import { type TestServices, tagDelivery, webhookTestServices } from './support/webhook-services.js';

describe('a batch of watched deliveries is handled with a fixed number of statements (SQLite)', () => {
  let base: TestServices;
  let dir: string;
  let store: Store;
  let services: Services;
  const statements: string[] = [];

  beforeAll(async () => {
    base = await webhookTestServices();
    dir = await mkdtemp(join(tmpdir(), 'mb-batch-statements-'));
    store = await openSqliteStore({ path: join(dir, 'bridge.db'), onStatement: (sql) => statements.push(sql) });
    services = { ...base.services, store };
  });
  afterAll(async () => {
    await store?.close();
    await base?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /** Receives `count` tag pushes (spread over the given URLs), then runs one worker round; returns its statements. */
  async function handleRound(prefix: string, count: number, urls: string[]): Promise<string[]> {
    const receiver = receiverFor(services);
    const receipts = await Promise.all(
      Array.from({ length: count }, (_, i) => receiver.receive(tagDelivery(`${prefix}-${i}`, urls[i % urls.length]))),
    );
    expect(receipts.every((receipt) => receipt.delivery.result === 'pending')).toBe(true);
    const outcomes: JobOutcome[] = [];
    const worker = deliveryWorker(services, outcomes, 100);
    statements.length = 0;
    expect(await worker.runOnce()).toBe(count);
    const ran = [...statements];
    expect(outcomes.filter((outcome) => outcome.outcome === 'done')).toHaveLength(count);
    const stored = await store.deliveries.getMany(receipts.map((receipt) => receipt.delivery.id));
    expect(stored.filter((delivery) => delivery.result === 'handled')).toHaveLength(count);
    return ran;
  }

  it('5 and 60 deliveries about two registries: the same statements, one transaction, no savepoint', async () => {
    const urls = ['https://github.com/acme/one.git', 'https://github.com/acme/two.git'];
    const one = await createRegistry(services, { name: 'one', url: urls[0]! }, { skipConnectionTest: true });
    const two = await createRegistry(services, { name: 'two', url: urls[1]! }, { skipConnectionTest: true });

    // The first round enqueues the two polls; the next ones join them while they wait.
    await handleRound('first', 2, urls);
    const small = await handleRound('small', 5, urls);
    const large = await handleRound('large', 60, urls);

    const count = (ran: string[], pattern: RegExp) => ran.filter((sql) => pattern.test(sql)).length;
    for (const ran of [small, large]) {
      expect(count(ran, /^begin/i), ran.join('\n')).toBe(1);
      expect(count(ran, /^commit/i)).toBe(1);
      expect(count(ran, /^savepoint/i)).toBe(0);
    }
    // The cost of a batch does not grow with its size: claim, handle, complete.
    expect(large.length, large.join('\n')).toBe(small.length);
    expect(large.length).toBeLessThanOrEqual(12);

    // Joining the waiting poll finds it through the partial index of active keys, not by walking
    // every pending job (with `state IN (?, ?)` SQLite cannot use that index).
    const lookup = large.find((sql) => /^select \* from "jobs" where "dedupe_key" in/.test(sql));
    expect(lookup, large.join('\n')).toBeDefined();
    const raw = new Database(join(dir, 'bridge.db'), { readonly: true });
    try {
      const parameters = Array.from(lookup!.matchAll(/\?/g), () => 'x');
      const plan = (raw.prepare(`EXPLAIN QUERY PLAN ${lookup}`).all(...parameters) as { detail: string }[])
        .map((row) => row.detail)
        .join('\n');
      expect(plan).toContain('jobs_dedupe_active');
    } finally {
      raw.close();
    }

    // One poll per registry, the one the first round enqueued.
    for (const registry of [one, two]) {
      const events = (await store.events.list(registry.id, { kind: WEBHOOK_EVENT })).filter((event) =>
        String(event.detail.deliveryId).startsWith('large-'),
      );
      expect(events).toHaveLength(30);
      expect(new Set(events.map((event) => event.detail.pollJobId)).size).toBe(1);
      const poll = await store.jobs.get(String(events[0]!.detail.pollJobId));
      expect(poll).toMatchObject({ kind: 'poll', state: 'pending', payload: { registryId: registry.id } });
    }
  });
});
