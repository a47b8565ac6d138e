/**
 * The scheduler's cost for many due registries (issue 10, item 17): one round enqueues every due
 * poll with multi-row statements (`enqueueMany`), not one INSERT per registry.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enqueueDuePolls } from '../src/flows/poll.js';
import { createRegistry } from '../src/flows/registries.js';
import type { Services } from '../src/services.js';
import { type TestServices, webhookTestServices } from './support/webhook-services.js';

describe('scheduler', () => {
  let harness: TestServices;
  beforeAll(async () => {
    harness = await webhookTestServices();
    for (let i = 0; i < 40; i++) {
      await createRegistry(
        harness.services,
        { name: `due-${i}`, url: `https://git.example.com/due-${i}.git` },
        { skipConnectionTest: true },
      );
    }
  });
  afterAll(async () => {
    await harness?.close();
  });

  it('enqueues every due poll in one batch', async () => {
    const calls = { enqueue: 0, enqueueMany: 0 };
    const jobs = harness.services.store.jobs;
    const counted: Services = {
      ...harness.services,
      store: Object.assign(Object.create(harness.services.store), {
        jobs: Object.assign(Object.create(jobs), {
          enqueue: (...args: Parameters<typeof jobs.enqueue>) => {
            calls.enqueue++;
            return jobs.enqueue(...args);
          },
          enqueueMany: (...args: Parameters<typeof jobs.enqueueMany>) => {
            calls.enqueueMany++;
            return jobs.enqueueMany(...args);
          },
        }),
      }),
    };
    expect(await enqueueDuePolls(counted)).toBe(40);
    expect(calls).toEqual({ enqueue: 0, enqueueMany: 1 });
    expect(await jobs.list({ kind: 'poll', limit: 100 })).toHaveLength(40);
    // Deduplicated as before: a second round adds no second poll per registry.
    await enqueueDuePolls(harness.services);
    expect(await jobs.list({ kind: 'poll', limit: 100 })).toHaveLength(40);
  });
});
