/**
 * Reading registries on Workers: isomorphic-git over fetch, objects in memory (nothing persists
 * between requests), and a pack limit that fits 128 MB. The pack is held in memory storage, once;
 * indexing and reading it add little (registry/pack/): inside workerd an ingest at this limit
 * raised the isolate's array buffers to about 14 MiB (bench/workerd-memory.bench.ts). The whole service shares one Durable Object, so one release
 * may fetch at most EDGE_MAX_PACK_BYTES. A larger one fails with an error that
 * says so; the container reads it (`ingest.maxPackBytes`, 24 MiB by default).
 */
import type { Config } from '../../config/schema.js';
import { BridgeError, isBridgeError } from '../../errors.js';
import {
  createOciReader,
  createRegistryReader,
  memoryStorage,
  type RegistryConnection,
  type RegistryReader,
  readerByKind,
} from '../../registry/index.js';
import { redactUrl } from '../../urls.js';
import { webGitHttp } from './http.js';

export const EDGE_MAX_PACK_BYTES = 12 * 1024 * 1024;

export function edgeRegistryReader(config: Config): RegistryReader {
  const maxPackBytes = Math.min(config.ingest.maxPackBytes, EDGE_MAX_PACK_BYTES);
  const connect = (registry: RegistryConnection) =>
    webGitHttp({ allowHttp: registry.allowHttp, tls: registry.tls, url: registry.url });
  const reader = readerByKind({
    git: createRegistryReader({ storage: memoryStorage(), connect, maxPackBytes }),
    oci: createOciReader({ connect, maxReleaseBytes: maxPackBytes }),
  });
  return {
    listReleases: (registry) => reader.listReleases(registry),
    async readRelease(registry, tag, options) {
      try {
        return await reader.readRelease(registry, tag, options);
      } catch (error) {
        // The edge's own bound, not a smaller one the configuration chose.
        if (maxPackBytes !== EDGE_MAX_PACK_BYTES || !isPackLimit(error, maxPackBytes)) throw error;
        throw new BridgeError(
          'LIMIT_EXCEEDED',
          `release ${tag} of ${redactUrl(registry.url)} is too large for Cloudflare Workers: its pack exceeds ${maxPackBytes} bytes (128 MB of memory per Worker); margo-bridge as a container reads it`,
          { limit: maxPackBytes, edge: true },
          { cause: error },
        );
      }
    },
  };
}

function isPackLimit(error: unknown, limit: number): boolean {
  if (!isBridgeError(error, 'LIMIT_EXCEEDED')) return false;
  const details = error.details as { limit?: unknown } | undefined;
  return details?.limit === limit;
}
