/**
 * What the end-to-end deployment tests share: a registry with the digitron example on the real
 * test Git server, a service harness that ingested it, the values the CLI tests use, and the CLI's
 * own rendering of a deployment (`margo-bridge render --previous`) to compare a branch with, byte
 * for byte.
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from '../../src/cli/run.js';
import type { ConfigInput } from '../../src/config/schema.js';
import { createDeploymentProvider } from '../../src/deploy/index.js';
import { nodeProviderPlatform } from '../../src/deploy/node/index.js';
import type { Services } from '../../src/services.js';
import { type FakeGitHub, startFakeGitHub, type TokenOptions } from './fake-github/index.js';
import { type GitServer, startGitServer } from './git-server.js';
import { createRegistryRoot, examplesDir, exampleText, publishRelease, removeRegistryRoot } from './registries.js';
import { DIGITRON } from './render.js';
import { type Harness, startHarness } from './service-harness.js';

export const DIGITRON_ID = 'com-northstartida-digitron-orchestrator';
export const DIGITRON_VERSION = '1.2.1';

export const digitronValues = {
  adminName: 'Some One',
  adminPrincipalName: 'someone@somewhere.com',
  cpuLimit: 4,
  idpClientId: '123-ABC',
  idpName: 'Azure AD',
  idpProvider: 'aad',
  idpUrl: 'https://123-abc.com',
  memoryLimit: 16384,
  pollFrequency: 120,
  siteId: 'SID-123-ABC',
};

/** A proposal as the API answers it for a forge provider (GitHub, Gitea, GitLab, Git). */
export interface ProposalBody {
  url: string;
  number: number;
  state: string;
  branch: string;
  commit: string;
  version?: string;
}

/** The parts of a deployment's API answer the end-to-end tests read; `P` is the provider's proposal. */
export interface DeploymentBody<P = ProposalBody> {
  id: string;
  state: string;
  name: string;
  version: string;
  upgradePolicy: string;
  failureReason: string | null;
  values: Record<string, unknown>;
  proposal: P | null;
  files?: { path: string; sha256: string }[];
  unchanged?: boolean;
  history?: { state: string; action: string; requestedBy: string; commit: string | null }[];
  error?: { code: string; message: string };
}

export interface CatalogueWorld {
  harness: Harness;
  gitServer: GitServer;
  registryRoot: string;
  close(): Promise<void>;
}

/** A service whose catalogue holds digitron 1.2.1, ingested from the test Git server. */
export async function catalogueWorld(
  options: { databaseUrl?: string; config?: ConfigInput } = {},
): Promise<CatalogueWorld> {
  const registryRoot = await createRegistryRoot();
  await publishRelease(registryRoot, 'digitron', `v${DIGITRON_VERSION}`, { 'margo.yaml': await exampleText(DIGITRON) });
  const gitServer = await startGitServer({ root: registryRoot });
  const harness = await startHarness(options);
  const created = await harness.call<{ id: string }>('POST', '/api/v1/registries', {
    name: 'digitron',
    url: gitServer.url('digitron'),
    allowHttp: true,
  });
  if (created.status !== 201) throw new Error(`registry not created: ${JSON.stringify(created.body)}`);
  await harness.poll();
  const version = await harness.runtime.services.store.versions.get(DIGITRON_ID, DIGITRON_VERSION);
  if (version?.state === 'rejected' || !version)
    throw new Error(
      `digitron was not ingested: ${JSON.stringify(await harness.runtime.services.store.versions.listByRegistry((created.body as { id: string }).id))} ${JSON.stringify(harness.logs.slice(-5))}`,
    );
  return {
    harness,
    gitServer,
    registryRoot,
    async close() {
      await harness.close();
      await gitServer.stop();
      await removeRegistryRoot(registryRoot);
    },
  };
}

/**
 * What `margo-bridge render` writes for the same request, keeping the id and name of
 * `previousDeployment` (the branch's ApplicationDeployment): path → content.
 */
export async function cliRendering(options: {
  profile: string;
  target: string;
  namespace: string;
  format: string;
  values: Record<string, unknown>;
  previousDeployment: string;
}): Promise<Record<string, string>> {
  const dir = await mkdtemp(join(tmpdir(), 'mb-cli-render-'));
  try {
    await writeFile(join(dir, 'values.json'), JSON.stringify(options.values));
    await writeFile(join(dir, 'previous.yaml'), options.previousDeployment);
    let stderr = '';
    const code = await runCli(
      [
        'render',
        fileURLToPath(new URL(DIGITRON, examplesDir)),
        '--values',
        'values.json',
        '--profile',
        options.profile,
        '--target',
        options.target,
        '--namespace',
        options.namespace,
        '--format',
        options.format,
        '--previous',
        'previous.yaml',
        '--out',
        'out',
      ],
      {
        stdout: () => undefined,
        stderr: (text) => {
          stderr += text;
        },
        cwd: dir,
        env: {},
      },
    );
    if (code !== 0) throw new Error(`margo-bridge render failed (${code}): ${stderr}`);
    const out = join(dir, 'out');
    const files: Record<string, string> = {};
    for (const entry of await readdir(out, { recursive: true, withFileTypes: true })) {
      if (!entry.isFile()) continue;
      const path = join(entry.parentPath, entry.name);
      files[relative(out, path)] = await readFile(path, 'utf8');
    }
    return files;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Real deployment providers for `services` with GitHub's write spacing off (the fake has no
 * courtesy pause to respect); `github` adds settings, e.g. `retryAfterBaseMs`.
 */
export function useFastProviders(services: Services, github: { retryAfterBaseMs?: number } = {}): void {
  const platform = {
    ...nodeProviderPlatform({ dataDir: services.config.dataDir, allowPrivateNetworks: true }),
    github: { writeSpacingMs: 0, ...github },
  };
  services.deploymentProviders = (settings) => createDeploymentProvider(settings, platform);
}

export interface GitHubWorld extends CatalogueWorld {
  gh: FakeGitHub;
}

/** A catalogue world with a fake GitHub beside it and fast providers (`useFastProviders`); close stops both. */
export async function gitHubWorld(options: { config?: ConfigInput } = {}): Promise<GitHubWorld> {
  const world = await catalogueWorld(options);
  let gh: FakeGitHub;
  try {
    gh = await startFakeGitHub();
  } catch (error) {
    await world.close();
    throw error;
  }
  // A `retry-after: 1` is waited out in 5 ms.
  useFastProviders(world.harness.runtime.services, { retryAfterBaseMs: 5 });
  return {
    ...world,
    gh,
    async close() {
      await gh.stop();
      await world.close();
    },
  };
}

/**
 * A repository `acme/<repo>` on the fake GitHub (main holding a README) and the flux deployment
 * repository `<repo>` for it in margo-bridge; `settings` adds to or overrides the request.
 */
export async function githubDeploymentRepository(
  world: CatalogueWorld,
  gh: FakeGitHub,
  repo: string,
  options: { permissions?: TokenOptions['permissions']; settings?: Record<string, unknown> } = {},
): Promise<void> {
  await gh.createRepo({ owner: 'acme', repo, defaultBranch: 'main', files: { 'README.md': '# fleet\n' } });
  const token = gh.addToken({ permissions: options.permissions ?? { contents: 'write', pull_requests: 'write' } });
  const created = await world.harness.call('POST', '/api/v1/deployment-repositories', {
    name: repo,
    provider: 'github',
    format: 'flux',
    github: { owner: 'acme', repo, apiUrl: gh.apiUrl, auth: { type: 'token', token } },
    ...options.settings,
  });
  if (created.status !== 201)
    throw new Error(`deployment repository ${repo} not created: ${JSON.stringify(created.body)}`);
}

/** The request for a digitron 1.2.1 deployment (helm, namespace margo-poc, `digitronValues`); `extra` adds or overrides. */
export function digitronRequest(repository: string, target: string, extra: Record<string, unknown> = {}) {
  return {
    repository,
    applicationId: DIGITRON_ID,
    version: DIGITRON_VERSION,
    profile: 'helm',
    target,
    namespace: 'margo-poc',
    values: digitronValues,
    ...extra,
  };
}
