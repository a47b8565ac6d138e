/**
 * The Node side of the workerd suites (vitest.workers.config.ts `globalSetup`): the real test Git
 * server with registries `hello`, `scenario` and `hello-pg` (the PostgreSQL suite's) at v1.0.0 (and `big`, a release too large for Workers), and a control endpoint on 127.0.0.1 through which a
 * test inside workerd publishes a release (`POST /publish?repo=hello&tag=v1.1.0&version=1.1.0`), since
 * workerd cannot run git itself; and the fake GitHub with a repository `acme/fleet`. Tests read
 * the addresses with `inject('gitServer')` and `inject('fakeGitHub')`.
 */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TestProject } from 'vitest/node';
import { startFakeGitHub } from './fake-github/index.js';
import { startGitServer } from './git-server.js';
import './workerd-context.js';
import {
  createRegistryRoot,
  helloPackage,
  type PackageFiles,
  publishRelease,
  removeRegistryRoot,
} from './registries.js';
import { scenarioRelease } from './scenario-world.js';

/** The hello-world package at `version`; in `scenario` as the shared scenario publishes it (scenario-world.ts). */
function releaseFiles(repo: string, version: string): Promise<PackageFiles> {
  return repo === 'scenario' ? scenarioRelease(version) : helloPackage(version);
}

/** Repositories the control endpoint publishes to (one per suite, so suites do not see each other's tags). */
const REPOS = ['hello', 'scenario', 'hello-pg'];

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const root = await createRegistryRoot();
  await publishRelease(root, 'hello', 'v1.0.0', await helloPackage('1.0.0'));
  await publishRelease(root, 'scenario', 'v1.0.0', await releaseFiles('scenario', '1.0.0'));
  await publishRelease(root, 'hello-pg', 'v1.0.0', await helloPackage('1.0.0'));
  // A release whose pack is larger than Workers' limit (12 MiB): incompressible bytes.
  await publishRelease(root, 'big', 'v1.0.0', {
    ...(await helloPackage('1.0.0')),
    'big.bin': randomBytes(13 * 1024 * 1024),
  });
  const gitServer = await startGitServer({ root });
  const control = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const repo = url.searchParams.get('repo') ?? 'hello';
    const tag = url.searchParams.get('tag');
    const version = url.searchParams.get('version');
    if (request.method !== 'POST' || url.pathname !== '/publish' || !REPOS.includes(repo) || !tag || !version) {
      response.writeHead(404).end();
      return;
    }
    releaseFiles(repo, version)
      .then((files) => publishRelease(root, repo, tag, files))
      .then(
        (commit) => response.writeHead(200, { 'content-type': 'text/plain' }).end(commit),
        (error: unknown) => response.writeHead(500).end(String(error)),
      );
  });
  await new Promise<void>((resolve) => control.listen(0, '127.0.0.1', resolve));
  const github = await startFakeGitHub();
  await github.createRepo({ owner: 'acme', repo: 'fleet', defaultBranch: 'main', files: { 'README.md': '# fleet\n' } });
  const githubToken = github.addToken({
    permissions: { contents: 'write', pull_requests: 'write', metadata: 'read', issues: 'write' },
  });
  project.provide('gitServer', {
    helloUrl: gitServer.url('hello'),
    bigUrl: gitServer.url('big'),
    scenarioUrl: gitServer.url('scenario'),
    helloPostgresUrl: gitServer.url('hello-pg'),
    baseUrl: gitServer.baseUrl,
    controlUrl: `http://127.0.0.1:${(control.address() as AddressInfo).port}`,
  });
  project.provide('fakeGitHub', { apiUrl: github.apiUrl, token: githubToken });
  return async () => {
    await new Promise<void>((resolve) => control.close(() => resolve()));
    await github.stop();
    await gitServer.stop();
    await removeRegistryRoot(root);
  };
}
