/**
 * The RegistryReader for OCI registries (OCI Distribution v1.1, Margo specification §7.2, docs/specification.md A-50), with
 * the platform's HTTP client passed in (registry/node/ on Node: TLS per registry, address guard).
 * Read-only by construction: it only ever sends GET and HEAD.
 *
 * - listReleases: `tags/list` page by page (`n`/`last`, following the `Link` header), the tag
 *   filter, then one `HEAD` per release for its manifest digest (the "commit" of an OCI release):
 *   no manifest or blob is fetched when nothing changed.
 * - readRelease: the manifest by tag (its digest checked against the one the registry names), its
 *   description layer and the resource layers the description references, each blob's digest
 *   verified while it streams, under the same limits and errors as a Git registry.
 * The version is the tag by the D-10 rules (A-50's candidate); a tag now at another digest sets
 * `tagMoved` like a moved Git tag.
 */
import { BridgeError, isBridgeError } from '../../errors.js';
import { type DocumentReport, validateDocument } from '../../margo/index.js';
import type {
  Package,
  PackageFile,
  ReadReleaseOptions,
  RegistryConnection,
  RegistryReader,
  Release,
} from '../interface.js';
import { resourcePath } from '../paths.js';
import { defaultLimits, type RegistryHttp } from '../reader.js';
import { compileTagFilter, versionFromTag } from '../tags.js';
import { digestOf, readVerifiedBlob } from './blob.js';
import { composeArchiveProblems } from './compose-archive.js';
import { descriptorOf, type PackageLayer, parsePackageManifest } from './manifest.js';
import { COMPOSE_ARTIFACT_TYPE, OCI_INDEX, OCI_MANIFEST } from './media-types.js';
import { type OciSession, readAll, statusError, type TokenCache, tokenCache, withOciSession } from './session.js';
import { listTags } from './tags.js';

export interface OciReaderOptions {
  connect(registry: RegistryConnection): RegistryHttp;
  timeoutMs?: number;
  /** Every answer of one release read together (the Git reader's pack limit). */
  maxReleaseBytes?: number;
  maxDescriptionBytes?: number;
  maxResourceBytes?: number;
  tokens?: TokenCache;
  /** Parallel `HEAD` requests while listing releases. */
  concurrency?: number;
}

/** Registries refuse manifests over 4 MiB (the OCI specification's suggested limit). */
const maxManifestBytes = 4 * 1024 * 1024;
const manifestAccept = [OCI_MANIFEST, OCI_INDEX].join(', ');
const resourceFields = ['icon', 'descriptionFile', 'releaseNotes', 'licenseFile'] as const;
/** A listing of many tags reads many pages: its own budget, not the release's. */
const maxListingBytes = 64 * 1024 * 1024;

export function createOciReader(options: OciReaderOptions): RegistryReader {
  const limits = {
    timeoutMs: options.timeoutMs ?? defaultLimits.timeoutMs,
    maxReleaseBytes: options.maxReleaseBytes ?? defaultLimits.maxPackBytes,
    maxDescriptionBytes: options.maxDescriptionBytes ?? defaultLimits.maxDescriptionBytes,
    maxResourceBytes: options.maxResourceBytes ?? defaultLimits.maxResourceBytes,
  };
  const tokens = options.tokens ?? tokenCache();
  const concurrency = options.concurrency ?? 8;
  const session = <T>(registry: RegistryConnection, maxBytes: number, work: (session: OciSession) => Promise<T>) =>
    withOciSession(registry, { connect: options.connect, tokens, timeoutMs: limits.timeoutMs, maxBytes }, work);

  return {
    listReleases(registry) {
      const accept = compileTagFilter(registry);
      return session(registry, maxListingBytes, async (oci) => {
        const tags = (await listTags(oci)).filter(accept);
        const digests = await mapLimited(tags, concurrency, (tag) => manifestDigest(oci, tag));
        return tags.map((tag, index): Release => ({ tag, commit: digests[index]!, version: versionFromTag(tag) }));
      });
    },

    readRelease(registry, tag, readOptions: ReadReleaseOptions = {}) {
      checkTag(tag);
      return session(registry, limits.maxReleaseBytes, async (oci) => {
        const { bytes, contentType, digest } = await readManifest(oci, tag);
        const release: Release = { tag, commit: digest, version: versionFromTag(tag) };
        const manifest = parsePackageManifest(bytes, contentType, tag);
        const description = manifest.description;
        const descriptionText = new TextDecoder().decode(
          await readVerifiedBlob(
            oci,
            description.descriptor,
            limits.maxDescriptionBytes,
            `the description of tag ${tag}`,
          ),
        );
        const files = [description.path, ...manifest.resources.map((layer) => layer.path)].sort();
        const fileSet = new Set(files);
        const report: DocumentReport = validateDocument(descriptionText, { fileExists: (path) => fileSet.has(path) });
        const { resources, problems } = await readResources(oci, report, manifest.resources, tag);
        const pkg: Package = {
          release,
          descriptionPath: description.path,
          descriptionText,
          report,
          resources,
          resourceProblems: [...manifest.problems, ...problems],
          files,
          fetchedBytes: oci.bytes(),
        };
        const previous = readOptions.previousCommit;
        if (previous && previous !== digest) pkg.tagMoved = { previousCommit: previous, commit: digest };
        return pkg;
      });
    },

    checkComposeArtifact(registry, tag) {
      checkTag(tag);
      return session(registry, limits.maxReleaseBytes, async (oci) => {
        const { bytes } = await readManifest(oci, tag);
        let manifest: { artifactType?: unknown; config?: unknown; layers?: unknown };
        try {
          manifest = JSON.parse(new TextDecoder().decode(bytes)) as typeof manifest;
        } catch {
          return [`the manifest of ${tag} is not JSON`];
        }
        const declared =
          typeof manifest.artifactType === 'string'
            ? manifest.artifactType
            : descriptorOf(manifest.config, `the config of ${tag}`).mediaType;
        if (declared !== COMPOSE_ARTIFACT_TYPE) return [`${tag} is a ${declared}, not a ${COMPOSE_ARTIFACT_TYPE}`];
        const layers = (Array.isArray(manifest.layers) ? manifest.layers : []).map((layer, index) =>
          descriptorOf(layer, `layer ${index} of ${tag}`),
        );
        const archives = layers.filter((layer) => layer.mediaType.endsWith('compose.tar+gzip'));
        if (archives.length !== 1) return [`${tag} has ${archives.length} compose.tar+gzip layers; it needs one`];
        const archive = await readVerifiedBlob(
          oci,
          archives[0]!,
          limits.maxResourceBytes,
          `the compose archive of ${tag}`,
        );
        return composeArchiveProblems(archive, limits.maxReleaseBytes);
      });
    },
  };

  /** The resource layers the description's catalog names; a missing, unsafe or oversized one is a problem, not a failure. */
  async function readResources(oci: OciSession, report: DocumentReport, layers: PackageLayer[], tag: string) {
    const resources: PackageFile[] = [];
    const problems: Package['resourceProblems'] = [];
    const application = report.description?.metadata.catalog.application ?? {};
    const seen = new Set<string>();
    for (const field of resourceFields) {
      const reference = application[field];
      if (typeof reference !== 'string' || reference.trim() === '' || seen.has(reference)) continue;
      seen.add(reference);
      try {
        const path = resourcePath('', reference);
        const layer = layers.find((candidate) => candidate.path === path);
        if (!layer) throw new BridgeError('NOT_FOUND', `${field} ${path} is not a layer of tag ${tag}`);
        const bytes = await readVerifiedBlob(oci, layer.descriptor, limits.maxResourceBytes, `${field} ${path}`);
        resources.push({ path, bytes });
      } catch (error) {
        if (!isBridgeError(error, 'NOT_FOUND') && !isBridgeError(error, 'UNSAFE_PATH') && !isResourceLimit(error)) {
          throw error;
        }
        problems.push({ path: reference, code: error.code, message: error.message });
      }
    }
    return { resources, problems };
  }

  /** A resource over its own limit; the release's byte budget running out fails the whole read instead. */
  function isResourceLimit(error: unknown): error is BridgeError {
    return (
      isBridgeError(error, 'LIMIT_EXCEEDED') && (error.details as { limit?: number })?.limit === limits.maxResourceBytes
    );
  }
}

async function readManifest(oci: OciSession, tag: string) {
  const response = await oci.request('GET', `manifests/${tag}`, manifestAccept);
  if (response.statusCode !== 200) throw await statusError(response, response.url, tag);
  const bytes = await readAll(response, maxManifestBytes, `the manifest of tag ${tag}`);
  const named = response.headers?.['docker-content-digest'];
  const algorithm = named?.startsWith('sha512:') ? 'sha512' : 'sha256';
  const digest = digestOf(bytes, algorithm);
  if (named !== undefined && named !== digest) {
    throw new BridgeError(
      'REGISTRY_PROTOCOL',
      `the manifest of tag ${tag} has digest ${digest}, but the registry named ${named}`,
    );
  }
  return { bytes, contentType: response.headers?.['content-type'], digest };
}

/** The manifest digest of a tag from a HEAD; registries that do not name it in HEAD answers get a GET. */
async function manifestDigest(oci: OciSession, tag: string): Promise<string> {
  const response = await oci.request('HEAD', `manifests/${tag}`, manifestAccept);
  if (response.statusCode !== 200) throw await statusError(response, response.url, tag);
  for await (const _ of response.body ?? []) {
    // A HEAD answer has no body; draining keeps the connection reusable.
  }
  const named = response.headers?.['docker-content-digest'];
  if (named !== undefined && /^sha(256|512):[a-f0-9]+$/.test(named)) return named;
  return (await readManifest(oci, tag)).digest;
}

/** Tags go into request paths: the OCI tag grammar only. */
function checkTag(tag: string): void {
  if (!/^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$/.test(tag)) {
    throw new BridgeError('BAD_REQUEST', `"${tag}" is not a valid OCI tag`);
  }
}

async function mapLimited<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    for (let index = next++; index < items.length; index = next++) results[index] = await work(items[index]!);
  });
  await Promise.all(workers);
  return results;
}
