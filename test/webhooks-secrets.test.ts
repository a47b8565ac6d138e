/**
 * The webhook intake's registry secrets: a reload decrypts only ciphertexts it has not seen, and a
 * registry whose credentials cannot be opened is logged once, not at every reload.
 */
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { createSecretBox } from '../src/crypto/secrets.js';
import { createRegistry, updateRegistry } from '../src/flows/registries.js';
import { createWebhookIntake, SECRETS_TTL_MS } from '../src/runtime/webhook-intake.js';
import type { Services } from '../src/services.js';
import { type TestServices, webhookTestServices } from './support/webhook-services.js';

const unreadable = 'could not open the registry credentials for its webhook secret';

describe('webhook secrets of registries', () => {
  let harness: TestServices | undefined;
  afterEach(async () => {
    await harness?.close();
    harness = undefined;
  });

  it('decrypts each ciphertext once and logs an unreadable one once', async () => {
    harness = await webhookTestServices({ config: { webhooks: { secrets: ['global-secret'] } } });
    let now = 1_000_000;
    const opened: string[] = [];
    const box = harness.services.secretBox;
    const services: Services = {
      ...harness.services,
      clock: { now: () => now },
      secretBox: {
        seal: (plaintext) => box.seal(plaintext),
        open: (ciphertext) => {
          opened.push(ciphertext);
          return box.open(ciphertext);
        },
      },
    };
    const create = (name: string, webhookSecret: string, on = services) =>
      createRegistry(on, { name, url: `https://example.com/${name}.git`, webhookSecret }, { skipConnectionTest: true });
    const a = await create('a', 'secret-a');
    await create('b', 'secret-b');
    const runtime = createWebhookIntake(services);
    const values = async () => (await runtime.secrets()).map((secret) => secret.value).sort();

    expect(await values()).toEqual(['global-secret', 'secret-a', 'secret-b']);
    expect(opened).toHaveLength(2);

    now += SECRETS_TTL_MS;
    expect(await values()).toEqual(['global-secret', 'secret-a', 'secret-b']);
    expect(opened).toHaveLength(2);

    // updateRegistry opens a's current secrets once itself; the reload then opens only the new ciphertext.
    await updateRegistry(services, a.id, { webhookSecret: 'secret-a2' });
    opened.length = 0;
    now += SECRETS_TTL_MS;
    expect(await values()).toEqual(['global-secret', 'secret-a2', 'secret-b']);
    expect(opened).toHaveLength(1);

    // Sealed with another key: it cannot be opened here.
    const otherKey: Services = { ...services, secretBox: createSecretBox(randomBytes(32)) };
    await create('c', 'secret-c', otherKey);
    opened.length = 0;
    for (let reload = 0; reload < 3; reload++) {
      now += SECRETS_TTL_MS;
      expect(await values()).toEqual(['global-secret', 'secret-a2', 'secret-b']);
    }
    expect(opened).toHaveLength(1);
    const warnings = harness.logs.filter((entry) => entry.message === unreadable);
    expect(warnings).toEqual([{ level: 'warn', fields: { registry: 'c' }, message: unreadable }]);
  });
});
