/**
 * The `github` provider: commits through the Git Data API (one tree with the base tree and the
 * deletions, one commit, one ref), so that a deployment is one atomic commit (verified when a
 * GitHub App makes it), and proposals are pull requests.
 *
 * REST calls per `propose` (counted in github.test.ts):
 * - unchanged: 1 (the base tree, recursive; the new root tree id is computed locally, tree.ts);
 * - new: 6 (tree, base branch, create tree, create commit, create ref, create pull request),
 *   plus 1 to add labels when there are any;
 * - update: 8-9 (the ref exists: the branch is read to tell a repeated request from a change, the
 *   ref moved, the pull request found by head branch, and edited only if its title or body changed).
 * After a crash between the ref and the pull request, the next attempt finds the branch as it
 * left it and opens (or adopts) the pull request; a retried write that did happen answers 422
 * and is recognised. A base branch that moved between the two reads is read again.
 */
import { BridgeError } from '../errors.js';
import { checkPermissions } from './github-check.js';
import {
  type GitHubOctokit,
  type GitHubPlatform,
  gitHubClient,
  statusOf,
  translateGitHubError,
} from './github-client.js';
import type {
  DeploymentProvider,
  ProposalRef,
  ProposalStatus,
  ProposeInput,
  ProposeOutcome,
  ProposeResult,
} from './interface.js';
import type { GitHubProviderSettings } from './settings.js';
import {
  applyChanges,
  changeOids,
  checkBranchName,
  checkProposeInput,
  type FileChange,
  type FlatTree,
  filesUnder,
  planChanges,
  treeObjects,
} from './tree.js';

export type { GitHubPlatform } from './github-client.js';

interface PullRequest {
  number: number;
  state: string;
  html_url: string;
  title: string;
  body: string | null;
  merged_at: string | null;
  merge_commit_sha: string | null;
  head: { ref: string; sha: string; repo: { full_name: string } | null };
  labels: { name?: string }[];
  merged?: boolean;
}

export function createGitHubProvider(settings: GitHubProviderSettings, platform: GitHubPlatform): DeploymentProvider {
  const { octokit, appJwt } = gitHubClient(settings, platform);
  const repository = { owner: settings.owner, repo: settings.repo };
  const fullName = `${settings.owner}/${settings.repo}`;
  const now = platform.now ?? Date.now;

  /** Runs one provider operation with GitHub's errors translated. */
  async function operation<T>(what: string, work: (github: GitHubOctokit) => Promise<T>): Promise<T> {
    try {
      return await work(octokit);
    } catch (error) {
      throw translateGitHubError(error, what);
    }
  }

  async function baseTree(base: string): Promise<{ sha: string; flat: FlatTree }> {
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
    for (const entry of data.tree) {
      if (entry.type !== 'tree' && entry.path && entry.sha && entry.mode)
        flat.set(entry.path, { mode: entry.mode, oid: entry.sha });
    }
    return { sha: data.sha, flat };
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

  function status(pull: PullRequest): ProposalStatus {
    const merged = pull.merged === true || pull.merged_at !== null;
    return {
      branch: pull.head.ref,
      number: pull.number,
      state: merged ? 'merged' : pull.state === 'open' ? 'open' : 'closed',
      commit: pull.head.sha,
      url: pull.html_url,
      ...(merged && pull.merge_commit_sha ? { mergeCommit: pull.merge_commit_sha } : {}),
    };
  }

  async function openPull(head: string, marker: string): Promise<PullRequest | undefined> {
    const { data } = await octokit.rest.pulls.list({
      ...repository,
      head: `${settings.owner}:${head}`,
      state: 'open',
      per_page: 10,
    });
    const pull = (data as PullRequest[]).find((candidate) => candidate.head.ref === head);
    if (pull && !(pull.body ?? '').includes(marker)) {
      throw new BridgeError(
        'CONFLICT',
        `branch "${head}" of ${fullName} has pull request #${pull.number}, which margo-bridge did not open (its marker is missing)`,
      );
    }
    return pull;
  }

  async function createPull(input: ProposeInput): Promise<{ pull: PullRequest; adopted: boolean }> {
    try {
      const { data } = await octokit.rest.pulls.create({
        ...repository,
        head: input.branch,
        base: input.base,
        title: input.title,
        body: input.body,
      });
      return { pull: data as PullRequest, adopted: false };
    } catch (error) {
      // A retried create whose first attempt went through, or a crash right after it.
      if (statusOf(error) !== 422) throw error;
      const pull = await openPull(input.branch, input.marker);
      if (!pull) throw error;
      return { pull, adopted: true };
    }
  }

  async function addMissingLabels(pull: PullRequest, labels: string[]): Promise<PullRequest> {
    const present = new Set(pull.labels.map((label) => label.name));
    const missing = labels.filter((label) => !present.has(label));
    if (missing.length === 0) return pull;
    await octokit.rest.issues.addLabels({ ...repository, issue_number: pull.number, labels: missing });
    return pull;
  }

  async function writeCommit(input: ProposeInput, base: { sha: string; commit: string }, changes: FileChange[]) {
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

  return {
    check: (base) =>
      operation(`repository ${fullName}`, async (github) => {
        checkBranchName(base);
        await github.rest.repos.get(repository);
        if (!(await branch(base))) {
          throw new BridgeError('DEPLOY_NOT_FOUND', `base branch "${base}" does not exist in ${fullName}`);
        }
        await checkPermissions(github, repository, await appJwt());
      }),

    readFiles: (name, folder) =>
      operation(`branch "${name}" of ${fullName}`, async (github) => {
        let flat: FlatTree;
        try {
          flat = (await baseTree(name)).flat;
        } catch (error) {
          if (error instanceof BridgeError && error.code === 'DEPLOY_NOT_FOUND') return [];
          throw error;
        }
        return filesUnder(flat, folder, async (sha) => {
          const { data } = await github.rest.git.getBlob({ ...repository, file_sha: sha });
          return new TextDecoder().decode(
            Uint8Array.from(atob(data.content.replace(/\n/g, '')), (c) => c.charCodeAt(0)),
          );
        });
      }),

    headCommit: (name) =>
      operation(`branch "${name}" of ${fullName}`, async (github) => {
        try {
          const { data } = await github.rest.git.getRef({ ...repository, ref: `heads/${name}` });
          return data.object.sha;
        } catch (error) {
          if (statusOf(error) === 404) return undefined;
          throw error;
        }
      }),

    propose: (input) =>
      operation(`proposal "${input.branch}" in ${fullName}`, async (github): Promise<ProposeResult> => {
        checkProposeInput(input);
        // Two reads: the tree by branch name (all an unchanged request costs) and the tip commit.
        let tree = await baseTree(input.base);
        let changes = await plan(tree, input);
        if (changes.length === 0) return { outcome: 'unchanged' };
        const tip = await branch(input.base);
        if (!tip)
          throw new BridgeError('DEPLOY_NOT_FOUND', `base branch "${input.base}" does not exist in ${fullName}`);
        if (tip.tree !== tree.sha) {
          // The base moved between the two reads: plan again on the tip's own tree.
          tree = await baseTree(tip.tree);
          changes = await plan(tree, input);
          if (changes.length === 0) return { outcome: 'unchanged' };
        }
        const base = { sha: tree.sha, commit: tip.commit };

        const made = await writeCommit(input, base, changes);
        let outcome: ProposeOutcome;
        try {
          await github.rest.git.createRef({ ...repository, ref: `refs/heads/${input.branch}`, sha: made.commit });
          const { pull, adopted } = await createPull(input);
          await addMissingLabels(pull, input.labels);
          return { outcome: adopted ? 'adopted' : 'created', proposal: status(pull) };
        } catch (error) {
          if (statusOf(error) !== 422) throw error;
        }
        // The branch exists: a proposal to update, a repeated request, or a crashed attempt's branch.
        const current = await branch(input.branch);
        const same = current?.tree === made.tree && current.parents.length === 1 && current.parents[0] === base.commit;
        if (!same) {
          await github.rest.git.updateRef({
            ...repository,
            ref: `heads/${input.branch}`,
            sha: made.commit,
            force: true,
          });
        }
        const head = same && current ? current.commit : made.commit;
        let pull = await openPull(input.branch, input.marker);
        if (pull) {
          outcome = same ? 'adopted' : 'updated';
          if (pull.title !== input.title || (pull.body ?? '') !== input.body) {
            const { data } = await github.rest.pulls.update({
              ...repository,
              pull_number: pull.number,
              title: input.title,
              body: input.body,
            });
            pull = data as PullRequest;
          }
        } else {
          const created = await createPull(input);
          pull = created.pull;
          outcome = same || created.adopted ? 'adopted' : 'created';
        }
        await addMissingLabels(pull, input.labels);
        return { outcome, proposal: { ...status(pull), commit: head } };
      }),

    getProposal: (ref) =>
      operation(`proposal "${ref.branch}" in ${fullName}`, async (github) => {
        if (ref.number === undefined) {
          const { data } = await github.rest.pulls.list({
            ...repository,
            head: `${settings.owner}:${ref.branch}`,
            state: 'all',
            per_page: 1,
          });
          const pull = (data as PullRequest[]).find((candidate) => candidate.head.ref === ref.branch);
          return pull ? status(pull) : undefined;
        }
        try {
          const { data } = await github.rest.pulls.get({ ...repository, pull_number: ref.number });
          return data.head.ref === ref.branch ? status(data as PullRequest) : undefined;
        } catch (error) {
          if (statusOf(error) === 404) return undefined;
          throw error;
        }
      }),

    listOpenProposals: (branchPrefix) =>
      operation(`the open pull requests of ${fullName}`, async (github) => {
        const open: ProposalStatus[] = [];
        // One call for up to 100 open pull requests; more are paged through (at most 20 pages).
        for (let page = 1; page <= 20; page++) {
          const { data } = await github.rest.pulls.list({ ...repository, state: 'open', per_page: 100, page });
          for (const pull of data as PullRequest[]) {
            if (pull.head.ref.startsWith(branchPrefix) && pull.head.repo?.full_name === fullName)
              open.push(status(pull));
          }
          if (data.length < 100) break;
        }
        return open;
      }),

    close: (ref: ProposalRef) =>
      operation(`proposal "${ref.branch}" in ${fullName}`, async (github) => {
        let number = ref.number;
        if (number === undefined) {
          const { data } = await github.rest.pulls.list({
            ...repository,
            head: `${settings.owner}:${ref.branch}`,
            state: 'open',
            per_page: 10,
          });
          number = (data as PullRequest[]).find((candidate) => candidate.head.ref === ref.branch)?.number;
          if (number === undefined) throw new BridgeError('NOT_FOUND', `no open pull request for "${ref.branch}"`);
        }
        const { data } = await github.rest.pulls.update({ ...repository, pull_number: number, state: 'closed' });
        return status(data as PullRequest);
      }),
  };
}

/** The changes `input` makes to `tree`; none when the new root tree would be the same. */
async function plan(tree: { sha: string; flat: FlatTree }, input: ProposeInput): Promise<FileChange[]> {
  const changes = await planChanges(tree.flat, input);
  const root = (await treeObjects(applyChanges(tree.flat, changes, await changeOids(changes)))).at(-1)?.oid;
  return root === tree.sha ? [] : changes;
}
