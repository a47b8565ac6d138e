/**
 * The group-commit receiver and the delivery handler against real stores (SQLite always,
 * PostgreSQL when DATABASE_URL_TEST is set).
 */
import { expect, it } from 'vitest';
import { handleDelivery, WEBHOOK_EVENT } from '../src/flows/deliveries.js';
import { createDeliveryReceiver } from '../src/flows/receive.js';
import { createRegistry } from '../src/flows/registries.js';
import type { Services } from '../src/services.js';
import { describeOnEachDatabase, tagDelivery } from './support/webhook-services.js';

function receiverFor(services: Services, batches: number[]) {
  return createDeliveryReceiver({
    store: services.store,
    now: () => Date.now(),
    jobFor: (delivery) => ({ kind: 'delivery', payload: { deliveryRecordId: delivery.id } }),
    onBatch: (size) => batches.push(size),
  });
}

describeOnEachDatabase('webhook receipt and handling', (harness, databaseName) => {
  it('stores concurrent deliveries in shared commits, each with its job, and resolves every request', async () => {
    const batches: number[] = [];
    const receiver = receiverFor(harness().services, batches);
    const receipts = await Promise.all(
      Array.from({ length: 200 }, (_, i) => receiver.receive(tagDelivery(`group-${i}`))),
    );
    expect(receipts.every((receipt) => receipt.status === 'stored')).toBe(true);
    expect(batches.reduce((sum, size) => sum + size, 0)).toBe(200);
    expect(batches.length).toBeLessThan(20);
    for (const receipt of receipts.slice(0, 20)) {
      const stored = await harness().services.store.deliveries.get(receipt.delivery.id);
      expect(stored).toMatchObject({ result: 'pending', jobId: receipt.delivery.jobId });
      const job = await harness().services.store.jobs.get(receipt.delivery.jobId ?? '');
      expect(job).toMatchObject({ kind: 'delivery', state: 'pending', payload: { deliveryRecordId: stored?.id } });
    }
  });

  it('answers a repeated delivery id as duplicate, within one batch and across batches, with one row and one job', async () => {
    const receiver = receiverFor(harness().services, []);
    const same = await Promise.all([receiver.receive(tagDelivery('dup-1')), receiver.receive(tagDelivery('dup-1'))]);
    expect(same.map((receipt) => receipt.status).sort()).toEqual(['duplicate', 'stored']);
    expect(same[0]?.delivery.id).toBe(same[1]?.delivery.id);
    const later = await receiver.receive(tagDelivery('dup-1'));
    expect(later.status).toBe('duplicate');
    expect(later.delivery.id).toBe(same[0]?.delivery.id);
    const jobs = await harness().services.store.jobs.list({ kind: 'delivery', limit: 1000 });
    const forDelivery = jobs.filter((job) => job.payload.deliveryRecordId === later.delivery.id);
    expect(forDelivery).toHaveLength(1);
  });

  it('isolates a delivery that cannot be stored: the rest of its batch still commits', async () => {
    const receiver = receiverFor(harness().services, []);
    const broken = tagDelivery('broken-1');
    broken.payload = { ...broken.payload, size: 10n } as unknown as Record<string, unknown>;
    const outcomes = await Promise.allSettled([
      receiver.receive(tagDelivery('iso-1')),
      receiver.receive(broken),
      receiver.receive(tagDelivery('iso-2')),
    ]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    const stored = (await harness().services.store.deliveries.list(1000)).map((delivery) => delivery.deliveryId);
    expect(stored).toContain('iso-1');
    expect(stored).toContain('iso-2');
    expect(stored).not.toContain('broken-1');
  });

  it('records deliveries that need no job with their final result and no job', async () => {
    const receiver = receiverFor(harness().services, []);
    const receipt = await receiver.receive({ ...tagDelivery('ignored-1'), result: 'ignored' });
    expect(receipt.delivery).toMatchObject({ result: 'ignored', jobId: null });
    expect(receipt.delivery.handledAt).not.toBeNull();
  });

  it('handles a tag delivery once: a poll of each matching registry, an event, then nothing on a second run', async () => {
    const services = harness().services;
    const registry = await createRegistry(
      services,
      { name: `acme-${databaseName.slice(0, 6)}`, url: 'https://GitHub.com/acme/app/' },
      { skipConnectionTest: true },
    );
    expect(await services.store.jobs.list({ kind: 'poll' })).toEqual([]);
    const receiver = receiverFor(services, []);
    const receipt = await receiver.receive(tagDelivery('handle-1', 'https://github.com/acme/app.git'));
    const handled = await handleDelivery(services, receipt.delivery.id);
    expect(handled?.result).toBe('handled');
    const pollJob = await services.store.jobs.get(handled?.jobId ?? '');
    expect(pollJob).toMatchObject({
      kind: 'poll',
      payload: { registryId: registry.id },
      dedupeKey: `poll:${registry.id}`,
    });
    expect(await handleDelivery(services, receipt.delivery.id)).toBeUndefined();
    const events = (await services.store.events.list(registry.id)).filter((event) => event.kind === WEBHOOK_EVENT);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ tag: 'v1.0.0', detail: { deliveryId: 'handle-1', forge: 'github' } });

    // A second delivery while that poll is still pending merges into it.
    const second = await receiver.receive(tagDelivery('handle-2', 'https://github.com/acme/app'));
    expect((await handleDelivery(services, second.delivery.id))?.jobId).toBe(pollJob?.id);

    // While that poll runs (it may have listed the tags already), a new delivery queues one more poll after it.
    const claimed = await services.store.jobs.claim('test', 10, 60_000, ['poll']);
    expect(claimed.map((job) => job.id)).toContain(pollJob?.id);
    const third = await receiver.receive(tagDelivery('handle-3'));
    const again = await services.store.jobs.get((await handleDelivery(services, third.delivery.id))?.jobId ?? '');
    expect(again).toMatchObject({ kind: 'poll', state: 'pending', dedupeKey: `poll:${registry.id}:again` });
    for (const job of claimed) await services.store.jobs.complete(job.id);
  });

  it('handles each delivery exactly once when its job runs several times at the same time', async () => {
    const services = harness().services;
    const url = 'https://github.com/acme/twice.git';
    const registry = await createRegistry(
      services,
      { name: `twice-${databaseName.slice(0, 6)}`, url },
      { skipConnectionTest: true },
    );
    const receiver = receiverFor(services, []);
    const receipts = await Promise.all(
      Array.from({ length: 6 }, (_, i) => receiver.receive(tagDelivery(`twice-${i}`, url))),
    );
    // Four runs per delivery at once (on PostgreSQL each in its own transaction on its own
    // connection, so several read `pending` before any commits).
    const runs = await Promise.all(
      receipts.map((receipt) =>
        Promise.all(Array.from({ length: 4 }, () => handleDelivery(services, receipt.delivery.id))),
      ),
    );
    for (const perDelivery of runs) expect(perDelivery.filter((run) => run !== undefined)).toHaveLength(1);
    const events = (await services.store.events.list(registry.id)).filter((event) => event.kind === WEBHOOK_EVENT);
    expect(events.map((event) => event.detail.deliveryId).sort()).toEqual(
      receipts.map((receipt) => receipt.delivery.deliveryId).sort(),
    );
    for (const receipt of receipts) {
      expect(await services.store.deliveries.get(receipt.delivery.id)).toMatchObject({ result: 'handled' });
    }
  });

  it('records a tag delivery for a repository nobody registered as ignored', async () => {
    const receiver = receiverFor(harness().services, []);
    const receipt = await receiver.receive(tagDelivery('nobody-1', 'https://example.org/someone/else.git'));
    const handled = await handleDelivery(harness().services, receipt.delivery.id);
    expect(handled).toMatchObject({ result: 'ignored' });
    expect((await harness().services.store.deliveries.get(receipt.delivery.id))?.handledAt).not.toBeNull();
  });
});
