/**
 * What the `github` provider last saw of a repository, so that the next proposal can skip
 * lookups: the commit behind a base branch's tree, and per proposal branch the pull request and
 * the commit margo-bridge put there, or that this pull request was merged or closed (then the
 * next proposal on the branch moves it and opens a new pull request at once). Never trusted: the
 * base branch's tree is read on every propose and must be the remembered one; an open pull
 * request is read or edited before its branch moves, and its answer must show it open,
 * margo-bridge's, on that branch; a new pull request that GitHub refuses as a duplicate is found
 * and adopted. Anything else takes the full path. Kept per process (lost on restart: the full
 * path then costs a few calls once).
 */

/** A commit of a base branch and the root tree it has. */
export interface KnownBase {
  commit: string;
  tree: string;
}

/** The open pull request of a branch as margo-bridge last left it. */
export interface KnownProposal {
  number: number;
  /** Head commit, its root tree and its one parent (a commit of the base branch). */
  commit: string;
  tree: string;
  parent: string;
  title: string;
  body: string;
  /** The pull request was merged or closed when last seen (then `commit` is its last head, the rest unknown). */
  ended?: boolean;
}

export interface GitHubMemory {
  base(repository: string, branch: string): KnownBase | undefined;
  rememberBase(repository: string, branch: string, base: KnownBase): void;
  proposal(repository: string, branch: string): KnownProposal | undefined;
  rememberProposal(repository: string, branch: string, proposal: KnownProposal): void;
  forgetProposal(repository: string, branch: string): void;
  /** Pull request `number` of `branch` was merged or closed at `commit`; ignored when a newer one is known. */
  rememberEnded(repository: string, branch: string, ended: { number: number; commit: string }): void;
}

/** A memory of at most `limit` branches per kind (the oldest forgotten first); 0 remembers nothing. */
export function gitHubMemory(limit = 10_000): GitHubMemory {
  const bases = new Map<string, KnownBase>();
  const proposals = new Map<string, KnownProposal>();
  function put<T>(map: Map<string, T>, key: string, value: T): void {
    if (limit <= 0) return;
    map.delete(key);
    map.set(key, value);
    for (const oldest of map.keys()) {
      if (map.size <= limit) break;
      map.delete(oldest);
    }
  }
  const key = (repository: string, branch: string) => `${repository}\n${branch}`;
  return {
    base: (repository, branch) => bases.get(key(repository, branch)),
    rememberBase: (repository, branch, base) => put(bases, key(repository, branch), base),
    proposal: (repository, branch) => proposals.get(key(repository, branch)),
    rememberProposal: (repository, branch, proposal) => put(proposals, key(repository, branch), proposal),
    forgetProposal: (repository, branch) => {
      proposals.delete(key(repository, branch));
    },
    rememberEnded: (repository, branch, ended) => {
      const known = proposals.get(key(repository, branch));
      if (known && known.number > ended.number) return;
      put(proposals, key(repository, branch), {
        number: ended.number,
        commit: ended.commit,
        tree: '',
        parent: '',
        title: '',
        body: '',
        ended: true,
      });
    },
  };
}

/** The memory every `github` provider of this process shares unless its platform brings one. */
export const processGitHubMemory: GitHubMemory = gitHubMemory();
