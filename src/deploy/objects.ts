/**
 * The commit of a proposal in a Git object store (a bare repository on disk for `local`, an
 * in-memory one filled by a shallow fetch for `git`), through isomorphic-git: read a commit's
 * files, write the planned change as blobs, trees and one commit.
 */
import git, { type PromiseFsClient } from 'isomorphic-git';
import { BridgeError } from '../errors.js';
import type { CommitAuthor, ProposeInput, RepositoryFile } from './interface.js';
import { applyChanges, type FlatTree, filesUnder, planChanges, treeObjects } from './tree.js';

export interface ObjectStore {
  fs: PromiseFsClient;
  gitdir: string;
}

const decoder = new TextDecoder();

/** The commit's root tree id and every non-tree entry below it. */
export async function flatTreeOf(store: ObjectStore, commit: string): Promise<{ tree: string; flat: FlatTree }> {
  const { commit: parsed } = await git.readCommit({ ...store, oid: commit });
  const flat: FlatTree = new Map();
  async function walk(oid: string, prefix: string): Promise<void> {
    const { tree } = await git.readTree({ ...store, oid });
    for (const entry of tree) {
      const path = prefix ? `${prefix}/${entry.path}` : entry.path;
      if (entry.type === 'tree') await walk(entry.oid, path);
      else flat.set(path, { mode: entry.mode, oid: entry.oid });
    }
  }
  await walk(parsed.tree, '');
  return { tree: parsed.tree, flat };
}

export async function readFilesAt(store: ObjectStore, commit: string, folder: string): Promise<RepositoryFile[]> {
  const { flat } = await flatTreeOf(store, commit);
  return filesUnder(flat, folder, async (oid) => decoder.decode((await git.readBlob({ ...store, oid })).blob));
}

export type PlannedCommit =
  /** The base already holds the change. */
  | { kind: 'unchanged' }
  /** `commit` holds the change on top of the base; `written` is false when the branch head already did. */
  | { kind: 'commit'; commit: string; written: boolean };

/**
 * The proposal's commit on top of `baseCommit`: reuses `branchHead` when it already is exactly
 * that (same tree, base as its only parent), so that a repeated request writes nothing.
 */
export async function proposalCommit(
  store: ObjectStore,
  input: ProposeInput,
  baseCommit: string,
  branchHead: string | undefined,
  now: number,
): Promise<PlannedCommit> {
  const base = await flatTreeOf(store, baseCommit);
  const changes = await planChanges(base.flat, input);
  if (changes.length === 0) return { kind: 'unchanged' };
  const oids = new Map<string, string>();
  const encoder = new TextEncoder();
  for (const change of changes) {
    if (!('delete' in change)) {
      oids.set(change.path, await git.writeBlob({ ...store, blob: encoder.encode(change.content) }));
    }
  }
  const tree = await writeTrees(store, applyChanges(base.flat, changes, oids));
  if (tree === base.tree) return { kind: 'unchanged' };
  if (branchHead) {
    const { commit: head } = await git.readCommit({ ...store, oid: branchHead }).catch(() => ({ commit: undefined }));
    if (head && head.tree === tree && head.parent.length === 1 && head.parent[0] === baseCommit) {
      return { kind: 'commit', commit: branchHead, written: false };
    }
  }
  const commit = await writeCommit(store, {
    tree,
    parents: [baseCommit],
    message: input.commitMessage,
    author: input.author,
    now,
  });
  return { kind: 'commit', commit, written: true };
}

/** Writes every tree object of `flat` and returns the root tree's id. */
export async function writeTrees(store: ObjectStore, flat: FlatTree): Promise<string> {
  let root = '';
  for (const object of await treeObjects(flat)) {
    const oid = await git.writeTree({ ...store, tree: object.entries });
    // The planner's ids and Git's must agree, or the GitHub provider's unchanged check would lie.
    if (oid !== object.oid) throw new BridgeError('INTERNAL', `tree id mismatch for "${object.path || '/'}"`);
    root = oid;
  }
  return root;
}

export function writeCommit(
  store: ObjectStore,
  commit: { tree: string; parents: string[]; message: string; author: CommitAuthor; now: number },
): Promise<string> {
  const person = { ...commit.author, timestamp: Math.floor(commit.now / 1000), timezoneOffset: 0 };
  return git.writeCommit({
    ...store,
    commit: {
      tree: commit.tree,
      parent: commit.parents,
      author: person,
      committer: person,
      message: commit.message.endsWith('\n') ? commit.message : `${commit.message}\n`,
    },
  });
}

/** Whether `commit` is `tip` or one of its ancestors (at most `depth` commits back). */
export async function contains(store: ObjectStore, tip: string, commit: string, depth = 1000): Promise<boolean> {
  if (tip === commit) return true;
  try {
    return await git.isDescendent({ ...store, oid: tip, ancestor: commit, depth });
  } catch {
    // Shallow history or a missing object: not provably contained.
    return false;
  }
}
