/**
 * The RegistryReader for Node: isomorphic-git with a per-registry HTTP client (TLS settings,
 * outbound address guard) and object storage on disk (a cache) or in memory.
 */
import type { RegistryReader } from '../interface.js';
import { createRegistryReader } from '../reader.js';
import { memoryStorage, type ObjectStorage } from '../storage.js';
import { diskStorage } from './disk-storage.js';
import { createNodeHttpClient } from './http-client.js';

export { checkAddress, classifyAddress, guardHost } from './address-guard.js';
export { diskStorage } from './disk-storage.js';

export interface NodeRegistryReaderOptions {
  /**
   * A disk cache, memory, or a storage instance: readers over one cache directory should share one
   * instance (`diskStorage(…)`), so their reads of one registry take turns instead of fetching twice.
   */
  storage: { kind: 'disk'; dir: string; maxBytes?: number } | { kind: 'memory' } | ObjectStorage;
  /** Allow loopback and private addresses (tests, the local demo); link-local and metadata stay refused. */
  allowPrivateNetworks: boolean;
  /** Limit on one release's fetched pack; default 100 MiB. */
  maxPackBytes?: number;
  /** Default timeout of one operation, overridden per registry by `timeoutMs`; default 30 s. */
  timeoutMs?: number;
}

export function createNodeRegistryReader(options: NodeRegistryReaderOptions): RegistryReader {
  const storage = storageOf(options.storage);
  return createRegistryReader({
    storage,
    connect: (registry) =>
      createNodeHttpClient({
        allowPrivateNetworks: options.allowPrivateNetworks,
        allowHttp: registry.allowHttp === true,
        ...(registry.tls ? { tls: registry.tls } : {}),
      }),
    ...(options.maxPackBytes !== undefined ? { maxPackBytes: options.maxPackBytes } : {}),
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
  });
}

function storageOf(option: NodeRegistryReaderOptions['storage']): ObjectStorage {
  if ('use' in option) return option;
  if (option.kind === 'memory') return memoryStorage();
  return diskStorage({ dir: option.dir, ...(option.maxBytes ? { maxBytes: option.maxBytes } : {}) });
}
