import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'vitest';
import { createRegistry } from '../src/flows/registries.js';
import type { JobOutcome } from '../src/jobs/worker.js';
import { openSqliteStore } from '../src/store/node/sqlite.js';
import { deliveryWorker, receiverFor } from './support/delivery-batches.js';
import { tagDelivery, webhookTestServices } from './support/webhook-services.js';

it('wal', async () => {
  const base = await webhookTestServices();
  for (const mode of ['A', 'B', 'A', 'B']) {
    const dir = await mkdtemp(join(tmpdir(), 'b2-'));
    const store = await openSqliteStore({ path: join(dir, 'bridge.db') });
    const services = { ...base.services, store };
    const url = 'https://github.com/acme/one.git';
    await createRegistry(services, { name: 'one', url }, { skipConnectionTest: true });
    const receiver = receiverFor(services);
    const outcomes: JobOutcome[] = [];
    const worker = deliveryWorker(services, outcomes, 256);
    let tReceive = 0, tHandle = 0;
    for (let round = 0; round < 40; round++) {
      const t0 = performance.now();
      for (let g = 0; g < 10; g++) await Promise.all(Array.from({ length: 20 }, (_, i) => receiver.receive(tagDelivery(`${mode}${round}-${g}-${i}`, url))));
      const t1 = performance.now();
      while ((await worker.runOnce()) > 0);
      tReceive += t1 - t0; tHandle += performance.now() - t1;
    }
    console.log(mode, process.env.B2WAL, 'receive µs/delivery', (tReceive * 1000 / 8000).toFixed(0), 'handle µs/delivery', (tHandle * 1000 / 8000).toFixed(0));
    await store.close();
  }
  await base.close();
}, 300_000);
