/**
 * margo-bridge serving its web pages for browser tests: the real runtime (SQLite in a temporary
 * data directory, workers, scheduler, HTTP server on 127.0.0.1:0) plus a real Git server holding
 * the digitron example as a registry, and one token per role.
 *
 *   const ui = await startUiService();
 *   ui.url, ui.tokens.admin / operator / viewer, ui.registryUrl (the digitron registry's clone URL), ui.registryRoot
 *   await ui.stop();
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveConfig } from '../../src/config/resolve.js';
import type { ConfigInput } from '../../src/config/schema.js';
import { buildRuntime, type RunningService, startService } from '../../src/runtime/node/index.js';
import type { Services } from '../../src/services.js';
import type { Role } from '../../src/store/interface.js';
import { type GitServer, startGitServer } from './git-server.js';
import { recordingLogger } from './recording-logger.js';
import {
  createRegistryRoot,
  exampleText,
  fixturePackagesDir,
  publishRelease,
  removeRegistryRoot,
} from './registries.js';

export const digitronExample =
  'margo-specification_pre-draft_application-package-definition_digitron-orchestrator.margo.yaml';
export const DIGITRON_ID = 'com-northstartida-digitron-orchestrator';
export const DIGITRON_VERSION = '1.2.1';

/** Release notes an attacker controls: the page must show them as text, never run them. */
export const hostileReleaseNotes = [
  '# Release notes',
  '',
  'Faster polling. <script>window.pwned = "script"</script>',
  '',
  '<img src="x" onerror="window.pwned = \'img\'">',
  '',
  '[Click me](javascript:window.pwned=1) and [docs](https://example.com/docs).',
  '',
].join('\n');

export interface UiService {
  url: string;
  services: Services;
  tokens: Record<Role, string>;
  registryUrl: string;
  /** The bare repositories the Git server serves (start more servers on it: TLS, credentials). */
  registryRoot: string;
  git: GitServer;
  stop(): Promise<void>;
}

export async function startUiService(config: ConfigInput = {}): Promise<UiService> {
  const registryRoot = await createRegistryRoot();
  const resources = new URL('resources/resources/', fixturePackagesDir);
  await publishRelease(registryRoot, 'digitron', 'v1.2.1', {
    'margo.yaml': (await exampleText(digitronExample)).replace(/version: 1\.2\.1 *$/m, 'version: 1.2.1'),
    'resources/ndo-logo.png': await readFile(new URL('hw-logo.png', resources)),
    'resources/description.md': '# Digitron\n\nOrchestrates **Digitron** instruments.\n',
    'resources/release-notes.md': hostileReleaseNotes,
    'resources/license.pdf': await readFile(new URL('license.pdf', resources)),
  });
  const git = await startGitServer({ root: registryRoot });
  const dataDir = await mkdtemp(join(tmpdir(), 'mb-ui-'));
  const resolved = resolveConfig({
    file: {
      dataDir,
      port: 0,
      host: '127.0.0.1',
      allowPrivateNetworks: true,
      adminToken: 'ui-test-admin-token-0123456789',
      polling: { tick: 1 },
      jobs: { pollIntervalMs: 50 },
      ...config,
    },
    env: {},
  });
  const runtime = await buildRuntime(resolved, { logger: recordingLogger([]) });
  let service: RunningService;
  try {
    service = await startService(runtime);
  } catch (error) {
    await runtime.close();
    throw error;
  }
  const { services } = runtime;
  const tokens: Record<Role, string> = { admin: 'ui-test-admin-token-0123456789', operator: '', viewer: '' };
  for (const role of ['operator', 'viewer'] as const) {
    tokens[role] = services.generateToken();
    await services.store.tokens.create({
      name: `${role} tester`,
      role,
      tokenHash: await services.hashToken(tokens[role]),
    });
  }
  return {
    url: service.url,
    services,
    tokens,
    registryUrl: git.url('digitron'),
    registryRoot,
    git,
    async stop() {
      await service.stop();
      await git.stop();
      await removeRegistryRoot(registryRoot);
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Calls the API as the admin; an answer other than 2xx throws with its status and body. */
export async function adminApi(ui: UiService, method: string, path: string, body?: unknown): Promise<{ id: string }> {
  const response = await fetch(`${ui.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${ui.tokens.admin}`, 'content-type': 'application/json' },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
  return JSON.parse(text) as { id: string };
}

const INGEST_WAIT_MS = 20_000;

/**
 * Adds the registry `name` at `url` (plain HTTP allowed) through the API and waits, 20 s at most,
 * until it has ingested `applicationId` at `version`; returns the registry's id.
 */
export async function addRegistryAndWait(
  ui: UiService,
  registry: { name: string; url: string },
  applicationId: string,
  version: string,
): Promise<string> {
  const { id } = await adminApi(ui, 'POST', '/api/v1/registries', { ...registry, allowHttp: true });
  const deadline = Date.now() + INGEST_WAIT_MS;
  while (!(await ui.services.store.versions.get(applicationId, version))) {
    if (Date.now() > deadline) throw new Error(`the ${registry.name} version was not ingested in time`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return id;
}
