/**
 * The tests' OCI push client (the OCI Distribution push API: upload sessions, monolithic or
 * chunked, then the manifest), and Margo packages as OCI artifacts (margo-reference.md §7.2).
 *
 *   await pushPackage(registry, 'apps/hello', '1.2.0', await helloPackage('1.2.0'));
 *   await pushPackage(registry, 'apps/x', 'bad', files, { artifactType: 'application/other' });
 *   const digest = await pushBlob(registry, 'apps/x', bytes, { chunked: true });
 *   await pushManifest(registry, 'apps/x', 'tag', manifestObject);
 */
import { createHash } from 'node:crypto';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { gzipSync } from 'node:zlib';
import { type OciRegistry, PUSH_USER_AGENT } from './oci-registry.js';
import type { PackageFiles } from './registries.js';

export const ARTIFACT_TYPE = 'application/vnd.margo.app.v1+json';
export const DESCRIPTION_TYPE = 'application/vnd.margo.app.description.v1+yaml';
const EMPTY_TYPE = 'application/vnd.oci.empty.v1+json';
const MANIFEST_TYPE = 'application/vnd.oci.image.manifest.v1+json';

export interface LayerDescriptor {
  mediaType: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
}

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

async function send(
  registry: OciRegistry,
  method: string,
  url: string,
  headers: Record<string, string>,
  body?: Uint8Array,
): Promise<Answer> {
  const request = url.startsWith('https') ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const outgoing = request(
      url,
      {
        method,
        headers: {
          'user-agent': PUSH_USER_AGENT,
          ...headers,
          ...(body ? { 'content-length': String(body.length) } : {}),
        },
        ...(registry.ca ? { ca: registry.ca, cert: registry.clientCert, key: registry.clientKey } : {}),
      },
      (response) => {
        const parts: Buffer[] = [];
        response.on('data', (chunk: Buffer) => parts.push(chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            body: Buffer.concat(parts).toString(),
          }),
        );
      },
    );
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

function expectStatus(answer: Answer, status: number, what: string): void {
  if (answer.status !== status) throw new Error(`${what}: HTTP ${answer.status} ${answer.body}`);
}

export function sha256Digest(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/** One blob through an upload session: one PUT (monolithic) or PATCHes of `chunkBytes` then a closing PUT. */
export async function pushBlob(
  registry: OciRegistry,
  name: string,
  bytes: Uint8Array,
  options: { chunked?: boolean; chunkBytes?: number } = {},
): Promise<string> {
  const auth = await registry.pushAuthorization(name);
  const authHeader: Record<string, string> = auth ? { authorization: auth } : {};
  const digest = sha256Digest(bytes);
  const started = await send(
    registry,
    'POST',
    `${registry.origin}/v2/${name}/blobs/uploads/`,
    authHeader,
    new Uint8Array(),
  );
  expectStatus(started, 202, 'upload session');
  let location = new URL(String(started.headers.location), registry.origin);
  if (options.chunked) {
    const size = options.chunkBytes ?? Math.max(1, Math.ceil(bytes.length / 3));
    for (let offset = 0; offset < bytes.length; offset += size) {
      const chunk = bytes.subarray(offset, Math.min(offset + size, bytes.length));
      const patched = await send(
        registry,
        'PATCH',
        location.toString(),
        {
          ...authHeader,
          'content-type': 'application/octet-stream',
          'content-range': `${offset}-${offset + chunk.length - 1}`,
        },
        chunk,
      );
      expectStatus(patched, 202, 'upload chunk');
      location = new URL(String(patched.headers.location), registry.origin);
    }
    location.searchParams.set('digest', digest);
    const closed = await send(registry, 'PUT', location.toString(), authHeader, new Uint8Array());
    expectStatus(closed, 201, 'close upload');
  } else {
    location.searchParams.set('digest', digest);
    const put = await send(
      registry,
      'PUT',
      location.toString(),
      { ...authHeader, 'content-type': 'application/octet-stream' },
      bytes,
    );
    expectStatus(put, 201, 'monolithic upload');
  }
  return digest;
}

/** PUTs a manifest under a tag; returns its digest. */
export async function pushManifest(
  registry: OciRegistry,
  name: string,
  tag: string,
  manifest: object,
): Promise<string> {
  const auth = await registry.pushAuthorization(name);
  const bytes = new TextEncoder().encode(JSON.stringify(manifest));
  const answer = await send(
    registry,
    'PUT',
    `${registry.origin}/v2/${name}/manifests/${tag}`,
    { ...(auth ? { authorization: auth } : {}), 'content-type': MANIFEST_TYPE },
    bytes,
  );
  expectStatus(answer, 201, `manifest ${tag}`);
  return sha256Digest(bytes);
}

export interface PushPackageOptions {
  /** Instead of the Margo artifact type; `null` leaves `artifactType` out (the config names the type then). */
  artifactType?: string | null;
  configMediaType?: string;
  withoutDescription?: boolean;
  chunked?: boolean;
  /** Leave out `org.margo.app.resource` (the title annotation names the files then). */
  titleOnly?: boolean;
}

const roles = ['icon', 'descriptionFile', 'releaseNotes', 'licenseFile'] as const;

/** A package's files as a Margo OCI artifact: `margo.yaml` the description layer, each referenced resource a layer. */
export async function pushPackage(
  registry: OciRegistry,
  name: string,
  tag: string,
  files: PackageFiles,
  options: PushPackageOptions = {},
): Promise<{ digest: string; layers: LayerDescriptor[] }> {
  const bytesOf = (content: PackageFiles[string]) =>
    typeof content === 'string' ? new TextEncoder().encode(content) : (content as Uint8Array);
  const description = files['margo.yaml'];
  if (description === undefined || description === null) throw new Error('a package needs margo.yaml');
  const descriptionText =
    typeof description === 'string' ? description : new TextDecoder().decode(bytesOf(description));
  const layers: LayerDescriptor[] = [];
  const annotate = (path: string): Record<string, string> =>
    options.titleOnly
      ? { 'org.opencontainers.image.title': path }
      : { 'org.margo.app.resource': path, 'org.opencontainers.image.title': path };
  if (!options.withoutDescription) {
    const bytes = bytesOf(description);
    layers.push({
      mediaType: DESCRIPTION_TYPE,
      digest: await pushBlob(registry, name, bytes, { chunked: options.chunked ?? false }),
      size: bytes.length,
      annotations: annotate('margo.yaml'),
    });
  }
  for (const role of roles) {
    const reference = new RegExp(`^\\s*${role}:\\s*(\\S+)`, 'm')
      .exec(descriptionText)?.[1]
      ?.replace(/^['"]|['"]$/g, '');
    const path = reference?.replace(/^(\.\/)+/, '');
    const content = path === undefined ? undefined : files[path];
    if (path === undefined || content === undefined || content === null) continue;
    const bytes = bytesOf(content);
    layers.push({
      mediaType: `application/vnd.margo.app.${role}.v1+${formatOf(path)}`,
      digest: await pushBlob(registry, name, bytes, { chunked: options.chunked ?? false }),
      size: bytes.length,
      annotations: annotate(path),
    });
  }
  const manifest = await packageManifest(registry, name, layers, options);
  return { digest: await pushManifest(registry, name, tag, manifest), layers };
}

/** The manifest of a package's layers: the empty config, the Margo artifact type unless told otherwise. */
export async function packageManifest(
  registry: OciRegistry,
  name: string,
  layers: LayerDescriptor[],
  options: Pick<PushPackageOptions, 'artifactType' | 'configMediaType'> = {},
): Promise<object> {
  const config = new TextEncoder().encode('{}');
  const configDigest = await pushBlob(registry, name, config);
  const artifactType = options.artifactType === undefined ? ARTIFACT_TYPE : options.artifactType;
  return {
    schemaVersion: 2,
    mediaType: MANIFEST_TYPE,
    ...(artifactType === null ? {} : { artifactType }),
    config: { mediaType: options.configMediaType ?? EMPTY_TYPE, digest: configDigest, size: config.length },
    layers,
  };
}

function formatOf(path: string): string {
  const extension = /\.([a-z0-9]+)$/i.exec(path)?.[1]?.toLowerCase();
  return extension === 'md' ? 'markdown' : (extension ?? 'octet-stream');
}

export const COMPOSE_ARTIFACT_TYPE = 'application/vnd.org.margo.component.compose+json';

/** A gzipped ustar archive; `link` entries are symbolic links. */
export function composeArchive(entries: { name: string; content?: string; link?: string }[]): Uint8Array {
  const blocks: Buffer[] = [];
  for (const entry of entries) {
    const content = Buffer.from(entry.content ?? '');
    const header = Buffer.alloc(512);
    header.write(entry.name, 0, 100);
    header.write('0000644\0', 100);
    header.write('0000000\0', 108);
    header.write('0000000\0', 116);
    header.write(`${(entry.link ? 0 : content.length).toString(8).padStart(11, '0')}\0`, 124);
    header.write('00000000000\0', 136);
    header.write(entry.link ? '2' : '0', 156);
    if (entry.link) header.write(entry.link, 157, 100);
    header.write('ustar\0', 257);
    header.write('00', 263);
    header.fill(' ', 148, 156);
    let sum = 0;
    for (const byte of header) sum += byte;
    header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
    blocks.push(header);
    if (!entry.link && content.length > 0) {
      blocks.push(content, Buffer.alloc((512 - (content.length % 512)) % 512));
    }
  }
  blocks.push(Buffer.alloc(1024));
  return gzipSync(Buffer.concat(blocks));
}

/** A compose component as an OCI artifact (SUP-01): the compose artifact type, one compose.tar+gzip layer. */
export async function pushComposeArtifact(
  registry: OciRegistry,
  name: string,
  tag: string,
  archive: Uint8Array,
): Promise<string> {
  const layer = {
    mediaType: 'application/vnd.org.margo.component.compose.tar+gzip',
    digest: await pushBlob(registry, name, archive),
    size: archive.length,
  };
  const manifest = await packageManifest(registry, name, [layer], { artifactType: COMPOSE_ARTIFACT_TYPE });
  return pushManifest(registry, name, tag, manifest);
}
