import { performance } from 'node:perf_hooks';
import { createRegistry } from '../src/flows/registries.js';
import type { JobOutcome } from '../src/jobs/worker.js';
import { deliveryWorker, receiverFor } from '../test/support/delivery-batches.js';
import { tagDelivery, webhookTestServices } from '../test/support/webhook-services.js';

const t = await webhookTestServices();
const services = t.services;
const url = 'https://github.com/acme/probe.git';
await createRegistry(services, { name: 'probe', url }, { skipConnectionTest: true });
const receiver = receiverFor(services);
let n = 0;
for (let round = 0; round < 8; round++) {
  const N = 2000;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const ps = [];
  for (let i = 0; i < N; i++) ps.push(receiver.receive(tagDelivery(`p-${n++}`, url)));
  await Promise.all(ps);
  const cpu1 = process.cpuUsage(cpu0);
  const t1 = performance.now();
  const outcomes: JobOutcome[] = [];
  const worker = deliveryWorker(services, outcomes, 64);
  let handled = 0;
  while (handled < N) handled += await worker.runOnce();
  const cpu2 = process.cpuUsage();
  const t2 = performance.now();
  const recvUs = ((cpu1.user + cpu1.system) / N);
  const handleCpu = (cpu2.user + cpu2.system - cpu0.user - cpu0.system - cpu1.user - cpu1.system) / N;
  console.log(`receipt ${recvUs.toFixed(0)} us/delivery (${((t1 - t0) * 1000 / N).toFixed(0)} wall); handling ${handleCpu.toFixed(0)} us/delivery (${((t2 - t1) * 1000 / N).toFixed(0)} wall)`);
}
await t.close();
