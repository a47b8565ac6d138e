/**
 * The content of a commit as a flat map (path → mode and object id) and the change a proposal
 * makes to it, computed without any Git library: every provider plans the same way, and the
 * GitHub provider can tell an unchanged request from the base tree listing alone (git object ids
 * are SHA-1 of the object, so the new root tree id is known before anything is written).
 */
import { concatBytes, fromHex, toHex } from '../bytes.js';
import { BridgeError } from '../errors.js';
import type { ProposeInput, RepositoryFile } from './interface.js';

/** A non-tree entry: a file (`100644`, `100755`), a symbolic link (`120000`) or a submodule (`160000`). */
export interface FlatEntry {
  mode: string;
  oid: string;
}

/** Every non-tree entry of a tree, by `/`-separated path. */
export type FlatTree = Map<string, FlatEntry>;

/** A file to write (as a regular file) or a path to delete. */
export type FileChange = { path: string; content: string } | { path: string; delete: true };

/** One tree object of the result, children before parents; `path` '' is the root. */
export interface TreeObject {
  path: string;
  entries: { mode: string; path: string; oid: string; type: 'blob' | 'tree' | 'commit' }[];
  oid: string;
}

const encoder = new TextEncoder();

async function sha1(bytes: Uint8Array): Promise<string> {
  return toHex(new Uint8Array(await crypto.subtle.digest('SHA-1', bytes as Uint8Array<ArrayBuffer>)));
}

function withHeader(kind: string, body: Uint8Array): Uint8Array {
  return concatBytes([encoder.encode(`${kind} ${body.length}\0`), body]);
}

/** The object id Git gives `content` as a blob. */
export function blobOid(content: string): Promise<string> {
  return sha1(withHeader('blob', encoder.encode(content)));
}

/** Checks the input's paths and branch names before anything is read or written. */
export function checkProposeInput(input: ProposeInput): void {
  checkBranchName(input.branch);
  checkBranchName(input.base);
  if (input.branch === input.base) {
    throw new BridgeError('BAD_REQUEST', `the proposal branch "${input.branch}" must differ from the base branch`);
  }
  const seen = new Set<string>();
  for (const file of input.files) {
    checkPath(file.path, 'file');
    if (seen.has(file.path)) throw new BridgeError('UNSAFE_PATH', `file "${file.path}" is listed twice`);
    seen.add(file.path);
  }
  for (const folder of input.owned) checkPath(folder, 'owned folder');
  for (const path of input.deletions ?? []) checkPath(path, 'deletion');
  if (!input.body.includes(input.marker)) {
    throw new BridgeError('BAD_REQUEST', 'the proposal body must contain its marker');
  }
}

/** Git's ref-name rules, as `git check-ref-format --branch` applies them. */
export function checkBranchName(name: string): void {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what is refused
  if (!name || /[\x00-\x20\x7f~^:?*[\\]|\.\.|@\{|^[-/.]|\/\/|\/\.|\/$|\.$|\.lock$|\.lock\/|^@$/.test(name)) {
    throw new BridgeError('BAD_REQUEST', `"${name}" is not a valid branch name`);
  }
}

function checkPath(path: string, what: string): void {
  const segments = path.split('/');
  const bad =
    path.length === 0 ||
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what is refused
    /[\x00-\x1f\x7f\\]/.test(path) ||
    segments.some((segment) => segment === '' || segment === '.' || segment === '..' || /^\.git$/i.test(segment));
  if (bad) {
    throw new BridgeError(
      'UNSAFE_PATH',
      `${what} "${path}" must be a relative /-separated path without empty, ".", ".." or ".git" parts`,
    );
  }
}

function isUnder(path: string, folder: string): boolean {
  return path.startsWith(`${folder}/`);
}

/**
 * What the proposal changes in `base`: files whose content differs, files of owned folders that
 * are no longer rendered, and the listed deletions that exist. Empty when nothing would change.
 */
export async function planChanges(base: FlatTree, input: ProposeInput): Promise<FileChange[]> {
  const wanted = new Map(input.files.map((file) => [file.path, file]));
  const changes: FileChange[] = [];
  for (const path of base.keys()) {
    const owned = input.owned.some((folder) => isUnder(path, folder));
    const listed = input.deletions?.includes(path) === true;
    if ((owned || listed) && !wanted.has(path)) changes.push({ path, delete: true });
  }
  for (const file of input.files) {
    const current = base.get(file.path);
    if (current && current.mode === '100644' && current.oid === (await blobOid(file.content))) continue;
    changes.push({ path: file.path, content: file.content });
  }
  return changes;
}

/** `base` with `changes` applied, given the blob id of each written file. */
export function applyChanges(base: FlatTree, changes: FileChange[], oids: Map<string, string>): FlatTree {
  const result = new Map(base);
  for (const change of changes) {
    if ('delete' in change) {
      result.delete(change.path);
      continue;
    }
    // A file cannot replace a folder or sit below a file: refuse rather than delete what is there.
    for (const path of result.keys()) {
      if (isUnder(path, change.path) || isUnder(change.path, path)) {
        throw new BridgeError(
          'UNSAFE_PATH',
          `"${change.path}" conflicts with "${path}" in the deployment repository (a file and a folder of one name)`,
        );
      }
    }
    result.set(change.path, { mode: '100644', oid: oids.get(change.path) as string });
  }
  return result;
}

/** Blob ids of the files `changes` writes, computed locally. */
export async function changeOids(changes: FileChange[]): Promise<Map<string, string>> {
  const oids = new Map<string, string>();
  for (const change of changes) if (!('delete' in change)) oids.set(change.path, await blobOid(change.content));
  return oids;
}

const typeOfMode = (mode: string): 'blob' | 'tree' | 'commit' =>
  mode === '40000' ? 'tree' : mode === '160000' ? 'commit' : 'blob';

/** Compares names as Git sorts tree entries: a tree's name is compared with a trailing `/`. */
function gitOrder(a: { path: string; mode: string }, b: { path: string; mode: string }): number {
  const left = encoder.encode(a.mode === '40000' ? `${a.path}/` : a.path);
  const right = encoder.encode(b.mode === '40000' ? `${b.path}/` : b.path);
  for (let i = 0; i < Math.min(left.length, right.length); i++) {
    if (left[i] !== right[i]) return (left[i] as number) - (right[i] as number);
  }
  return left.length - right.length;
}

/** The tree objects of `flat`, children first, with the ids Git gives them; the last is the root. */
export async function treeObjects(flat: FlatTree): Promise<TreeObject[]> {
  return (await hashFolders(foldersOf(flat), new Map())) ?? [];
}

/**
 * The root tree id of `flat` after `changed` paths were written or deleted, hashing only the
 * folders on their way: every other folder keeps its id from `known` (folder path → tree id, as
 * the base tree's recursive listing gives them). Every folder is hashed when one is not known.
 */
export async function rootTreeId(
  flat: FlatTree,
  changed: readonly string[],
  known: ReadonlyMap<string, string>,
): Promise<string> {
  const dirty = new Set<string>(['']);
  for (const path of changed) {
    for (let slash = path.indexOf('/'); slash >= 0; slash = path.indexOf('/', slash + 1)) {
      dirty.add(path.slice(0, slash));
    }
  }
  const objects = (await hashFolders(foldersOf(flat, dirty), known)) ?? (await treeObjects(flat));
  return objects.at(-1)?.oid ?? '';
}

type Folders = Map<string, Map<string, FlatEntry | 'tree'>>;

/** The direct children of every folder of `flat` (or of the `only` ones). */
function foldersOf(flat: FlatTree, only?: ReadonlySet<string>): Folders {
  const folders: Folders = new Map([['', new Map()]]);
  for (const [path, entry] of flat) {
    let start = 0;
    for (;;) {
      const slash = path.indexOf('/', start);
      const folder = start === 0 ? '' : path.slice(0, start - 1);
      if (only === undefined || only.has(folder)) {
        let children = folders.get(folder);
        if (!children) {
          children = new Map();
          folders.set(folder, children);
        }
        children.set(path.slice(start, slash < 0 ? undefined : slash), slash < 0 ? entry : 'tree');
      }
      if (slash < 0) break;
      start = slash + 1;
    }
  }
  return folders;
}

/** Hashes `folders` deepest first; a subtree not among them takes its id from `known` (undefined when missing). */
async function hashFolders(folders: Folders, known: ReadonlyMap<string, string>): Promise<TreeObject[] | undefined> {
  const order = [...folders.keys()].sort((a, b) => depthOf(b) - depthOf(a));
  const ids = new Map<string, string>();
  const objects: TreeObject[] = [];
  for (const folder of order) {
    const entries = [];
    for (const [name, entry] of folders.get(folder) as Map<string, FlatEntry | 'tree'>) {
      const full = folder ? `${folder}/${name}` : name;
      const mode = entry === 'tree' ? '40000' : entry.mode;
      const oid = entry === 'tree' ? (ids.get(full) ?? known.get(full)) : entry.oid;
      if (oid === undefined) return undefined;
      entries.push({ mode, path: name, oid, type: typeOfMode(mode) });
    }
    entries.sort(gitOrder);
    const parts: Uint8Array[] = [];
    for (const entry of entries) {
      parts.push(encoder.encode(`${entry.mode} ${entry.path}\0`));
      parts.push(fromHex(entry.oid) as Uint8Array);
    }
    const oid = await sha1(withHeader('tree', concatBytes(parts)));
    ids.set(folder, oid);
    objects.push({ path: folder, entries, oid });
  }
  return objects;
}

function depthOf(folder: string): number {
  return folder === '' ? 0 : folder.split('/').length;
}

/** Files of `flat` under `folder` ('' = all), given a reader of blob contents; sorted by path. */
export async function filesUnder(
  flat: FlatTree,
  folder: string,
  read: (oid: string) => Promise<string>,
): Promise<RepositoryFile[]> {
  const files: RepositoryFile[] = [];
  for (const [path, entry] of flat) {
    if (entry.mode === '160000' || entry.mode === '120000') continue;
    if (folder === '' || isUnder(path, folder)) files.push({ path, content: await read(entry.oid) });
  }
  return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
