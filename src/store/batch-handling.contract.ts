/**
 * The set-based part of the Store contract that handling a batch of deliveries uses (run by
 * `storeContract`): deliveries read and finished many at once, events added many at once,
 * registries found by many URL keys (the queue's `completeMany` is in jobs/queue.contract.ts).
 */
import { describe, expect, it } from 'vitest';
import type { DeliveryRecord, Store } from './interface.js';
import { deliveryInput, registryInput, type StoreHarness, useSuiteStore } from './store.contract.js';

export function batchHandlingContract(name: string, setup: () => Promise<StoreHarness>): void {
  describe(`Store contract, batch handling: ${name}`, () => {
    let store: Store;
    const time = 1_700_000_000_000;
    const now = () => time;
    useSuiteStore(setup, now, (opened) => {
      ({ store } = opened);
    });

    const record = (deliveryId: string) => deliveryInput(deliveryId, time);

    it('deliveries: reads many by id; finishes many at once, each only while pending', async () => {
      const stored = (await store.deliveries.insertMany(['a', 'b', 'c', 'd'].map(record))).map((r) => r.delivery);
      const [a, b, c, d] = stored as [DeliveryRecord, DeliveryRecord, DeliveryRecord, DeliveryRecord];
      expect(await store.deliveries.getMany([])).toEqual([]);
      const read = await store.deliveries.getMany([c.id, 'missing', a.id]);
      expect(read.map((delivery) => delivery.id).sort()).toEqual([a.id, c.id].sort());
      expect(read.find((delivery) => delivery.id === c.id)).toEqual(c);

      expect(await store.deliveries.finish(b.id, { result: 'ignored', handledAt: time + 1 })).toBe(true);
      expect(await store.deliveries.finishMany([])).toEqual(new Set());
      const finished = await store.deliveries.finishMany([
        { id: a.id, result: 'handled', handledAt: time + 5, jobId: 'poll-1' },
        { id: b.id, result: 'handled', handledAt: time + 6, jobId: 'poll-2' },
        { id: c.id, result: 'ignored', handledAt: time + 7 },
        { id: 'missing', result: 'handled', handledAt: time + 8 },
      ]);
      expect(finished).toEqual(new Set([a.id, c.id]));
      expect(await store.deliveries.get(a.id)).toMatchObject({
        result: 'handled',
        handledAt: time + 5,
        jobId: 'poll-1',
      });
      // Finished before: unchanged.
      expect(await store.deliveries.get(b.id)).toMatchObject({ result: 'ignored', handledAt: time + 1, jobId: null });
      expect(await store.deliveries.get(c.id)).toMatchObject({ result: 'ignored', handledAt: time + 7, jobId: null });
      expect(await store.deliveries.get(d.id)).toMatchObject({ result: 'pending', handledAt: null });
      // Without any job id the job ids stay as they were.
      await store.deliveries.setJobIds([{ id: d.id, jobId: 'delivery-job' }]);
      expect(await store.deliveries.finishMany([{ id: d.id, result: 'ignored', handledAt: time + 9 }])).toEqual(
        new Set([d.id]),
      );
      expect(await store.deliveries.get(d.id)).toMatchObject({ result: 'ignored', jobId: 'delivery-job' });

      // Concurrent finishers of the same deliveries, each in its own transaction: each delivery moves on once.
      const racing = (await store.deliveries.insertMany(['r1', 'r2', 'r3'].map(record))).map((r) => r.delivery.id);
      const runs = await Promise.all(
        [0, 1, 2].map((run) =>
          store.transaction((tx) =>
            tx.deliveries.finishMany(racing.map((id) => ({ id, result: 'handled', handledAt: time + run }))),
          ),
        ),
      );
      expect(runs.reduce((sum, ids) => sum + ids.size, 0)).toBe(3);
    });

    it('events: adds many at once, in input order', async () => {
      const registry = await store.registries.create(registryInput('events-many'));
      await store.events.addMany([]);
      await store.events.addMany([
        { registryId: registry.id, kind: 'WEBHOOK_RECEIVED', tag: 'v1', detail: { n: 1 } },
        { registryId: registry.id, kind: 'WEBHOOK_RECEIVED', tag: null, detail: { n: 2 } },
        { registryId: registry.id, kind: 'TAG_MOVED', tag: 'v3', detail: { n: 3 } },
      ]);
      const events = await store.events.list(registry.id);
      expect(events.map((event) => [event.kind, event.tag, event.detail.n, event.createdAt])).toEqual([
        ['TAG_MOVED', 'v3', 3, time],
        ['WEBHOOK_RECEIVED', null, 2, time],
        ['WEBHOOK_RECEIVED', 'v1', 1, time],
      ]);
    });

    it('registries: found by many URL keys in one call, ordered by id', async () => {
      const a = await store.registries.create(registryInput('keys-a'));
      const b = await store.registries.create(registryInput('keys-b'));
      const a2 = await store.registries.create(registryInput('keys-a2', { urlKey: a.urlKey }));
      await store.registries.create(registryInput('keys-c'));
      expect(await store.registries.findByUrlKeys([])).toEqual([]);
      const found = await store.registries.findByUrlKeys([b.urlKey, a.urlKey, 'nobody.example/x']);
      expect(found.map((registry) => registry.id)).toEqual([a.id, b.id, a2.id].sort());
      expect(found.find((registry) => registry.id === b.id)).toEqual(b);
    });
  });
}
