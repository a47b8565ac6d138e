/**
 * The RegistryReader for Node, Git and OCI registries alike: isomorphic-git or the OCI reader with a per-registry HTTP client (TLS settings,
 * outbound address guard) and object storage on disk (a cache) or in memory.
 */
import { readerByKind } from '../by-kind.js';
import type { RegistryConnection, RegistryReader } from '../interface.js';
import { createOciReader } from '../oci/reader.js';
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
  /** Limit on one release's fetched pack; default 24 MiB (config `ingest.maxPackBytes`). */
  maxPackBytes?: number;
  /** Default timeout of one operation, overridden per registry by `timeoutMs`; default 30 s. */
  timeoutMs?: number;
}

export function createNodeRegistryReader(options: NodeRegistryReaderOptions): RegistryReader {
  const storage = storageOf(options.storage);
  const connect = (registry: RegistryConnection) =>
    createNodeHttpClient({
      allowPrivateNetworks: options.allowPrivateNetworks,
      allowHttp: registry.allowHttp === true,
      ...(registry.tls ? { tls: registry.tls } : {}),
    });
  const timeout = options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {};
  return readerByKind({
    git: createRegistryReader({
      storage,
      connect,
      ...(options.maxPackBytes !== undefined ? { maxPackBytes: options.maxPackBytes } : {}),
      ...timeout,
    }),
    oci: createOciReader({
      connect,
      ...(options.maxPackBytes !== undefined ? { maxReleaseBytes: options.maxPackBytes } : {}),
      ...timeout,
    }),
  });
}

function storageOf(option: NodeRegistryReaderOptions['storage']): ObjectStorage {
  if ('use' in option) return option;
  if (option.kind === 'memory') return memoryStorage();
  return diskStorage({ dir: option.dir, ...(option.maxBytes ? { maxBytes: option.maxBytes } : {}) });
}
