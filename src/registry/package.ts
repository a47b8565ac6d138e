/**
 * Reads a package straight from the object store (no checkout): the description (`margo.yaml` at
 * the package root, else the one YAML file there that is a description) and the resources its
 * catalog references. Symbolic links (tree mode 120000) and paths leaving the package are refused.
 * It also lists the package's files and validates the description once, with the catalog-file
 * check against that list; ingest uses this report rather than validating again.
 */
import { BridgeError, isBridgeError } from '../errors.js';
import { type DocumentReport, validateDocument } from '../margo/index.js';
import type { Package, PackageFile, Release } from './interface.js';
import type { ObjectReader, TreeEntry } from './pack/objects.js';
import { resourcePath } from './paths.js';

const symlinkMode = '120000';
const resourceFields = ['icon', 'descriptionFile', 'releaseNotes', 'licenseFile'] as const;

export interface PackageLimits {
  maxDescriptionBytes: number;
  maxResourceBytes: number;
}

export async function readPackage(
  store: ObjectReader,
  release: Release,
  packageDir: string,
  limits: PackageLimits,
): Promise<Package> {
  const entries = await listDirectory(store, release, packageDir);
  if (!entries) {
    throw new BridgeError(
      'NO_DESCRIPTION',
      `the package directory "${packageDir}" does not exist in tag ${release.tag}`,
    );
  }
  // The file list comes first so that the one validation of the description includes A-58.
  const files = await listFiles(store, entries);
  const fileSet = files ? new Set(files) : undefined;
  const validate = (text: string): DocumentReport =>
    validateDocument(text, fileSet ? { fileExists: (path) => fileSet.has(path) } : {});
  const {
    path: descriptionPath,
    text: descriptionText,
    report,
  } = await findDescription(store, release, packageDir, entries, limits, validate);

  const resources: PackageFile[] = [];
  const resourceProblems: Package['resourceProblems'] = [];
  const application = report.description?.metadata.catalog.application ?? {};
  const seen = new Set<string>();
  for (const field of resourceFields) {
    const reference = application[field];
    if (typeof reference !== 'string' || reference.trim() === '' || seen.has(reference)) continue;
    seen.add(reference);
    try {
      const repoPath = resourcePath(packageDir, reference);
      const bytes = await readFileAt(store, release, repoPath, limits.maxResourceBytes, field);
      resources.push({ path: relativeTo(packageDir, repoPath), bytes });
    } catch (error) {
      if (!isBridgeError(error)) throw error;
      resourceProblems.push({ path: reference, code: error.code, message: error.message });
    }
  }
  return {
    release,
    descriptionPath,
    descriptionText,
    report,
    resources,
    resourceProblems,
    ...(files ? { files } : {}),
  };
}

/** Above this many entries the package's file list is not built (and A-58 is not checked). */
export const maxListedFiles = 10_000;

/**
 * Every file of the package (paths relative to its root), from the trees already fetched, so the
 * catalog-file check can look paths up. Undefined for a package with more than
 * `maxListedFiles` entries: a lookup table that large is not worth its memory for four paths.
 */
async function listFiles(store: ObjectReader, root: TreeEntry[]): Promise<string[] | undefined> {
  const files: string[] = [];
  const pending: { prefix: string; entries: TreeEntry[] }[] = [{ prefix: '', entries: root }];
  let seen = 0;
  for (let next = pending.pop(); next; next = pending.pop()) {
    for (const entry of next.entries) {
      if (++seen > maxListedFiles) return undefined;
      const path = next.prefix + entry.path;
      if (entry.type === 'blob') files.push(path);
      else if (entry.type === 'tree') {
        pending.push({ prefix: `${path}/`, entries: await store.readTree(entry.oid) });
      }
    }
  }
  return files.sort();
}

async function findDescription(
  store: ObjectReader,
  release: Release,
  packageDir: string,
  entries: TreeEntry[],
  limits: PackageLimits,
  validate: (text: string) => DocumentReport,
): Promise<{ path: string; text: string; report: DocumentReport }> {
  const named = entries.find((entry) => entry.path === 'margo.yaml');
  if (named) {
    const text = await readDescription(store, release, packageDir, named, limits);
    return { path: named.path, text, report: validate(text) };
  }
  const found: { path: string; text: string; report: DocumentReport }[] = [];
  for (const entry of entries) {
    if (entry.type !== 'blob' || entry.mode === symlinkMode || !/\.ya?ml$/i.test(entry.path)) continue;
    let text: string;
    try {
      text = await readDescription(store, release, packageDir, entry, limits);
    } catch (error) {
      if (isBridgeError(error, 'LIMIT_EXCEEDED')) continue;
      throw error;
    }
    const report = validate(text);
    if (report.kind === 'description') found.push({ path: entry.path, text, report });
  }
  const where = packageDir ? `"${packageDir}"` : 'the repository root';
  if (found.length === 1) return found[0]!;
  if (found.length === 0) {
    throw new BridgeError('NO_DESCRIPTION', `tag ${release.tag} has no margo.yaml nor another description in ${where}`);
  }
  throw new BridgeError(
    'NO_DESCRIPTION',
    `tag ${release.tag} has several descriptions in ${where} (${found.map((f) => f.path).join(', ')}); name one margo.yaml`,
  );
}

async function readDescription(
  store: ObjectReader,
  release: Release,
  packageDir: string,
  entry: TreeEntry,
  limits: PackageLimits,
): Promise<string> {
  const path = [packageDir, entry.path].filter(Boolean).join('/');
  if (entry.mode === symlinkMode) {
    throw new BridgeError('UNSAFE_PATH', `the description ${path} in tag ${release.tag} is a symbolic link`);
  }
  if (entry.type !== 'blob') throw new BridgeError('NO_DESCRIPTION', `${path} in tag ${release.tag} is not a file`);
  const { size, data } = await store.read(entry.oid, limits.maxDescriptionBytes);
  if (!data) {
    throw new BridgeError(
      'LIMIT_EXCEEDED',
      `the description ${path} in tag ${release.tag} has ${size} bytes; the limit is ${limits.maxDescriptionBytes}`,
      { limit: limits.maxDescriptionBytes, size },
    );
  }
  return new TextDecoder().decode(data);
}

/** The entries of a directory at the release's commit, or undefined when it does not exist. */
async function listDirectory(store: ObjectReader, release: Release, dir: string): Promise<TreeEntry[] | undefined> {
  const root = await store.commitTree(release.commit);
  if (root === undefined) return undefined;
  let entries = await store.readTree(root);
  for (const part of dir ? dir.split('/') : []) {
    const entry = entries.find((candidate) => candidate.path === part);
    if (entry?.type !== 'tree') return undefined;
    entries = await store.readTree(entry.oid);
  }
  return entries;
}

/** A regular file's bytes; every directory on the way and the file itself must not be a symbolic link. */
async function readFileAt(
  store: ObjectReader,
  release: Release,
  repoPath: string,
  maxBytes: number,
  field: string,
): Promise<Uint8Array> {
  const segments = repoPath.split('/');
  let dir = '';
  let entry: TreeEntry | undefined;
  for (const segment of segments) {
    const entries = await listDirectory(store, release, dir);
    entry = entries?.find((candidate) => candidate.path === segment);
    if (!entry) throw new BridgeError('NOT_FOUND', `${field} ${repoPath} does not exist in tag ${release.tag}`);
    if (entry.mode === symlinkMode) {
      throw new BridgeError('UNSAFE_PATH', `${field} ${repoPath} in tag ${release.tag} goes through a symbolic link`);
    }
    dir = dir ? `${dir}/${segment}` : segment;
  }
  if (entry?.type !== 'blob') {
    throw new BridgeError('NOT_FOUND', `${field} ${repoPath} in tag ${release.tag} is not a file`);
  }
  const { size, data } = await store.read(entry.oid, maxBytes);
  if (!data) {
    throw new BridgeError('LIMIT_EXCEEDED', `${field} ${repoPath} has ${size} bytes; the limit is ${maxBytes}`, {
      limit: maxBytes,
      size,
    });
  }
  return data;
}

function relativeTo(packageDir: string, repoPath: string): string {
  return packageDir ? repoPath.slice(packageDir.length + 1) : repoPath;
}
