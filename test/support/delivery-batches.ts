/** The delivery receiver and a delivery worker wired as the service wires them, for batch tests. */
import { needDeliveryJobs } from '../../src/flows/deliveries.js';
import { createHandlers } from '../../src/flows/handlers.js';
import { createDeliveryReceiver } from '../../src/flows/receive.js';
import { createWorker, type JobOutcome } from '../../src/jobs/worker.js';
import type { DeliveryReceiver, Services } from '../../src/services.js';

/** The receiver as the service builds it: pending deliveries nobody watches are settled at receipt. */
export function receiverFor(services: Services): DeliveryReceiver {
  return createDeliveryReceiver({
    store: services.store,
    now: () => Date.now(),
    jobFor: (delivery) => ({ kind: 'delivery', payload: { deliveryRecordId: delivery.id } }),
    needsJob: (tx, deliveries) =>
      needDeliveryJobs(
        tx,
        deliveries.map((delivery) => delivery.payload),
      ),
  });
}

/** A worker for `delivery` jobs only, run by `runOnce`; each job's outcome is pushed to `outcomes`. */
export function deliveryWorker(services: Services, outcomes: JobOutcome[], batchSize = 50) {
  const { delivery } = createHandlers(services);
  return createWorker({
    queue: services.store.jobs,
    handlers: { delivery },
    concurrency: 1,
    leaseMs: 60_000,
    pollIntervalMs: 50,
    backoff: { baseMs: 1000, maxMs: 1000 },
    batchSize,
    onOutcome: (outcome) => outcomes.push(outcome),
  });
}
