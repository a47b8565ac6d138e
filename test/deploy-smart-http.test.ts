import { execFile } from 'node:child_process';
import fs from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalProvider } from '../src/deploy/local.js';
import { localRepositoryRoot } from '../src/deploy/node/index.js';
import { nodeGitBackend } from '../src/deploy/node/smart-http-backend.js';
import { request } from '../src/deploy/provider.contract.js';
import { registerGitSmartHttp } from '../src/deploy/smart-http.js';
import { handleGitHttpBackend } from '../src/runtime/node/git-http-backend.js';

const run = promisify(execFile);
let dataDir: string;
let root: string;
const servers: ReturnType<typeof serve>[] = [];

async function start(access: 'anonymous' | 'viewer'): Promise<string> {
  const app = new Hono();
  registerGitSmartHttp(app, {
    access,
    backend: nodeGitBackend(root, handleGitHttpBackend),
    verifyToken: async (_c, token) => token === 'viewer-token',
  });
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const started = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(started));
  });
  servers.push(server);
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function git(args: string[], cwd = dataDir) {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: dataDir,
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_TERMINAL_PROMPT: '0',
    GIT_AUTHOR_NAME: 'x',
    GIT_AUTHOR_EMAIL: 'x@example.test',
    GIT_COMMITTER_NAME: 'x',
    GIT_COMMITTER_EMAIL: 'x@example.test',
  };
  return run('git', args, { cwd, env });
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'margo-bridge-smart-http-'));
  root = localRepositoryRoot(dataDir);
  const provider = createLocalProvider({ provider: 'local', name: 'deployments' }, { fs, root });
  await provider.check('main');
  const proposed = await provider.propose(request('margo-bridge/plant-a/nginx', { 'plant-a/nginx/a.yaml': 'a: 1\n' }));
  await provider.merge?.(
    { branch: 'margo-bridge/plant-a/nginx', number: proposed.proposal?.number as number },
    'fast-forward',
  );
  await provider.propose(
    request('margo-bridge/plant-a/open', { 'plant-a/open/b.yaml': 'b: 1\n' }, { owned: ['plant-a/open'] }),
  );
});
afterAll(async () => {
  for (const server of servers) server.close();
  await rm(dataDir, { recursive: true, force: true });
});

describe('Git smart HTTP for local deployment repositories', () => {
  it('serves a clone to a viewer token and hides the review records', async () => {
    const base = await start('viewer');
    const url = `${base.replace('http://', 'http://flux:viewer-token@')}/git/deployments.git`;
    await git(['clone', '--quiet', url, 'clone-viewer']);
    const cloned = join(dataDir, 'clone-viewer');
    expect(fs.readFileSync(join(cloned, 'plant-a/nginx/a.yaml'), 'utf8')).toBe('a: 1\n');
    const { stdout } = await git(['ls-remote', url]);
    expect(stdout).toContain('refs/heads/main');
    expect(stdout).toContain('refs/heads/margo-bridge/plant-a/open');
    expect(stdout).not.toContain('refs/margo-bridge/');
  });

  it('asks for a token when access is for viewers, and accepts a Bearer token', async () => {
    const base = await start('viewer');
    await expect(git(['ls-remote', `${base}/git/deployments.git`])).rejects.toThrow(
      /Authentication failed|could not read Username|401/,
    );
    await expect(
      git(['ls-remote', `${base.replace('http://', 'http://flux:wrong@')}/git/deployments.git`]),
    ).rejects.toThrow();
    const { stdout } = await git([
      '-c',
      'http.extraHeader=Authorization: Bearer viewer-token',
      'ls-remote',
      `${base}/git/deployments.git`,
    ]);
    expect(stdout).toContain('refs/heads/main');
  });

  it('serves anonymous clones when configured, and refuses every push', async () => {
    const base = await start('anonymous');
    await git(['clone', '--quiet', `${base}/git/deployments.git`, 'clone-anonymous']);
    const cloned = join(dataDir, 'clone-anonymous');
    fs.writeFileSync(join(cloned, 'evil.yaml'), 'x\n');
    await git(['add', 'evil.yaml'], cloned);
    await git(['commit', '--quiet', '-m', 'evil'], cloned);
    await expect(git(['push', 'origin', 'HEAD:main'], cloned)).rejects.toThrow(/403|read-only/);
    const response = await fetch(`${base}/git/deployments.git/info/refs?service=git-receive-pack`);
    expect(response.status).toBe(403);
  });

  it('answers 404 for anything but the smart-HTTP fetch paths of a well-named repository', async () => {
    const base = await start('anonymous');
    for (const path of [
      '/git/deployments.git/HEAD',
      '/git/deployments.git/objects/info/packs',
      '/git/..%2Fetc.git/info/refs?service=git-upload-pack',
      '/git/Deployments.git/info/refs?service=git-upload-pack',
      '/git/deployments.git/info/refs',
    ]) {
      expect((await fetch(`${base}${path}`)).status, path).toBe(404);
    }
    expect((await fetch(`${base}/git/missing.git/info/refs?service=git-upload-pack`)).status).toBe(404);
  });
});
