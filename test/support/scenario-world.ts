/**
 * The Node side of the end-to-end scenario (scenario.ts): the `scenario` registry on the real test
 * Git server, the fake GitHub with `acme/fleet`, and `instances` real `margo-bridge serve`
 * processes (the sources, `spawnService`) sharing one database: SQLite in a data directory of
 * their own when `databaseUrl` is absent (one instance), else that PostgreSQL database, each
 * process with its own data directory as on separate hosts, and the same secret key.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type FakeGitHub, startFakeGitHub } from './fake-github/index.js';
import { type GitServer, startGitServer } from './git-server.js';
import {
  createRegistryRoot,
  helloPackage,
  type PackageFiles,
  publishRelease,
  removeRegistryRoot,
} from './registries.js';
import {
  FIRST_VERSION,
  SCENARIO_APPLICATION,
  SCENARIO_REGISTRY,
  type ScenarioService,
  type ScenarioWorld,
} from './scenario.js';
import { type LoggedService, spawnService, writeServiceConfig } from './service-process.js';

/**
 * The hello-world package at `version` as the application SCENARIO_APPLICATION (its own id, so
 * that it never meets the demo's or another suite's hello-world), whose chart revision follows the
 * version, so that a deployment moved to a new version renders different files (a new commit).
 */
export async function scenarioRelease(version: string): Promise<PackageFiles> {
  const files = await helloPackage(version);
  const description = files['margo.yaml'];
  if (typeof description !== 'string') return files;
  const text = description
    .replace(/^id: \S+$/m, `id: ${SCENARIO_APPLICATION}`)
    .replace(/revision: \S+/, `revision: ${version}`);
  return { ...files, 'margo.yaml': text };
}

/** What every Node-side scenario needs around the services: the registry and the fake GitHub. */
export interface ScenarioParts extends Omit<ScenarioWorld, 'services'> {
  gitHub: FakeGitHub;
  gitServer: GitServer;
  close(): Promise<void>;
}

/** The `scenario` registry with its first release on the real Git server, and `acme/fleet` on the fake GitHub. */
export async function startScenarioParts(): Promise<ScenarioParts> {
  const root = await createRegistryRoot();
  let gitServer: GitServer | undefined;
  let gitHub: FakeGitHub | undefined;
  const close = async () => {
    await gitHub?.stop();
    await gitServer?.stop();
    await removeRegistryRoot(root);
  };
  try {
    await publishRelease(root, SCENARIO_REGISTRY, `v${FIRST_VERSION}`, await scenarioRelease(FIRST_VERSION));
    const server = await startGitServer({ root });
    gitServer = server;
    const github = await startFakeGitHub();
    gitHub = github;
    await github.createRepo({
      owner: 'acme',
      repo: 'fleet',
      defaultBranch: 'main',
      files: { 'README.md': '# fleet\n' },
    });
    return {
      registry: { cloneUrl: server.url(SCENARIO_REGISTRY), htmlUrl: `${server.baseUrl}/${SCENARIO_REGISTRY}` },
      github: { apiUrl: github.apiUrl, token: github.addToken(), owner: 'acme', repo: 'fleet' },
      async publish(version) {
        await publishRelease(root, SCENARIO_REGISTRY, `v${version}`, await scenarioRelease(version));
      },
      gitHub: github,
      gitServer: server,
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

export interface NodeScenarioWorld extends ScenarioWorld, ScenarioParts {
  processes: LoggedService[];
}

export async function startScenarioWorld(options: {
  instances: number;
  databaseUrl?: string;
}): Promise<NodeScenarioWorld> {
  const parts = await startScenarioParts();
  const dir = await mkdtemp(join(tmpdir(), 'mb-scenario-'));
  const processes: LoggedService[] = [];
  const close = async () => {
    await Promise.all(processes.map((service) => service.kill('SIGTERM')));
    await parts.close();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const adminToken = `scenario-admin-${randomBytes(12).toString('hex')}`;
    const webhookSecret = randomBytes(16).toString('hex');
    const config = await writeServiceConfig(dir, {
      allowPrivateNetworks: true,
      webhooks: { secrets: [webhookSecret] },
      // Short leases: a proposal's stand-by job runs one lease after the request that made it.
      jobs: { leaseSeconds: 3, pollIntervalMs: 100 },
      polling: { tick: 1 },
    });
    const env = {
      PORT: '0',
      MARGO_BRIDGE_CONFIG: config,
      MARGO_BRIDGE_ADMIN_TOKEN: adminToken,
      MARGO_BRIDGE_SECRET_KEY: randomBytes(32).toString('hex'),
      ...(options.databaseUrl ? { DATABASE_URL: options.databaseUrl } : {}),
    };
    for (let index = 0; index < options.instances; index++) {
      const dataDir = join(dir, `instance-${index + 1}`);
      await mkdir(dataDir);
      processes.push(spawnService(['serve'], { ...env, MARGO_BRIDGE_DATA_DIR: dataDir }));
    }
    const services: ScenarioService[] = [];
    for (const service of processes) {
      const listening = await service.waitFor('margo-bridge listening', 90_000).catch((error: unknown) => {
        throw new Error(`${String(error)}; its stderr: ${service.stderr()}`);
      });
      const url = String(listening.url).replace(/\/+$/, '');
      services.push({ url, adminToken, webhookSecret });
    }
    return { ...parts, services, processes, close };
  } catch (error) {
    await close();
    throw error;
  }
}
