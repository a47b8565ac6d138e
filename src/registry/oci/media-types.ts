/**
 * The OCI names of a Margo application package (Margo specification §7.2, docs/specification.md A-50): the artifact type, the
 * description layer, the resource layers (one per file) and the annotation naming each file.
 */
export const MARGO_ARTIFACT_TYPE = 'application/vnd.margo.app.v1+json';
export const DESCRIPTION_MEDIA_TYPE = 'application/vnd.margo.app.description.v1+yaml';
export const RESOURCE_ANNOTATION = 'org.margo.app.resource';
/** Older pushers name the file only with the OCI title annotation (the specification's example manifest, A-50). */
export const TITLE_ANNOTATION = 'org.opencontainers.image.title';
export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
export const OCI_EMPTY = 'application/vnd.oci.empty.v1+json';
/** A compose component published as an OCI artifact (SUP-01). */
export const COMPOSE_ARTIFACT_TYPE = 'application/vnd.org.margo.component.compose+json';

/** `application/vnd.margo.app.<role>.v1+<format>`: the catalogue role of a resource layer. */
const resourceMediaType =
  /^application\/vnd\.margo\.app\.(icon|descriptionFile|licenseFile|releaseNotes)\.v1\+[\w.-]+$/;

export function resourceRole(mediaType: string): string | undefined {
  return resourceMediaType.exec(mediaType)?.[1];
}
