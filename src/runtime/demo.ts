/**
 * The demonstration registry of `serve --demo` (`npm start`): the example package in
 * examples/demo-package is committed into a local bare repository (tag derived from its
 * metadata.version), served read-only over smart HTTP on 127.0.0.1, and pre-configured as the
 * registry `demo`, so a newcomer sees a catalogue entry without an account or a network.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { isScalar, parseDocument } from 'yaml';
import type { ConfiguredRegistry } from '../config/schema.js';
import type { Logger } from '../logger.js';
import type { Package, RegistryConnection, RegistryReader, Release } from '../registry/interface.js';
import { handleGitHttpBackend } from './git-http-backend.js';

const run = promisify(execFile);

export const DEMO_REGISTRY_NAME = 'demo';
export const demoPackageDir = fileURLToPath(new URL('../../examples/demo-package/', import.meta.url));

export interface DemoRegistry {
  /** Clone URL on 127.0.0.1. */
  url: string;
  registry: ConfiguredRegistry;
  stop(): Promise<void>;
}

export async function startDemoRegistry(options: {
  dataDir: string;
  logger: Logger;
  packageDir?: string;
}): Promise<DemoRegistry> {
  const projectRoot = path.join(options.dataDir, 'demo');
  const bare = path.join(projectRoot, 'demo.git');
  if (!existsSync(bare)) await buildRepository(options.packageDir ?? demoPackageDir, bare);

  const server = createServer((request, response) => {
    const pathname = new URL(request.url ?? '/', 'http://localhost').pathname;
    if (!pathname.startsWith('/demo.git/')) {
      response.writeHead(404).end();
      return;
    }
    handleGitHttpBackend(request, response, { projectRoot, pathInfo: pathname }).catch(() => {
      if (!response.headersSent) response.writeHead(500);
      response.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}/demo.git`;
  options.logger.info({ url }, 'demonstration registry serving');
  return {
    url,
    registry: {
      name: DEMO_REGISTRY_NAME,
      url,
      subPath: '',
      strictVersion: false,
      allowHttp: true,
      pollInterval: 60,
    },
    stop: () => closeServer(server),
  };
}

/**
 * Sends the demo registry's requests to a reader that allows loopback addresses; every other
 * registry keeps the operator's setting.
 */
export function withDemoReader(demoUrl: string, demoReader: RegistryReader, reader: RegistryReader): RegistryReader {
  const pick = (connection: RegistryConnection) =>
    connection.url === new URL(demoUrl).toString() ? demoReader : reader;
  return {
    listReleases: (connection): Promise<Release[]> => pick(connection).listReleases(connection),
    readRelease: (connection, tag): Promise<Package> => pick(connection).readRelease(connection, tag),
  };
}

/** A fixed author and date make the commit id the same each time it is built. */
const gitEnv: NodeJS.ProcessEnv = {
  PATH: process.env.PATH ?? '/usr/bin:/bin',
  HOME: tmpdir(),
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_AUTHOR_NAME: 'margo-bridge demo',
  GIT_AUTHOR_EMAIL: 'demo@margo-bridge.invalid',
  GIT_COMMITTER_NAME: 'margo-bridge demo',
  GIT_COMMITTER_EMAIL: 'demo@margo-bridge.invalid',
  GIT_AUTHOR_DATE: '2026-01-01T00:00:00Z',
  GIT_COMMITTER_DATE: '2026-01-01T00:00:00Z',
};

async function git(args: string[], cwd: string): Promise<void> {
  await run('git', args, { cwd, env: gitEnv });
}

async function buildRepository(packageDir: string, bare: string): Promise<void> {
  // The version's source text: `version: 1.0` must give the tag v1.0, not v1 (D-10).
  const document = parseDocument(await readFile(path.join(packageDir, 'margo.yaml'), 'utf8'));
  const node = document.getIn(['metadata', 'version'], true);
  const tag = `v${isScalar(node) && node.source !== undefined ? node.source : String(node ?? '1.0.0')}`;
  const work = await mkdtemp(path.join(tmpdir(), 'margo-bridge-demo-'));
  try {
    await cp(packageDir, work, { recursive: true });
    await git(['init', '--quiet', '--initial-branch=main'], work);
    await git(['add', '--all'], work);
    await git(['commit', '--quiet', '--message', 'Demonstration package'], work);
    await git(['tag', '--annotate', tag, '--message', `Release ${tag}`], work);
    await mkdir(path.dirname(bare), { recursive: true });
    await git(['clone', '--quiet', '--bare', work, bare], path.dirname(bare));
    await git(['config', 'http.receivepack', 'false'], bare);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}
