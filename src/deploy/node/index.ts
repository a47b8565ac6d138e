/**
 * The deployment providers' platform on Node: the data directory's file system for `local`
 * repositories and the registries' HTTP client (per-repository TLS, outbound address guard)
 * for `git`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createNodeHttpClient } from '../../registry/node/http-client.js';
import type { ProviderPlatform } from '../index.js';

export interface NodeProviderOptions {
  dataDir: string;
  /** Allow loopback and private addresses (tests, local servers); link-local and metadata stay refused. */
  allowPrivateNetworks: boolean;
}

/** Where `local` deployment repositories live: `<dataDir>/deployments/<name>.git`. */
export function localRepositoryRoot(dataDir: string): string {
  return path.join(dataDir, 'deployments');
}

export function nodeProviderPlatform(options: NodeProviderOptions): ProviderPlatform {
  return {
    local: { fs, root: localRepositoryRoot(options.dataDir) },
    git: {
      connect: (settings) =>
        createNodeHttpClient({
          allowPrivateNetworks: options.allowPrivateNetworks,
          allowHttp: settings.allowHttp === true,
          ...(settings.tls ? { tls: settings.tls } : {}),
        }),
    },
  };
}
