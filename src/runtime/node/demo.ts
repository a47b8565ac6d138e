/**
 * The demonstration registry of `serve --demo` (`npm start`): the example package in
 * examples/demo-package is committed into a local bare repository (tag derived from its
 * metadata.version; a changed package gets a new commit and tag, see demo-repository.ts), served read-only over smart HTTP on 127.0.0.1, and pre-configured as the
 * registry `demo`, so a newcomer sees a catalogue entry without an account or a network.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DeploymentRepositoryConfig } from '../../config/deployment-repositories.js';
import type { ConfiguredRegistry } from '../../config/schema.js';
import type { Logger } from '../../logger.js';
import type { Package, RegistryConnection, RegistryReader, Release } from '../../registry/interface.js';
import { syncDemoRepository } from './demo-repository.js';
import { handleGitHttpBackend } from './git-http-backend.js';

export const DEMO_REGISTRY_NAME = 'demo';
export const DEMO_DEPLOYMENT_REPOSITORY = 'local';
export const demoPackageDir = fileURLToPath(new URL('../../../examples/demo-package/', import.meta.url));

export interface DemoRegistry {
  /** Clone URL on 127.0.0.1. */
  url: string;
  registry: ConfiguredRegistry;
  /** The `local` deployment repository the demo proposes to (a bare repository under the data directory). */
  deploymentRepository: DeploymentRepositoryConfig;
  stop(): Promise<void>;
}

export async function startDemoRegistry(options: {
  dataDir: string;
  logger: Logger;
  packageDir?: string;
}): Promise<DemoRegistry> {
  const projectRoot = path.join(options.dataDir, 'demo');
  const tag = await syncDemoRepository({
    packageDir: options.packageDir ?? demoPackageDir,
    projectRoot,
    logger: options.logger,
  });
  if (tag) options.logger.info({ tag }, 'demonstration registry release published');

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
    deploymentRepository: { provider: 'local', name: DEMO_DEPLOYMENT_REPOSITORY },
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
  const demo = new URL(demoUrl).toString();
  const pick = (connection: RegistryConnection) => (connection.url === demo ? demoReader : reader);
  return {
    listReleases: (connection): Promise<Release[]> => pick(connection).listReleases(connection),
    readRelease: (connection, tag, options): Promise<Package> => pick(connection).readRelease(connection, tag, options),
  };
}

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}
