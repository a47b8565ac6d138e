/**
 * The webhook secrets cache (issue 10, item 17): every period it asks the store whether any
 * registry changed (one aggregate query) and reads the registries again only when one did.
 */
import { expect, it } from 'vitest';
import { createRegistry, updateRegistry } from '../src/flows/registries.js';
import { createWebhookIntake, SECRETS_TTL_MS } from '../src/runtime/webhook-intake.js';
import type { Services } from '../src/services.js';
import { describeOnEachDatabase } from './support/webhook-services.js';

describeOnEachDatabase('webhook secret reload', (harnessOf) => {
  it('lists the registries again only after one changed', async () => {
    const harness = harnessOf();
    const registry = await createRegistry(
      harness.services,
      { name: 'signed', url: 'https://git.example.com/signed.git', webhookSecret: 'first-secret' },
      { skipConnectionTest: true },
    );
    let time = Date.now();
    let listed = 0;
    const registries = harness.services.store.registries;
    const counted: Omit<Services, 'webhooks'> = {
      ...harness.services,
      clock: { now: () => time },
      store: Object.assign(Object.create(harness.services.store), {
        registries: Object.assign(Object.create(registries), {
          list: () => {
            listed++;
            return registries.list();
          },
        }),
      }),
    };
    const intake = createWebhookIntake(counted);
    const values = async () => (await intake.secrets()).map((secret) => secret.value);
    expect(await values()).toEqual(['first-secret']);
    for (let i = 0; i < 5; i++) {
      time += SECRETS_TTL_MS + 1;
      expect(await values()).toEqual(['first-secret']);
    }
    expect(listed).toBe(1);
    await updateRegistry(harness.services, registry.id, { webhookSecret: 'second-secret' });
    time += SECRETS_TTL_MS + 1;
    expect(await values()).toEqual(['second-secret']);
    expect(listed).toBe(2);
  });
});
