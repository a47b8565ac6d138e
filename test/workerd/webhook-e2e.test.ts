/**
 * End to end inside workerd: the Worker of wrangler.toml (its Durable Object, its Queue) and the
 * real test Git server on the Node side (test/support/workerd-setup.ts). A registry polled once
 * an hour gets a new tag; a signed GitHub delivery brings the version into the catalogue through
 * the delivery, poll and ingest jobs, woken through the Queue.
 */
import { describe, expect, inject, it } from 'vitest';
import { addRegistry, api, catalogueVersions, publish, sendTagPush, waitFor } from './support.js';

const HOUR = 3600;
const APPLICATION = 'com-northstartida-hello-world';

describe('inside workerd: a signed tag push brings the new version in through the Queue', () => {
  it('ingests v1.0.0 at the first poll, then v1.1.0 after the delivery, with the next poll an hour away', async () => {
    const git = inject('gitServer');
    await addRegistry('hello', git.helloUrl);
    await waitFor(async () => (await catalogueVersions(APPLICATION)).includes('1.0.0'), 20_000);

    await publish(git.controlUrl, 'hello', '1.1.0');
    expect(await catalogueVersions(APPLICATION)).not.toContain('1.1.0');
    const delivered = await sendTagPush(git.helloUrl, `${git.baseUrl}/hello`, 'v1.1.0', 'workerd-e2e-1');
    expect(delivered).toBe(202);

    await waitFor(async () => (await catalogueVersions(APPLICATION)).includes('1.1.0'), 20_000);
    const deliveries = await api<{ deliveries: { deliveryId: string; result: string }[] }>(
      'GET',
      '/api/v1/webhook-deliveries',
    );
    expect(deliveries.body.deliveries.find((delivery) => delivery.deliveryId === 'workerd-e2e-1')).toMatchObject({
      result: 'handled',
    });
    const registries = await api<{ registries: { name: string; status: { nextPollAt: string | null } }[] }>(
      'GET',
      '/api/v1/registries',
    );
    const hello = registries.body.registries.find((registry) => registry.name === 'hello');
    expect(Date.parse(hello?.status.nextPollAt ?? '') - Date.now()).toBeGreaterThan(HOUR * 800);
  });
});
