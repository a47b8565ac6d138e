/**
 * The README's demo loop: `serve --demo` also creates the `local` deployment repository; the curl
 * the banner prints proposes the demo application, approving merges it, and a Git client (as Flux
 * or Argo CD would) clones the result from /git/local.git with an API token.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { type LoggedService, spawnService } from './support/service-process.js';

const run = promisify(execFile);

describe('serve --demo with the local deployment repository', () => {
  let dir: string | undefined;
  let service: LoggedService | undefined;

  afterAll(async () => {
    await service?.kill('SIGKILL');
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('proposes the demo application with the printed curl, approves it, and serves the result over Git', {
    timeout: 90_000,
  }, async () => {
    dir = await mkdtemp(join(tmpdir(), 'mb-demo-deploy-'));
    service = spawnService(['serve', '--demo'], { PORT: '0', MARGO_BRIDGE_DATA_DIR: join(dir, 'data') });
    const listening = await service.waitFor('margo-bridge listening');
    await service.waitFor('ingest done');
    const banner = service.stderr();
    const token = /export TOKEN=(mb_\S+)\n/.exec(banner)?.[1];
    const body = /-d '(\{"repository":"local".*\})'/.exec(banner)?.[1];
    expect(token, banner).toBeDefined();
    expect(body, banner).toBeDefined();
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };

    const proposed = await fetch(`${listening.url}/api/v1/deployments`, { method: 'POST', headers, body });
    const deployment = (await proposed.json()) as { id: string; state: string; name: string; target?: string };
    expect(proposed.status, JSON.stringify(deployment)).toBe(201);
    expect(deployment.state).toBe('proposed');
    const approved = await fetch(`${listening.url}/api/v1/deployments/${deployment.id}/approve`, {
      method: 'POST',
      headers,
    });
    expect(((await approved.json()) as { state: string }).state).toBe('merged');

    const clone = join(dir, 'clone');
    const url = new URL(`${listening.url}/git/local.git`);
    url.username = 'token';
    url.password = token!;
    await run('git', ['clone', '--quiet', url.toString(), clone], {
      env: { PATH: process.env.PATH, HOME: dir, GIT_CONFIG_NOSYSTEM: '1', GIT_TERMINAL_PROMPT: '0' },
    });
    const written = await readFile(join(clone, 'demo-cluster', deployment.name, 'application-deployment.yaml'), 'utf8');
    expect(written).toContain(deployment.id);
    expect(written).toContain('Hi');
    // Without a token the repository is not served (access: viewer, the default).
    const anonymous = await fetch(`${listening.url}/git/local.git/info/refs?service=git-upload-pack`);
    expect(anonymous.status).toBe(401);

    service.child.kill('SIGINT');
    expect(await service.exited).toBe(0);
  });
});
