/**
 * The Queue consumer when the object cannot run the jobs (it throws): the batch is not
 * acknowledged but retried with a delay that doubles per attempt, up to 5 minutes; after
 * wrangler.toml's max_retries the Queue moves it to the dead-letter queue (worker-deploy-docs).
 * The object is replaced by one whose `runJobs` fails, the one way to make it fail on purpose.
 */
import { createExecutionContext, createMessageBatch, env, getQueueResult } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import type { WakeMessage, WorkerEnv } from '../../src/runtime/worker/env.js';
import { retryDelaySeconds } from '../../src/runtime/worker/queue-retry.js';
import worker from '../../src/runtime/worker.js';

const failing = {
  ...env,
  BRIDGE: {
    idFromName: (name: string) => env.BRIDGE.idFromName(name),
    get: () => ({
      runJobs: async () => {
        throw new Error('the object is unavailable');
      },
    }),
  },
} as unknown as WorkerEnv;

const batchOf = (attempts: number) =>
  createMessageBatch<WakeMessage>('margo-bridge-jobs', [
    { id: `wake-${attempts}`, timestamp: new Date(), attempts, body: { wake: Date.now() } },
  ]);

describe('a Queue wake-up whose jobs cannot run', () => {
  it('is retried with a delay that doubles per attempt, never acknowledged', async () => {
    for (const [attempts, delay] of [
      [1, 10],
      [3, 40],
      [6, 300],
    ] as const) {
      const batch = batchOf(attempts);
      // The test runtime records that the batch is retried, not the delay: the call is watched here.
      const asked: (QueueRetryOptions | undefined)[] = [];
      const retryAll = batch.retryAll.bind(batch);
      batch.retryAll = (options) => {
        asked.push(options);
        retryAll(options);
      };
      const context = createExecutionContext();
      await worker.queue(batch, failing);
      const result = await getQueueResult(batch, context);
      expect(result.ackAll).toBe(false);
      expect(result.retryBatch.retry).toBe(true);
      expect(asked).toEqual([{ delaySeconds: delay }]);
    }
  });

  it('takes the most tried message of a batch', () => {
    const batch = createMessageBatch<WakeMessage>('margo-bridge-jobs', [
      { id: 'a', timestamp: new Date(), attempts: 1, body: { wake: 1 } },
      { id: 'b', timestamp: new Date(), attempts: 2, body: { wake: 2 } },
    ]);
    expect(retryDelaySeconds(batch)).toBe(20);
  });
});
