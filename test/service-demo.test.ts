/**
 * The README's main command: `serve --demo` builds the demonstration registry from
 * examples/demo-package, and the catalogue shows its application within seconds, with no
 * account and no network beyond loopback.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type LoggedService, spawnService } from './support/service-process.js';

describe('serve --demo', () => {
  let dir: string | undefined;
  let service: LoggedService | undefined;

  afterAll(async () => {
    await service?.kill('SIGKILL');
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('shows the demo application in the catalogue, prints URL and admin token, and stops on SIGINT', {
    timeout: 60_000,
  }, async () => {
    dir = await mkdtemp(join(tmpdir(), 'mb-demo-'));
    const started = Date.now();
    service = spawnService(['serve', '--demo'], { PORT: '0', MARGO_BRIDGE_DATA_DIR: join(dir, 'data') });
    const listening = await service.waitFor('margo-bridge listening');
    await service.waitFor('ingest done');
    expect(Date.now() - started).toBeLessThan(60_000);

    const banner = service.stderr();
    const token = /export TOKEN=(mb_\S+)\n/.exec(banner)?.[1];
    expect(token, banner).toBeDefined();
    expect(banner).toContain(String(listening.url));

    const response = await fetch(`${listening.url}/api/v1/applications`, {
      headers: { authorization: `Bearer ${token}` },
    });
    const body = (await response.json()) as {
      applications: { id: string; latestVersion: string; registry: { name: string } }[];
    };
    expect(body.applications).toEqual([
      expect.objectContaining({
        id: 'com-northstartida-hello-world',
        latestVersion: '1.0',
        registry: expect.objectContaining({ name: 'demo' }),
      }),
    ]);
    const icon = await fetch(
      `${listening.url}/api/v1/applications/com-northstartida-hello-world/versions/1.0/resources/icon`,
      { headers: { authorization: `Bearer ${token}` } },
    );
    expect(icon.headers.get('content-type')).toBe('image/png');

    service.child.kill('SIGINT');
    expect(await service.exited).toBe(0);
  });
});
