import type { DocumentReport } from '../margo/index.js';

/**
 * Read-only access to an Application Registry (a Git repository; a tag is a release).
 * There is deliberately no operation that writes.
 */

export type RegistryAuth =
  | { type: 'none' }
  | { type: 'basic'; username: string; password: string }
  | { type: 'bearer'; token: string };

export interface RegistryTls {
  /** PEM bundle of extra trusted CAs for this registry only. */
  caCert?: string;
  /** PEM client certificate and key for mTLS. */
  clientCert?: string;
  clientKey?: string;
}

/** `git`: a Git repository, a tag is a release; `oci`: an OCI repository, a tag's manifest is a release. */
export type RegistryKind = 'git' | 'oci';

export interface RegistryConnection {
  /** Default `git`. */
  kind?: RegistryKind;
  /** Clone URL, https:// (http:// only with allowHttp); for `oci`, https://host/<repository name>. Never contains credentials. */
  url: string;
  allowHttp?: boolean;
  /** Package directory inside the repository ('' = root). */
  subPath?: string;
  /** Glob (`v*`) or `/regex/` on tag names. */
  tagPattern?: string;
  /** semver range on the version derived from the tag, e.g. `>=1.2 <2`. */
  semverRange?: string;
  /** D-10: a tag/metadata.version mismatch is an error rather than a warning. */
  strictVersion?: boolean;
  auth: RegistryAuth;
  tls?: RegistryTls;
  /** Milliseconds; default 30 000. */
  timeoutMs?: number;
}

export interface Release {
  tag: string;
  /** The commit the tag points to (annotated tags peeled); for `oci`, the manifest digest (`sha256:…`). */
  commit: string;
  /** Tag name minus an optional leading `v` (D-10). */
  version: string;
}

export interface PackageFile {
  /** Path relative to the package root. */
  path: string;
  bytes: Uint8Array;
}

export interface Package {
  release: Release;
  /** Path of the description relative to the package root, e.g. `margo.yaml`. */
  descriptionPath: string;
  descriptionText: string;
  /**
   * The description validated by the reader, with the catalog-file check when `files` is
   * set, so ingest does not validate it again. Readers that leave it out get validated at ingest.
   */
  report?: DocumentReport;
  /** Referenced resources that could be read (icon, descriptionFile, releaseNotes, licenseFile). */
  resources: PackageFile[];
  /** Problems with resources that did not prevent reading the description (missing file, unsafe path, too large). */
  resourceProblems: { path: string; code: string; message: string }[];
  /**
   * Every file in the package (blobs, symbolic links included), relative to its root, sorted: the
   * lookup behind the catalog-file check. Absent when the package is too large to list.
   */
  files?: string[];
  /** D-10: set when `previousCommit` was given and the tag now points to another commit. */
  tagMoved?: { previousCommit: string; commit: string };
  /** Response bytes received from the registry for this read (0 when the objects were cached). */
  fetchedBytes?: number;
}

export interface ReadReleaseOptions {
  /** The commit recorded when this tag was first read; a different commit now sets `Package.tagMoved`. */
  previousCommit?: string;
}

export interface RegistryReader {
  listReleases(registry: RegistryConnection): Promise<Release[]>;
  readRelease(registry: RegistryConnection, tag: string, options?: ReadReleaseOptions): Promise<Package>;
  /**
   * The problems of a compose component published as an OCI artifact (SUP-01: artifact type, one
   * `compose.tar+gzip` layer, one top-level directory with `compose.yaml`, no escaping paths or
   * links); [] when it is sound. Throws when the artifact cannot be read. OCI readers only.
   */
  checkComposeArtifact?(registry: RegistryConnection, tag: string): Promise<string[]>;
}
