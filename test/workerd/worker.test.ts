/**
 * The Worker entry inside workerd with the top-level wrangler.toml: the service answers through
 * its Durable Object, and what Workers cannot do is refused with its reason.
 */
import { SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { isBridgeError } from '../../src/errors.js';
import { workerConfig } from '../../src/runtime/worker/config.js';
import { REFUSED_DATABASE_URL, REFUSED_PASSWORD, REFUSED_REASONS, REFUSED_YAML } from './refused-config.js';
import { TEST_ADMIN_TOKEN } from './secrets.js';

const required = { MARGO_BRIDGE_SECRET_KEY: '1'.repeat(64), MARGO_BRIDGE_ADMIN_TOKEN: TEST_ADMIN_TOKEN };

describe('the Worker', () => {
  it('serves health, readiness and the API from its Durable Object', async () => {
    expect((await SELF.fetch('https://bridge.test/healthz')).status).toBe(200);
    const ready = await SELF.fetch('https://bridge.test/readyz');
    expect(ready.status).toBe(200);
    expect((await SELF.fetch('https://bridge.test/api/v1/registries')).status).toBe(401);
    const listed = await SELF.fetch('https://bridge.test/api/v1/registries', {
      headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
    });
    expect(listed.status).toBe(200);
    expect(await listed.json()).toMatchObject({});
  });

  it('reads settings from bindings, the file from MARGO_BRIDGE_CONFIG_YAML', () => {
    const config = workerConfig({
      ...required,
      MARGO_BRIDGE_LOG_LEVEL: 'warn',
      MARGO_BRIDGE_CONFIG_YAML: 'polling:\n  interval: 600\n',
      BRIDGE: {},
    });
    expect(config.logLevel).toBe('warn');
    expect(config.polling.interval).toBe(600);
    // Within one object's 128 MB: one job besides polls, one largest unverified webhook body.
    expect(config.jobs.concurrency).toBe(1);
    expect(config.webhooks.unverifiedBodyBudget).toBe(25 * 1024 * 1024);
  });

  // The entry runs this check when its module is evaluated: test/worker-start.test.ts shows the
  // real bundle failing to start with such bindings.
  it('refuses at start, all at once, what Workers cannot do', () => {
    let error: unknown;
    try {
      workerConfig({ MARGO_BRIDGE_CONFIG_YAML: REFUSED_YAML, DATABASE_URL: REFUSED_DATABASE_URL });
    } catch (caught) {
      error = caught;
    }
    expect(isBridgeError(error, 'CONFIG_INVALID')).toBe(true);
    const message = (error as Error).message;
    for (const problem of [
      'MARGO_BRIDGE_SECRET_KEY: required on Workers',
      'MARGO_BRIDGE_ADMIN_TOKEN: required on Workers',
      ...REFUSED_REASONS,
    ]) {
      expect(message).toContain(problem);
    }
    expect(message).not.toContain(REFUSED_PASSWORD);
  });
});
