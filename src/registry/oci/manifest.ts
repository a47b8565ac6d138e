/**
 * A Margo application package's OCI image manifest (§7.2): checks the media type and the artifact
 * type (or, on registries that predate `artifactType`, the config media type) and sorts the layers
 * into the one description layer and the resource layers, each named by its
 * `org.margo.app.resource` annotation (or the OCI title, A-50). Layer paths that would leave the
 * package are problems of that resource, like an unsafe path in a Git package.
 */
import { BridgeError, isBridgeError } from '../../errors.js';
import { resourcePath } from '../paths.js';
import {
  DESCRIPTION_MEDIA_TYPE,
  MARGO_ARTIFACT_TYPE,
  OCI_INDEX,
  OCI_MANIFEST,
  RESOURCE_ANNOTATION,
  resourceRole,
  TITLE_ANNOTATION,
} from './media-types.js';

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
}

export interface PackageLayer {
  /** Path relative to the package root, as the description names it. */
  path: string;
  descriptor: Descriptor;
}

export interface PackageManifest {
  description: PackageLayer;
  resources: PackageLayer[];
  problems: { path: string; code: string; message: string }[];
}

const digestPattern = /^(sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128})$/;

export function parsePackageManifest(bytes: Uint8Array, contentType: string | undefined, tag: string): PackageManifest {
  let manifest: {
    mediaType?: unknown;
    artifactType?: unknown;
    config?: unknown;
    layers?: unknown;
  };
  try {
    manifest = JSON.parse(new TextDecoder().decode(bytes)) as typeof manifest;
  } catch {
    throw new BridgeError('REGISTRY_PROTOCOL', `the manifest of tag ${tag} is not JSON`);
  }
  const mediaType = typeof manifest.mediaType === 'string' ? manifest.mediaType : contentType?.split(';')[0]?.trim();
  if (mediaType === OCI_INDEX) {
    throw new BridgeError('NO_DESCRIPTION', `tag ${tag} is an image index, not a Margo application package`);
  }
  if (mediaType !== OCI_MANIFEST) {
    throw new BridgeError(
      'NO_DESCRIPTION',
      `tag ${tag} has a manifest of type ${String(mediaType)}; a Margo package is an ${OCI_MANIFEST}`,
    );
  }
  const config = descriptorOf(manifest.config, `the config of tag ${tag}`);
  const artifactType = typeof manifest.artifactType === 'string' ? manifest.artifactType : undefined;
  const declared = artifactType ?? config.mediaType;
  if (declared !== MARGO_ARTIFACT_TYPE) {
    throw new BridgeError(
      'NO_DESCRIPTION',
      `tag ${tag} is not a Margo application package: its ${artifactType ? 'artifactType' : 'config media type'} is ${declared}, not ${MARGO_ARTIFACT_TYPE}`,
    );
  }
  if (!Array.isArray(manifest.layers))
    throw new BridgeError('REGISTRY_PROTOCOL', `the manifest of tag ${tag} has no layers`);
  const layers = manifest.layers.map((layer, index) => descriptorOf(layer, `layer ${index} of tag ${tag}`));

  const descriptions = layers.filter((layer) => layer.mediaType === DESCRIPTION_MEDIA_TYPE);
  if (descriptions.length !== 1) {
    throw new BridgeError(
      'NO_DESCRIPTION',
      descriptions.length === 0
        ? `tag ${tag} has no description layer (${DESCRIPTION_MEDIA_TYPE})`
        : `tag ${tag} has ${descriptions.length} description layers; a package has one`,
    );
  }
  const description = descriptions[0]!;
  const problems: PackageManifest['problems'] = [];
  const resources: PackageLayer[] = [];
  for (const layer of layers) {
    if (resourceRole(layer.mediaType) === undefined) continue;
    const named = layer.annotations?.[RESOURCE_ANNOTATION] ?? layer.annotations?.[TITLE_ANNOTATION];
    if (named === undefined) {
      problems.push({
        path: layer.digest,
        code: 'NOT_FOUND',
        message: `resource layer ${layer.digest} (${layer.mediaType}) has no ${RESOURCE_ANNOTATION} annotation naming its file`,
      });
      continue;
    }
    try {
      resources.push({ path: resourcePath('', named), descriptor: layer });
    } catch (error) {
      if (!isBridgeError(error)) throw error;
      problems.push({ path: named, code: error.code, message: error.message });
    }
  }
  const descriptionName = description.annotations?.[RESOURCE_ANNOTATION] ?? description.annotations?.[TITLE_ANNOTATION];
  let descriptionPath = 'margo.yaml';
  if (descriptionName !== undefined) {
    try {
      descriptionPath = resourcePath('', descriptionName);
    } catch {
      // The description's own name is only shown; an unsafe one is not used.
    }
  }
  return { description: { path: descriptionPath, descriptor: description }, resources, problems };
}

export function descriptorOf(value: unknown, what: string): Descriptor {
  const candidate = value as Partial<Descriptor> | null;
  if (
    typeof candidate !== 'object' ||
    candidate === null ||
    typeof candidate.mediaType !== 'string' ||
    typeof candidate.digest !== 'string' ||
    !digestPattern.test(candidate.digest) ||
    typeof candidate.size !== 'number' ||
    !Number.isSafeInteger(candidate.size) ||
    candidate.size < 0
  ) {
    throw new BridgeError('REGISTRY_PROTOCOL', `${what} is not a valid descriptor (mediaType, digest, size)`);
  }
  const annotations =
    typeof candidate.annotations === 'object' && candidate.annotations !== null
      ? Object.fromEntries(Object.entries(candidate.annotations).filter(([, v]) => typeof v === 'string'))
      : undefined;
  return {
    mediaType: candidate.mediaType,
    digest: candidate.digest,
    size: candidate.size,
    ...(annotations ? { annotations: annotations as Record<string, string> } : {}),
  };
}
