/**
 * The Git Data side of the `github` provider: the base tree listed recursively (with every
 * folder's tree id), a branch read, one commit written (tree with `base_tree`, then commit), a
 * branch moved or pushed again, and the plan of a request against a listed base tree.
 */
import { BridgeError } from '../errors.js';
import { type GitHubOctokit, statusOf } from './github-client.js';
import type { ProposeInput } from './interface.js';
import { applyChanges, changeOids, type FileChange, type FlatTree, planChanges, rootTreeId } from './tree.js';

export type Base = { sha: string; commit: string };
export type Made = { tree: string; commit: string };

export interface BaseTree {
  sha: string;
  flat: FlatTree;
  /** Tree id of every folder, as the recursive listing gives them. */
  folders: Map<string, string>;
}

export interface Planned {
  changes: FileChange[];
  /** The root tree id the commit will have (computed locally). */
  root: string;
}

/** The changes `input` makes to `tree`; none when the new root tree would be the same. */
export async function plan(tree: BaseTree, input: ProposeInput): Promise<Planned> {
  const changes = await planChanges(tree.flat, input);
  const after = applyChanges(tree.flat, changes, await changeOids(changes));
  // Only the folders on the way to a change are hashed: a large repository costs no more per proposal.
  const root = await rootTreeId(
    after,
    changes.map((change) => change.path),
    tree.folders,
  );
  return { changes: root === tree.sha ? [] : changes, root };
}

export function gitHubGitData(octokit: GitHubOctokit, repository: { owner: string; repo: string }, now: () => number) {
  const fullName = `${repository.owner}/${repository.repo}`;

  async function baseTree(base: string): Promise<BaseTree> {
    const { data } = await octokit.rest.git
      .getTree({ ...repository, tree_sha: base, recursive: '1' })
      .catch((error) => {
        if (statusOf(error) === 404) {
          throw new BridgeError('DEPLOY_NOT_FOUND', `base branch "${base}" does not exist in ${fullName}`);
        }
        throw error;
      });
    if (data.truncated) {
      throw new BridgeError(
        'LIMIT_EXCEEDED',
        `${fullName} has too many files for GitHub to list "${base}" in one answer`,
      );
    }
    const flat: FlatTree = new Map();
    const folders = new Map<string, string>();
    for (const entry of data.tree) {
      if (!entry.path || !entry.sha || !entry.mode) continue;
      if (entry.type === 'tree') folders.set(entry.path, entry.sha);
      else flat.set(entry.path, { mode: entry.mode, oid: entry.sha });
    }
    return { sha: data.sha, flat, folders };
  }

  async function branch(name: string) {
    try {
      const { data } = await octokit.rest.repos.getBranch({ ...repository, branch: name });
      return {
        commit: data.commit.sha,
        tree: data.commit.commit.tree.sha,
        parents: data.commit.parents.map((parent) => parent.sha),
      };
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw error;
    }
  }

  async function writeCommit(input: ProposeInput, base: Base, changes: FileChange[]): Promise<Made> {
    const { data: tree } = await octokit.rest.git.createTree({
      ...repository,
      base_tree: base.sha,
      tree: changes.map((change) =>
        'delete' in change
          ? { path: change.path, mode: '100644' as const, type: 'blob' as const, sha: null }
          : { path: change.path, mode: '100644' as const, type: 'blob' as const, content: change.content },
      ),
    });
    // An explicit date makes a retried create give the same commit id.
    const person = { ...input.author, date: new Date(Math.floor(now() / 1000) * 1000).toISOString() };
    const { data: commit } = await octokit.rest.git.createCommit({
      ...repository,
      message: input.commitMessage,
      tree: tree.sha,
      parents: [base.commit],
      author: person,
      committer: person,
    });
    return { tree: tree.sha, commit: commit.sha };
  }

  /** Moves `branch` to `commit` whatever it held; pushes it again when it was deleted. */
  async function moveBranch(branch: string, commit: string): Promise<void> {
    try {
      await octokit.rest.git.updateRef({ ...repository, ref: `heads/${branch}`, sha: commit, force: true });
    } catch (error) {
      if (statusOf(error) !== 422) throw error;
      await octokit.rest.git.createRef({ ...repository, ref: `refs/heads/${branch}`, sha: commit });
    }
  }

  return { baseTree, branch, writeCommit, moveBranch };
}
