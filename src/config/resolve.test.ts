import { describe, expect, it } from 'vitest';
import { isBridgeError } from '../errors.js';
import { resolveConfig } from './resolve.js';

function failure(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (isBridgeError(error, 'CONFIG_INVALID')) return error.message;
    throw error;
  }
  throw new Error('expected CONFIG_INVALID');
}

describe('resolveConfig', () => {
  it('gives the documented defaults with no file and no environment', () => {
    const config = resolveConfig({ env: {} });
    expect(config.port).toBe(8787);
    expect(config.host).toBe('127.0.0.1');
    expect(config.dataDir).toBe('./data');
    expect(config.databaseUrl).toBeUndefined();
    expect(config.allowPrivateNetworks).toBe(false);
    expect(config.polling.interval).toBe(300);
    expect(config.registries).toEqual([]);
    expect(config.webhooks.secrets).toEqual([]);
  });

  it('reads every contract environment variable, and the environment wins over the file', () => {
    const config = resolveConfig({
      file: { port: 9000, host: '10.0.0.1', polling: { interval: 60, jitter: 0.2 } },
      env: {
        PORT: '9100',
        HOST: '0.0.0.0',
        MARGO_BRIDGE_DATA_DIR: '/var/lib/mb',
        DATABASE_URL: 'postgres://u:p@db/mb',
        MARGO_BRIDGE_ADMIN_TOKEN: 'a-long-enough-admin-token',
        MARGO_BRIDGE_SECRET_KEY: 'k'.repeat(44),
        MARGO_BRIDGE_ALLOW_PRIVATE_NETWORKS: 'true',
        MARGO_BRIDGE_POLL_INTERVAL: '120',
        MARGO_BRIDGE_WEBHOOK_SECRET: 'one, two',
      },
    });
    expect(config.port).toBe(9100);
    expect(config.host).toBe('0.0.0.0');
    expect(config.dataDir).toBe('/var/lib/mb');
    expect(config.databaseUrl).toBe('postgres://u:p@db/mb');
    expect(config.adminToken).toBe('a-long-enough-admin-token');
    expect(config.allowPrivateNetworks).toBe(true);
    expect(config.polling).toMatchObject({ interval: 120, jitter: 0.2 });
    expect(config.webhooks.secrets).toEqual(['one', 'two']);
  });

  it('refuses unknown keys with their path', () => {
    const message = failure(() =>
      resolveConfig({ file: { polling: { intervall: 60 }, colour: 'blue' }, fileName: 'mb.yaml', env: {} }),
    );
    expect(message).toContain('mb.yaml: polling.intervall: unknown key');
    expect(message).toContain('mb.yaml: colour: unknown key');
  });

  it('names the variable for a bad environment value and hides secret values', () => {
    expect(failure(() => resolveConfig({ env: { PORT: 'eighty' } }))).toContain(
      "environment variable PORT: 'eighty' is not a whole number",
    );
    expect(failure(() => resolveConfig({ env: { MARGO_BRIDGE_POLL_INTERVAL: '10' } }))).toContain(
      'environment variable MARGO_BRIDGE_POLL_INTERVAL: polling.interval: must be at least 30 seconds',
    );
    const secret = failure(() => resolveConfig({ env: { DATABASE_URL: 'mysql://root:hunter2@db' } }));
    expect(secret).toContain('DATABASE_URL');
    expect(secret).not.toContain('hunter2');
  });

  it('validates pre-configured registries and refuses duplicate names', () => {
    const registry = { name: 'hello', url: 'https://git.example.com/hello.git' };
    const config = resolveConfig({
      file: { registries: [{ ...registry, auth: { type: 'bearer', token: 't0ken' }, pollInterval: 60 }] },
      env: {},
    });
    expect(config.registries[0]).toMatchObject({ name: 'hello', subPath: '', strictVersion: false, pollInterval: 60 });
    expect(failure(() => resolveConfig({ file: { registries: [registry, registry] }, env: {} }))).toContain(
      "the name 'hello' is used twice",
    );
    expect(
      failure(() => resolveConfig({ file: { registries: [{ ...registry, auth: { type: 'ssh' } }] }, env: {} })),
    ).toContain('registries.0.auth');
    expect(
      failure(() => resolveConfig({ file: { registries: [{ ...registry, pollInterval: 5 }] }, env: {} })),
    ).toContain('registries.0.pollInterval: must be at least 30 seconds');
  });

  it('refuses a file whose top level is not a mapping', () => {
    expect(failure(() => resolveConfig({ file: ['a'], fileName: 'x.yaml', env: {} }))).toContain(
      'x.yaml: the top level must be a mapping',
    );
  });
});
