/**
 * The registry module's runtime-independent surface. On Node use `registry/node/` (TLS per
 * registry, address guard, disk cache); on Workers pass isomorphic-git's `http/web` client and
 * `memoryStorage()` to `createRegistryReader`.
 */

export { readerByKind } from './by-kind.js';
export type * from './interface.js';
export { MemoryFs } from './memory-fs.js';
export { createOciReader, type OciReaderOptions } from './oci/reader.js';
export { normaliseSubPath, resourcePath } from './paths.js';
export { createRegistryReader, defaultLimits, type RegistryHttp, type RegistryReaderOptions } from './reader.js';
export { memoryStorage, type ObjectStorage, type ObjectStore } from './storage.js';
export { compileTagFilter, versionFromTag } from './tags.js';
