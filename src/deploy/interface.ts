/**
 * Write access to a deployment repository: the GitOps repository a controller watches. A
 * proposal is one reviewable change: a branch with one commit on top of the base branch, plus a
 * pull request (GitHub, later Gitea/Forgejo and GitLab), nothing more (`git`: the branch is the
 * proposal) or a review record kept by margo-bridge itself (`local`). "Pull request" is a
 * provider word and stays inside `deploy/`; the rest of the code speaks of proposals.
 *
 * Every operation is idempotent, so that a job that died half way can simply run again:
 * `propose` adopts a branch or proposal it finds (by head branch and the body marker) instead of
 * failing on "already exists", and writes no commit when the tree would not change.
 */

export interface CommitAuthor {
  name: string;
  email: string;
}

export interface RepositoryFile {
  /** Relative to the repository root, `/`-separated, never starting with `/`. */
  path: string;
  content: string;
}

export type ProposalState = 'open' | 'merged' | 'closed';

/** Where a proposal lives; stored by the caller and handed back to the provider. */
export interface ProposalRef {
  /** Branch in the deployment repository, e.g. `margo-bridge/plant-a/line-3/nginx`. */
  branch: string;
  /** Pull-request number (GitHub, Gitea, GitLab iid); absent for `git`, the record id for `local`. */
  number?: number;
}

export interface ProposalStatus extends ProposalRef {
  state: ProposalState;
  /** Head commit of the proposal's branch. */
  commit: string;
  /** Page a reviewer opens (the pull request; for `git` and `local` the branch or review page). */
  url: string;
  /** The commit on the base branch that holds the change, once merged. */
  mergeCommit?: string;
}

export interface ProposeInput {
  /** Branch to create or update; the proposal's identity together with `marker`. */
  branch: string;
  /** Base branch the proposal targets (the repository's `baseBranch`). */
  base: string;
  /**
   * The complete desired content of every folder in `owned`: after the commit, each owned folder
   * holds exactly the files listed under it (files no longer rendered are deleted). Files outside
   * owned folders (a target's root `kustomization.yaml`) are written as given and left otherwise.
   */
  files: RepositoryFile[];
  /** Folders this proposal owns entirely (the deployment's folder); may be empty. */
  owned: string[];
  /** Files to delete outside owned folders (removing a deployment); missing ones are ignored. */
  deletions?: string[];
  commitMessage: string;
  author: CommitAuthor;
  title: string;
  /** Markdown; contains `marker` (an HTML comment) so that the proposal can be found again. */
  body: string;
  marker: string;
  labels: string[];
}

export type ProposeOutcome =
  /** A new branch and proposal. */
  | 'created'
  /** A new commit on an open proposal of the same branch. */
  | 'updated'
  /** An existing branch or proposal (found by branch and marker) now serves this request. */
  | 'adopted'
  /** The change is already on the base branch (same tree): nothing was written. */
  | 'unchanged';

export interface ProposeResult {
  outcome: ProposeOutcome;
  /**
   * Absent only for `unchanged`: when no proposal is open for the branch, and always on `github`
   * (an unchanged request costs one call there; the caller knows its open proposal).
   */
  proposal?: ProposalStatus;
}

export interface DeploymentProvider {
  /**
   * The connection test: the repository exists, the base branch exists, the credentials may push
   * a branch and (where the provider has them) open pull requests. Throws a BridgeError whose
   * message names what is missing (for a GitHub App, the permission by its GitHub name).
   */
  check(base: string): Promise<void>;
  /** Files under `folder` ('' = the whole tree) at the tip of `branch`; [] when the branch or folder is absent. */
  readFiles(branch: string, folder: string): Promise<RepositoryFile[]>;
  /** Commit at the tip of `branch`, or undefined when it does not exist. */
  headCommit(branch: string): Promise<string | undefined>;
  propose(input: ProposeInput): Promise<ProposeResult>;
  /** Current state of one proposal; undefined when it no longer exists. */
  getProposal(ref: ProposalRef): Promise<ProposalStatus | undefined>;
  /** Every open proposal whose branch starts with `branchPrefix`: one list call, for the periodic check. */
  listOpenProposals(branchPrefix: string): Promise<ProposalStatus[]>;
  /** Closes without merging (deletes nothing on the base branch). */
  close(ref: ProposalRef): Promise<ProposalStatus>;
  /**
   * Merges into the base branch. `local` implements it (the operator's approve action); remote
   * forges leave it out: their reviewers merge on the forge.
   */
  merge?(ref: ProposalRef, method: 'fast-forward' | 'merge-commit'): Promise<ProposalStatus>;
}
