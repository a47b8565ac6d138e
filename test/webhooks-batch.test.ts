/**
 * Delivery jobs claimed and handled in batches by the real worker, and deliveries settled at
 * receipt, against real stores (SQLite always, PostgreSQL when DATABASE_URL_TEST is set).
 */
import { expect, it } from 'vitest';
import { handleDelivery, handleDeliveryJobs, WEBHOOK_EVENT } from '../src/flows/deliveries.js';
import { createRegistry } from '../src/flows/registries.js';
import type { JobOutcome } from '../src/jobs/worker.js';
import { deliveryWorker, receiverFor } from './support/delivery-batches.js';
import { describeOnEachDatabase, tagDelivery } from './support/webhook-services.js';

describeOnEachDatabase('delivery batches', (harness) => {
  it('stores a tag push for an unwatched repository as ignored at receipt, a watched one as pending with its job', async () => {
    const services = harness().services;
    const watchedUrl = 'https://github.com/acme/settle.git';
    await createRegistry(services, { name: 'settle', url: watchedUrl }, { skipConnectionTest: true });
    const receiver = receiverFor(services);
    const [unwatched, watched, branch] = await Promise.all([
      receiver.receive(tagDelivery('settle-1', 'https://github.com/nobody/else.git')),
      receiver.receive(tagDelivery('settle-2', watchedUrl)),
      receiver.receive({ ...tagDelivery('settle-3', watchedUrl), result: 'ignored' }),
    ]);
    expect(unwatched?.delivery).toMatchObject({ result: 'ignored', jobId: null });
    expect(unwatched?.delivery.handledAt).toBe(unwatched?.delivery.receivedAt);
    expect(watched?.delivery).toMatchObject({ result: 'pending' });
    expect(await services.store.jobs.get(watched?.delivery.jobId ?? '')).toMatchObject({ kind: 'delivery' });
    expect(branch?.delivery).toMatchObject({ result: 'ignored', jobId: null });
    // The stored row says the same as the receipt.
    expect(await services.store.deliveries.get(unwatched!.delivery.id)).toMatchObject({ result: 'ignored' });
  });

  it('claims many delivery jobs at once and handles them in one batch: one poll, one event each, every job done', async () => {
    const services = harness().services;
    const url = 'https://github.com/acme/batch.git';
    const registry = await createRegistry(services, { name: 'batch', url }, { skipConnectionTest: true });
    const receiver = receiverFor(services);
    const receipts = await Promise.all(
      Array.from({ length: 20 }, (_, i) => receiver.receive(tagDelivery(`batch-${i}`, url))),
    );
    // One of them was handled before its job runs (a second run of a job, after a crash): skipped.
    await handleDelivery(services, receipts[0]!.delivery.id);
    // A job whose payload is broken fails alone.
    const broken = await services.store.jobs.enqueue({ kind: 'delivery', payload: {}, maxAttempts: 1 });

    const outcomes: JobOutcome[] = [];
    const worker = deliveryWorker(services, outcomes);
    const ran = await worker.runOnce();
    expect(ran).toBeGreaterThanOrEqual(21);
    const byJob = new Map(outcomes.map((outcome) => [outcome.job.id, outcome.outcome]));
    expect(byJob.get(broken.id)).toBe('dead');
    for (const receipt of receipts) {
      expect(byJob.get(receipt.delivery.jobId ?? ''), receipt.delivery.deliveryId).toBe('done');
      expect(await services.store.jobs.get(receipt.delivery.jobId ?? '')).toMatchObject({ state: 'done' });
    }

    const stored = await Promise.all(receipts.map((receipt) => services.store.deliveries.get(receipt.delivery.id)));
    const polls = new Set(stored.map((delivery) => delivery?.jobId));
    expect(stored.every((delivery) => delivery?.result === 'handled')).toBe(true);
    expect(polls.size).toBe(1);
    expect(await services.store.jobs.get([...polls][0] ?? '')).toMatchObject({
      kind: 'poll',
      payload: { registryId: registry.id },
    });
    const events = (await services.store.events.list(registry.id)).filter((event) => event.kind === WEBHOOK_EVENT);
    expect(events.map((event) => event.detail.deliveryId).sort()).toEqual(
      receipts.map((receipt) => receipt.delivery.deliveryId).sort(),
    );
    expect(await worker.runOnce()).toBe(0);
  });

  it('when one delivery of a batch fails, handles the others alone and fails only that job', async () => {
    const services = harness().services;
    const url = 'https://github.com/acme/partial.git';
    const registry = await createRegistry(services, { name: 'partial', url }, { skipConnectionTest: true });
    const receiver = receiverFor(services);
    const good = await Promise.all([0, 1, 2].map((i) => receiver.receive(tagDelivery(`partial-${i}`, url))));
    // A pending row without a normalised payload: its handling throws, rolling the shared transaction back.
    const { delivery: bad } = await services.store.deliveries.insert({
      ...tagDelivery('partial-bad', url),
      payload: {},
      jobId: null,
      receivedAt: Date.now(),
      handledAt: null,
    });
    const badJob = await services.store.jobs.enqueue({
      kind: 'delivery',
      payload: { deliveryRecordId: bad.id },
      maxAttempts: 1,
    });
    const outcomes: JobOutcome[] = [];
    await deliveryWorker(services, outcomes).runOnce();
    const byJob = new Map(outcomes.map((outcome) => [outcome.job.id, outcome.outcome]));
    expect(byJob.get(badJob.id)).toBe('dead');
    for (const receipt of good) {
      expect(byJob.get(receipt.delivery.jobId ?? '')).toBe('done');
      expect(await services.store.deliveries.get(receipt.delivery.id)).toMatchObject({ result: 'handled' });
    }
    expect(await services.store.deliveries.get(bad.id)).toMatchObject({ result: 'pending' });
    const events = (await services.store.events.list(registry.id)).filter((event) => event.kind === WEBHOOK_EVENT);
    expect(events).toHaveLength(3);
  });

  it('handles each delivery exactly once when two workers run batches of the same jobs at the same time', async () => {
    const services = harness().services;
    const url = 'https://github.com/acme/race.git';
    const registry = await createRegistry(services, { name: 'race', url }, { skipConnectionTest: true });
    const receiver = receiverFor(services);
    const receipts = await Promise.all(
      Array.from({ length: 8 }, (_, i) => receiver.receive(tagDelivery(`race-${i}`, url))),
    );
    const jobs = await services.store.jobs.claim('test', 100, 60_000, ['delivery']);
    // The same claimed jobs handled twice at once (a lease that ran out while the first run was still going).
    const [first, second] = await Promise.all([handleDeliveryJobs(services, jobs), handleDeliveryJobs(services, jobs)]);
    expect(first.every((error) => error === null)).toBe(true);
    expect(second.every((error) => error === null)).toBe(true);
    const events = (await services.store.events.list(registry.id)).filter((event) => event.kind === WEBHOOK_EVENT);
    expect(events.map((event) => event.detail.deliveryId).sort()).toEqual(
      receipts.map((receipt) => receipt.delivery.deliveryId).sort(),
    );
    for (const job of jobs) await services.store.jobs.complete(job.id);
  });
});
