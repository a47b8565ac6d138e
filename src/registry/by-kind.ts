/** One RegistryReader over both registry kinds: each call goes to the reader of the registry's `kind`. */
import type { RegistryKind, RegistryReader } from './interface.js';

export function readerByKind(readers: Record<RegistryKind, RegistryReader>): RegistryReader {
  return {
    listReleases: (registry) => readers[registry.kind ?? 'git'].listReleases(registry),
    readRelease: (registry, tag, options) => readers[registry.kind ?? 'git'].readRelease(registry, tag, options),
    // Compose artifacts live in OCI registries whatever the package's registry is.
    checkComposeArtifact: async (registry, tag) => readers.oci.checkComposeArtifact?.(registry, tag) ?? [],
  };
}
