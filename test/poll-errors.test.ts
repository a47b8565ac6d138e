/**
 * A failed poll is stored (the registry's lastError), logged and returned (the `poll` command's
 * summary) without the credentials of a URL that the registry error quotes.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { BridgeError } from '../src/errors.js';
import { pollRegistry } from '../src/flows/poll.js';
import { createRegistry } from '../src/flows/registries.js';
import type { RegistryReader } from '../src/registry/interface.js';
import { type TestServices, webhookTestServices } from './support/webhook-services.js';

const SECRET = 'hunter2-poll-secret';
const quotedUrl = `https://user:${SECRET}@registry.example/app.git`;

let harness: TestServices | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

function failingReader(error: unknown): RegistryReader {
  return {
    listReleases: async () => {
      throw error;
    },
    readRelease: async () => {
      throw error;
    },
  };
}

async function pollFailing(error: unknown) {
  harness = await webhookTestServices();
  const services = { ...harness.services, registryReader: failingReader(error) };
  const registry = await createRegistry(
    services,
    { name: 'leaky', url: 'https://registry.example/app.git' },
    { skipConnectionTest: true },
  );
  const result = await pollRegistry(services, registry.id);
  const stored = await services.store.registries.get(registry.id);
  return { result, stored, logs: harness.logs };
}

describe('poll failures never carry URL credentials', () => {
  it('a registry error quoting a URL with credentials', async () => {
    const { result, stored, logs } = await pollFailing(
      new BridgeError('REGISTRY_UNREACHABLE', `could not reach ${quotedUrl} (ECONNREFUSED)`),
    );
    expect(result).toMatchObject({ outcome: 'failed', code: 'REGISTRY_UNREACHABLE' });
    expect(JSON.stringify(result)).not.toContain(SECRET);
    expect(stored?.lastError).toContain('REGISTRY_UNREACHABLE: could not reach https://registry.example/app.git');
    expect(stored?.lastError).not.toContain(SECRET);
    expect(logs.some((entry) => entry.message.startsWith('poll failed'))).toBe(true);
    expect(JSON.stringify(logs)).not.toContain(SECRET);
  });

  it('an unexpected error quoting a URL with credentials', async () => {
    const { result, stored, logs } = await pollFailing(new TypeError(`fetch failed for ${quotedUrl}`));
    expect(result).toMatchObject({ outcome: 'failed', code: 'INTERNAL' });
    expect(stored?.lastError).not.toContain(SECRET);
    const unexpected = logs.find((entry) => entry.message === 'unexpected poll error');
    expect(unexpected?.fields.err).toContain('TypeError: fetch failed for https://registry.example/app.git');
    expect(JSON.stringify(logs)).not.toContain(SECRET);
  });
});
