/**
 * The Queue consumer and the Cron Trigger of the Worker entry, called as the runtime calls them:
 * a poll round completes, and a wake-up is acknowledged once the due jobs ran.
 */
import {
  createExecutionContext,
  createMessageBatch,
  createScheduledController,
  env,
  getQueueResult,
  SELF,
  waitOnExecutionContext,
} from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import type { WakeMessage } from '../../src/runtime/worker/env.js';
import worker from '../../src/runtime/worker.js';
import { TEST_ADMIN_TOKEN } from './secrets.js';

async function jobs(): Promise<{ kind: string; state: string }[]> {
  const response = await SELF.fetch('https://bridge.test/api/v1/jobs', {
    headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
  });
  return ((await response.json()) as { jobs: { kind: string; state: string }[] }).jobs;
}

describe('Queue and Cron Trigger handlers', () => {
  it('runs a poll round, and acknowledges a wake-up once no job is left due', async () => {
    const round = createExecutionContext();
    await worker.scheduled(createScheduledController({ cron: '* * * * *' }), env, round);
    await waitOnExecutionContext(round);

    const batch = createMessageBatch<WakeMessage>('margo-bridge-jobs', [
      { id: 'wake-1', timestamp: new Date(), attempts: 1, body: { wake: Date.now() } },
    ]);
    const consumer = createExecutionContext();
    await worker.queue(batch, env);
    const result = await getQueueResult(batch, consumer);
    expect(result.ackAll).toBe(true);
    expect(result.retryBatch.retry).toBe(false);
    expect((await jobs()).filter((job) => job.state === 'pending' || job.state === 'running')).toEqual([]);
  });
});
