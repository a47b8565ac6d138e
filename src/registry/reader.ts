/**
 * The RegistryReader (isomorphic-git for ref listings and capabilities, its own pack reading in
 * pack/), with the platform parts passed in: an HTTP client per
 * registry (TLS, address guard; `registry/node/` on Node, `http/web` on Workers) and the object
 * storage (memory or disk). Read-only by construction: it only ever speaks `git-upload-pack`.
 *
 * - listReleases: one protocol-v2 `ls-refs` for `refs/tags/`, annotated tags peeled, then filtered.
 * - readRelease: resolves the tag the same way, fetches that one commit at depth 1 (protocol v2,
 *   see protocol.ts) unless the storage already holds it, and reads the package from the objects.
 *   When the server offers partial clones (`fetch=… filter`, as GitHub, GitLab, Gitea and Forgejo
 *   do) the commit comes with its trees only and then the blobs under the package's sub-path are
 *   fetched by id, so a package beside large unrelated files costs its own bytes; otherwise the
 *   whole depth-1 tree is fetched. Packs stream to the store's staging file as they arrive, are
 *   indexed from it by ranges (pack/index-pack.ts) and read by ranges (pack/objects.ts): on disk
 *   storage no pack is held in memory, whatever its size (memory storage holds its packs).
 */
import git, { type GitHttpRequest, type GitHttpResponse, type HttpClient } from 'isomorphic-git';
import { BridgeError, isBridgeError } from '../errors.js';
import { redactUrl, repositoryKey } from '../urls.js';
import type { ReadReleaseOptions, RegistryConnection, RegistryReader, Release } from './interface.js';
import { indexPack } from './pack/index-pack.js';
import { type ObjectReader, openObjects } from './pack/objects.js';
import { readPackage } from './package.js';
import { normaliseSubPath } from './paths.js';
import { objectsFetchRequest, offersFilter, readFetchResponse, shallowFetchRequest } from './protocol.js';
import type { ObjectStorage, ObjectStore } from './storage.js';
import { compileTagFilter, versionFromTag } from './tags.js';

export const defaultLimits = {
  timeoutMs: 30_000,
  // The service's default (config `ingest.maxPackBytes`); see docs/limits.md for what an ingest holds.
  maxPackBytes: 24 * 1024 * 1024,
  maxDescriptionBytes: 1024 * 1024,
  maxResourceBytes: 5 * 1024 * 1024,
};

/** An HTTP client for the requests of one operation on one registry; `close` releases its connections. */
export interface RegistryHttp {
  client: HttpClient;
  close(): void;
}

export interface RegistryReaderOptions {
  storage: ObjectStorage;
  /** Builds the client for one registry: its TLS settings and the outbound address guard. */
  connect(registry: RegistryConnection): RegistryHttp;
  timeoutMs?: number;
  maxPackBytes?: number;
  maxDescriptionBytes?: number;
  maxResourceBytes?: number;
}

/** The requests of one operation: authorization, deadline, byte count and response size limit. */
interface Session {
  http: HttpClient;
  headers: Record<string, string>;
  url: string;
  bytes(): number;
}

export function createRegistryReader(options: RegistryReaderOptions): RegistryReader {
  const limits = {
    timeoutMs: options.timeoutMs ?? defaultLimits.timeoutMs,
    maxPackBytes: options.maxPackBytes ?? defaultLimits.maxPackBytes,
    maxDescriptionBytes: options.maxDescriptionBytes ?? defaultLimits.maxDescriptionBytes,
    maxResourceBytes: options.maxResourceBytes ?? defaultLimits.maxResourceBytes,
  };

  async function withSession<T>(registry: RegistryConnection, work: (session: Session) => Promise<T>): Promise<T> {
    const url = checkedUrl(registry);
    const timeoutMs = registry.timeoutMs ?? limits.timeoutMs;
    const controller = new AbortController();
    const timer = setTimeout(
      () =>
        controller.abort(
          new BridgeError('REGISTRY_TIMEOUT', `registry ${redactUrl(url)} did not answer within ${timeoutMs} ms`),
        ),
      timeoutMs,
    );
    const connection = options.connect(registry);
    let received = 0;
    // Like native git, a redirect of the first request (the advertisement) moves the whole session.
    let base = url;
    const http: HttpClient = {
      async request(request: GitHttpRequest): Promise<GitHttpResponse> {
        const target = request.url.startsWith(url) ? base + request.url.slice(url.length) : request.url;
        // Credentials stay with the host they were configured for, wherever a redirect leads.
        const headers = sameHost(target, url) ? request.headers : withoutAuthorization(request.headers);
        const response = await connection.client.request({
          ...request,
          url: target,
          headers,
          signal: controller.signal,
        });
        const advertisement = '/info/refs?service=git-upload-pack';
        if (target.endsWith(advertisement) && response.url.endsWith(advertisement) && response.url !== target) {
          base = response.url.slice(0, -advertisement.length);
        }
        const body = response.body;
        if (!body) return response;
        // Every response counts towards the pack limit, so no answer can grow without bound.
        async function* counted() {
          for await (const chunk of body as AsyncIterable<Uint8Array>) {
            received += chunk.length;
            if (received > limits.maxPackBytes + 1024 * 1024) {
              throw new BridgeError('LIMIT_EXCEEDED', `registry answers exceeded ${limits.maxPackBytes} bytes`);
            }
            yield chunk;
          }
        }
        return { ...response, body: counted() };
      },
    };
    try {
      return await work({ http, headers: authorizationHeaders(registry), url, bytes: () => received });
    } catch (error) {
      if (controller.signal.aborted && isBridgeError(controller.signal.reason)) throw controller.signal.reason;
      throw translateError(error, url);
    } finally {
      clearTimeout(timer);
      connection.close();
    }
  }

  async function tagRefs(session: Session, prefix: string) {
    return git.listServerRefs({
      http: session.http,
      url: session.url,
      // A copy: isomorphic-git adds its own headers (Git-Protocol) to the object it is given.
      headers: { ...session.headers },
      protocolVersion: 2,
      prefix,
      peelTags: true,
    });
  }

  /** Whether the server offers partial clones: its protocol v2 capabilities, read once per session. */
  async function offersPartialClone(session: Session): Promise<boolean> {
    const info = await git.getRemoteInfo2({
      http: session.http,
      url: session.url,
      headers: { ...session.headers },
      protocolVersion: 2,
    });
    return info.protocolVersion === 2 && offersFilter(info.capabilities);
  }

  /**
   * Bound on one object held whole (a tree, a delta's base or result): the pack limit, so an ingest
   * holds at most a few times `maxPackBytes` even for a pack of deltas. Whole objects that are not
   * deltas are never held to be indexed, whatever their size.
   */
  const maxObjectBytes = limits.maxPackBytes;

  /** Runs `work` with a reader of the store's packs as they are now, closed afterwards. */
  async function withObjects<T>(store: ObjectStore, work: (objects: ObjectReader) => Promise<T>): Promise<T> {
    const objects = await openObjects(store, { maxObjectBytes });
    try {
      return await work(objects);
    } finally {
      await objects.close();
    }
  }

  /** Makes the commit and the blobs under `packageDir` present in the store, fetching what is missing. */
  async function fetchRelease(session: Session, store: ObjectStore, commit: string, packageDir: string) {
    if (!(await withObjects(store, (objects) => objects.has(commit)))) {
      const partial = await offersPartialClone(session);
      await fetchPack(session, store, shallowFetchRequest(commit, { withoutBlobs: partial }));
    }
    const missing = await withObjects(store, (objects) => missingBlobs(objects, commit, packageDir));
    if (missing.length > 0) await fetchPack(session, store, objectsFetchRequest(missing));
  }

  async function fetchPack(session: Session, store: ObjectStore, request: Uint8Array): Promise<void> {
    const response = await session.http.request({
      url: `${session.url}/git-upload-pack`,
      method: 'POST',
      headers: {
        ...session.headers,
        'content-type': 'application/x-git-upload-pack-request',
        accept: 'application/x-git-upload-pack-result',
        'git-protocol': 'version=2',
      },
      body: oneChunk(request),
    });
    if (response.statusCode !== 200) throw statusError(response.statusCode, session.url);
    if (!response.body) throw new BridgeError('REGISTRY_PROTOCOL', 'the registry sent no pack');
    // Written to a staging file as it arrives (in batches, not held whole), indexed (read back by
    // ranges) beside `objects/` and then moved in, index last: a read never sees a half-written index, and a
    // crash leaves only a stray staging file behind. Each fetch stages in its own directory:
    // another process sharing a disk cache may be fetching the same pack right now (both then
    // move identical files into place, which is harmless).
    const fs = store.fs.promises;
    const staging = `staging/${crypto.randomUUID()}`;
    await fs.mkdir(`${store.gitdir}/staging`).catch(() => undefined);
    await fs.mkdir(`${store.gitdir}/${staging}`);
    const incoming = `${store.gitdir}/${staging}/incoming.pack`;
    await fs.writeFile(incoming, new Uint8Array(0));
    // One buffer for every batch (growing from 64 KiB for small packs), so the download allocates
    // nothing per chunk beyond the response's own buffers.
    let batch = new Uint8Array(64 * 1024);
    let batchBytes = 0;
    const flush = async () => {
      if (batchBytes === 0) return;
      await fs.appendFile(incoming, batch.subarray(0, batchBytes));
      batchBytes = 0;
      if (batch.length < PACK_WRITE_BATCH_BYTES) batch = new Uint8Array(batch.length * 4);
    };
    const { name } = await readFetchResponse(response.body, limits.maxPackBytes, async (chunk) => {
      for (let at = 0; at < chunk.length; ) {
        const take = Math.min(chunk.length - at, batch.length - batchBytes);
        batch.set(chunk.subarray(at, at + take), batchBytes);
        batchBytes += take;
        at += take;
        if (batchBytes === batch.length) await flush();
      }
    });
    await flush();
    const packPath = `${store.gitdir}/${staging}/${name}.pack`;
    await fs.rename(incoming, packPath);
    const pack = await store.openFile(packPath);
    try {
      await fs.writeFile(`${store.gitdir}/${staging}/${name}.idx`, await indexPack(pack, { maxObjectBytes }));
    } finally {
      await pack.close();
    }
    await fs.rename(`${store.gitdir}/${staging}/${name}.pack`, `${store.gitdir}/objects/pack/${name}.pack`);
    await fs.rename(`${store.gitdir}/${staging}/${name}.idx`, `${store.gitdir}/objects/pack/${name}.idx`);
    await fs.rmdir(`${store.gitdir}/${staging}`);
  }

  return {
    async listReleases(registry: RegistryConnection): Promise<Release[]> {
      const accept = compileTagFilter(registry);
      const refs = await withSession(registry, (session) => tagRefs(session, 'refs/tags/'));
      const releases: Release[] = [];
      for (const ref of refs) {
        if (!ref.ref.startsWith('refs/tags/') || ref.ref.endsWith('^{}')) continue;
        const tag = ref.ref.slice('refs/tags/'.length);
        if (accept(tag)) releases.push({ tag, commit: ref.peeled ?? ref.oid, version: versionFromTag(tag) });
      }
      return releases;
    },

    async readRelease(registry: RegistryConnection, tag: string, readOptions: ReadReleaseOptions = {}) {
      checkTagName(tag);
      const packageDir = normaliseSubPath(registry.subPath);
      return withSession(registry, async (session) => {
        const refs = await tagRefs(session, `refs/tags/${tag}`);
        const ref = refs.find((candidate) => candidate.ref === `refs/tags/${tag}`);
        if (!ref) throw new BridgeError('TAG_NOT_FOUND', `tag "${tag}" does not exist in ${redactUrl(session.url)}`);
        const release: Release = { tag, commit: ref.peeled ?? ref.oid, version: versionFromTag(tag) };
        return options.storage.use(repositoryKey(session.url), async (store) => {
          await fetchRelease(session, store, release.commit, packageDir);
          const pkg = await withObjects(store, (objects) => readPackage(objects, release, packageDir, limits));
          pkg.fetchedBytes = session.bytes();
          const previous = readOptions.previousCommit;
          if (previous && previous !== release.commit)
            pkg.tagMoved = { previousCommit: previous, commit: release.commit };
          return pkg;
        });
      });
    },
  };
}

/** Bytes of pack collected before they are appended to the staging file. */
const PACK_WRITE_BATCH_BYTES = 1024 * 1024;

/**
 * The blobs under `packageDir` in the commit's tree that the store lacks (a partial clone fetched
 * trees only, or another sub-path's blobs). Empty when the directory does not exist: reading the
 * package then says so.
 */
async function missingBlobs(objects: ObjectReader, commit: string, packageDir: string): Promise<string[]> {
  const root = await objects.commitTree(commit);
  if (root === undefined) throw new BridgeError('REGISTRY_PROTOCOL', `the registry did not send commit ${commit}`);
  let tree: string = root;
  for (const part of packageDir ? packageDir.split('/') : []) {
    const entry = (await objects.readTree(tree)).find((candidate) => candidate.path === part);
    if (entry?.type !== 'tree') return [];
    tree = entry.oid;
  }
  const missing = new Set<string>();
  const pending = [tree];
  for (let oid = pending.pop(); oid !== undefined; oid = pending.pop()) {
    for (const entry of await objects.readTree(oid)) {
      if (entry.type === 'tree') pending.push(entry.oid);
      else if (entry.type === 'blob' && !(await objects.has(entry.oid))) missing.add(entry.oid);
    }
  }
  return [...missing];
}

async function* oneChunk(bytes: Uint8Array): AsyncIterableIterator<Uint8Array> {
  yield bytes;
}

function checkedUrl(registry: RegistryConnection): string {
  let parsed: URL;
  try {
    parsed = new URL(registry.url);
  } catch {
    throw new BridgeError('CONFIG_INVALID', `registry URL "${redactUrl(registry.url)}" is not a valid URL`);
  }
  if (parsed.username || parsed.password) {
    throw new BridgeError(
      'CONFIG_INVALID',
      `registry URL ${redactUrl(registry.url)} must not contain credentials; set them in the registry's auth settings`,
    );
  }
  if (parsed.protocol !== 'https:' && !(parsed.protocol === 'http:' && registry.allowHttp)) {
    throw new BridgeError(
      'CONFIG_INVALID',
      `registry URL ${redactUrl(registry.url)} must use https (plain http only with allowHttp, for local servers)`,
    );
  }
  parsed.search = '';
  parsed.hash = '';
  return parsed.toString().replace(/\/+$/, '');
}

/** Tag names go into protocol lines: refuse anything git itself would not accept as a ref name. */
function checkTagName(tag: string): void {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what is refused
  if (!tag || /[\x00-\x20\x7f~^:?*[\\]|\.\.|@\{|^[-/.]|\/$|\.lock$/.test(tag)) {
    throw new BridgeError('BAD_REQUEST', `"${tag}" is not a valid tag name`);
  }
}

function sameHost(a: string, b: string): boolean {
  return new URL(a).host === new URL(b).host;
}

/** The headers minus `Authorization`: credentials stay with the host they were configured for. */
export function withoutAuthorization(headers: Record<string, string> = {}): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => name.toLowerCase() !== 'authorization'));
}

export function authorizationHeaders(registry: Pick<RegistryConnection, 'auth'>): Record<string, string> {
  const auth = registry.auth;
  if (auth.type === 'bearer') return { authorization: `Bearer ${auth.token}` };
  if (auth.type === 'basic') {
    const bytes = new TextEncoder().encode(`${auth.username}:${auth.password}`);
    return { authorization: `Basic ${btoa(String.fromCharCode(...bytes))}` };
  }
  return {};
}

function statusError(status: number, url: string): BridgeError {
  const where = redactUrl(url);
  if (status === 401 || status === 403) {
    return new BridgeError(
      'REGISTRY_AUTH',
      `registry ${where} refused the credentials (HTTP ${status}${status === 401 ? ' Unauthorized' : ' Forbidden'})`,
      { status },
    );
  }
  if (status === 404) return new BridgeError('REGISTRY_NOT_FOUND', `no repository at ${where} (HTTP 404)`, { status });
  return new BridgeError('REGISTRY_PROTOCOL', `registry ${where} answered HTTP ${status}`, { status });
}

/** isomorphic-git's errors as BridgeErrors; errors from the HTTP client are BridgeErrors already. */
function translateError(error: unknown, url: string): unknown {
  if (error instanceof BridgeError) return error;
  const code = (error as { code?: string } | null)?.code;
  if (code === 'HttpError') {
    const status = (error as { data?: { statusCode?: number } }).data?.statusCode ?? 0;
    return statusError(status, url);
  }
  if (code === 'SmartHttpError' || code === 'ParseError' || code === 'UnknownTransportError') {
    return new BridgeError('REGISTRY_PROTOCOL', `registry ${redactUrl(url)} did not answer as a Git smart-HTTP server`);
  }
  return error;
}
