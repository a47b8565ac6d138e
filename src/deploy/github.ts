/**
 * The `github` provider: commits through the Git Data API (one tree with the base tree and the
 * deletions, one commit, one ref), so that a deployment is one atomic commit (verified when a
 * GitHub App makes it), and proposals are pull requests.
 *
 * REST calls per `propose` (counted in test/deploy-github.test.ts; the table is in docs/deployments.md):
 * - unchanged: 1 (the base tree, recursive; the new root tree id is computed locally, tree.ts);
 * - new: 6 (base tree, base branch, create tree, create commit, create ref, create pull request),
 *   plus 1 to add labels (GitHub creates pull requests without labels); 1 less, the base branch
 *   read, when this process already saw the commit behind the base tree (github-memory.ts);
 * - update of a pull request this process proposed: 5 (base tree, create tree, create commit,
 *   edit the pull request's title and body or read it, move the ref);
 * - the same request again: 2 (base tree, the pull request, whose head must be the commit);
 * - the next proposal on a branch whose pull request this process saw merged or closed (getProposal,
 *   close): 5 (base tree, create tree, create commit, move the ref, create the pull request),
 *   plus 1 for labels; 7 when it learns so only by editing the pull request (the edit is undone);
 * - otherwise the full path: the ref exists (create answers 422), the branch is read to tell a
 *   repeated request from a change, the ref moved, the pull request found by head branch and
 *   edited only if its title or body changed (8-9).
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
import { type Base, gitHubGitData, type Made, type Planned, plan } from './github-git.js';
import { type KnownProposal, processGitHubMemory } from './github-memory.js';
import { gitHubPulls, type PullRequest } from './github-pulls.js';
import type {
  DeploymentProvider,
  ProposalRef,
  ProposalStatus,
  ProposeInput,
  ProposeOutcome,
  ProposeResult,
} from './interface.js';
import type { GitHubProviderSettings } from './settings.js';
import { checkBranchName, checkProposeInput, type FlatTree, filesUnder } from './tree.js';

export type { GitHubPlatform } from './github-client.js';

export function createGitHubProvider(settings: GitHubProviderSettings, platform: GitHubPlatform): DeploymentProvider {
  const { octokit, appJwt } = gitHubClient(settings, platform);
  const repository = { owner: settings.owner, repo: settings.repo };
  const fullName = `${settings.owner}/${settings.repo}`;
  const pulls = gitHubPulls(octokit, repository);
  const { baseTree, branch, writeCommit, moveBranch } = gitHubGitData(octokit, repository, platform.now ?? Date.now);
  const memory = platform.memory ?? processGitHubMemory;
  const memoryKey = `${settings.apiUrl ?? 'https://api.github.com'}|${fullName}`;

  /** Runs one provider operation with GitHub's errors translated. */
  async function operation<T>(what: string, work: (github: GitHubOctokit) => Promise<T>): Promise<T> {
    try {
      return await work(octokit);
    } catch (error) {
      throw translateGitHubError(error, what);
    }
  }

  function remember(input: ProposeInput, base: Base, head: Made, pull: PullRequest): void {
    memory.rememberProposal(memoryKey, input.branch, {
      number: pull.number,
      commit: head.commit,
      tree: head.tree,
      parent: base.commit,
      title: pull.title,
      body: pull.body ?? '',
    });
  }

  /**
   * A branch this process proposed on: its pull request is checked (open, margo-bridge's, on the
   * branch) before the branch moves. Anything unexpected forgets it and hands the commit made so
   * far to the full path.
   */
  async function proposeKnown(
    input: ProposeInput,
    base: Base,
    planned: Planned,
    known: KnownProposal,
  ): Promise<ProposeResult | { made?: Made }> {
    if (known.ended) return proposeAfterEnd(input, base, planned);
    if (known.tree === planned.root && known.parent === base.commit) {
      // The same request again: nothing to write if the head is still that commit.
      const pull = await pulls.get(known.number);
      if (!pull || !pulls.isOpenProposal(pull, input, known.commit)) return forget(input);
      const edited = await pulls.withText(pull, input);
      await pulls.addMissingLabels(edited, input.labels);
      remember(input, base, known, edited);
      return { outcome: 'adopted', proposal: { ...pulls.status(edited), commit: known.commit } };
    }
    const made = await writeCommit(input, base, planned.changes);
    // The edit of a changed title or body answers with the pull request: the check costs nothing more.
    const textChanged = known.title !== input.title || known.body !== input.body;
    const pull = textChanged
      ? await pulls.setText(known.number, { title: input.title, body: input.body })
      : await pulls.get(known.number);
    if (!pull || !pulls.isOpenProposal(pull, input)) {
      // Closed or merged meanwhile: its words go back to what it was reviewed with.
      if (textChanged && pull && pull.head.ref === input.branch) {
        await pulls.setText(pull.number, { title: known.title, body: known.body });
      }
      return pull && pulls.isEndedProposal(pull, input)
        ? proposeAfterEnd(input, base, planned, made)
        : forget(input, made);
    }
    try {
      await octokit.rest.git.updateRef({ ...repository, ref: `heads/${input.branch}`, sha: made.commit, force: true });
    } catch (error) {
      // The branch is gone (422): the full path pushes it again.
      if (statusOf(error) !== 422) throw error;
      return forget(input, made);
    }
    await pulls.addMissingLabels(pull, input.labels);
    remember(input, base, { tree: planned.root, commit: made.commit }, pull);
    return { outcome: 'updated', proposal: { ...pulls.status(pull), commit: made.commit } };
  }

  /**
   * The branch's pull request was merged or closed: the branch moves to the new commit (pushed
   * again if it was deleted) and a new pull request opens; one that GitHub says exists already
   * (reopened meanwhile, or a crashed attempt's) is adopted.
   */
  async function proposeAfterEnd(input: ProposeInput, base: Base, planned: Planned, madeBefore?: Made) {
    const made = madeBefore ?? (await writeCommit(input, base, planned.changes));
    await moveBranch(input.branch, made.commit);
    return openPull(input, base, planned, made);
  }

  /** Opens the pull request of a branch that holds `made` (or adopts the one GitHub says exists), labelled. */
  async function openPull(input: ProposeInput, base: Base, planned: Planned, made: Made): Promise<ProposeResult> {
    const created = await pulls.create(input);
    // An adopted pull request (its branch pushed again) takes this request's words too.
    const pull = created.adopted ? await pulls.withText(created.pull, input) : created.pull;
    await pulls.addMissingLabels(pull, input.labels);
    remember(input, base, { tree: planned.root, commit: made.commit }, pull);
    return {
      outcome: created.adopted ? 'adopted' : 'created',
      proposal: { ...pulls.status(pull), commit: made.commit },
    };
  }

  /** What getProposal and close learn: a merged or closed pull request lets the next proposal skip lookups. */
  function noteStatus(branch: string, pull: PullRequest): void {
    if (pull.head.ref === branch && pulls.status(pull).state !== 'open') {
      memory.rememberEnded(memoryKey, branch, { number: pull.number, commit: pull.head.sha });
    }
  }

  function forget(input: ProposeInput, made?: Made): { made?: Made } {
    memory.forgetProposal(memoryKey, input.branch);
    return made ? { made } : {};
  }

  /** Creates the branch and pull request, or finds what is there and brings it to this request. */
  async function proposeAnew(input: ProposeInput, base: Base, planned: Planned, madeBefore?: Made) {
    const made = madeBefore ?? (await writeCommit(input, base, planned.changes));
    try {
      await octokit.rest.git.createRef({ ...repository, ref: `refs/heads/${input.branch}`, sha: made.commit });
      return await openPull(input, base, planned, made);
    } catch (error) {
      if (statusOf(error) !== 422) throw error;
    }
    // The branch exists: a proposal to update, a repeated request, or a crashed attempt's branch.
    const current = await branch(input.branch);
    const same = current?.tree === made.tree && current.parents.length === 1 && current.parents[0] === base.commit;
    if (!same) {
      await octokit.rest.git.updateRef({ ...repository, ref: `heads/${input.branch}`, sha: made.commit, force: true });
    }
    const head = same && current ? current : made;
    let outcome: ProposeOutcome;
    let pull = await pulls.findOpen(input.branch, input.marker);
    if (pull) {
      outcome = same ? 'adopted' : 'updated';
      pull = await pulls.withText(pull, input);
    } else {
      const created = await pulls.create(input);
      pull = created.adopted ? await pulls.withText(created.pull, input) : created.pull;
      outcome = same || created.adopted ? 'adopted' : 'created';
    }
    await pulls.addMissingLabels(pull, input.labels);
    remember(input, base, { tree: planned.root, commit: head.commit }, pull);
    const result: ProposeResult = { outcome, proposal: { ...pulls.status(pull), commit: head.commit } };
    return result;
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
      operation(`proposal "${input.branch}" in ${fullName}`, async (): Promise<ProposeResult> => {
        checkProposeInput(input);
        // The tree by branch name: all an unchanged request costs.
        let tree = await baseTree(input.base);
        let planned = await plan(tree, input);
        if (planned.changes.length === 0) return { outcome: 'unchanged' };
        const known = memory.base(memoryKey, input.base);
        let commit = known?.tree === tree.sha ? known.commit : undefined;
        if (commit === undefined) {
          const tip = await branch(input.base);
          if (!tip)
            throw new BridgeError('DEPLOY_NOT_FOUND', `base branch "${input.base}" does not exist in ${fullName}`);
          if (tip.tree !== tree.sha) {
            // The base moved between the two reads: plan again on the tip's own tree.
            tree = await baseTree(tip.tree);
            planned = await plan(tree, input);
            if (planned.changes.length === 0) return { outcome: 'unchanged' };
          }
          commit = tip.commit;
          memory.rememberBase(memoryKey, input.base, { commit, tree: tree.sha });
        }
        const base = { sha: tree.sha, commit };
        const proposal = memory.proposal(memoryKey, input.branch);
        const quick = proposal ? await proposeKnown(input, base, planned, proposal) : {};
        return 'outcome' in quick ? quick : proposeAnew(input, base, planned, quick.made);
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
          if (pull) noteStatus(ref.branch, pull);
          return pull ? pulls.status(pull) : undefined;
        }
        try {
          const { data } = await github.rest.pulls.get({ ...repository, pull_number: ref.number });
          noteStatus(ref.branch, data as PullRequest);
          return data.head.ref === ref.branch ? pulls.status(data as PullRequest) : undefined;
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
              open.push(pulls.status(pull));
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
        noteStatus(ref.branch, data as PullRequest);
        return pulls.status(data as PullRequest);
      }),
  };
}
