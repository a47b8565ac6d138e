/**
 * The `git` provider with a forge's pull requests: the branch is pushed by the git provider
 * (isomorphic-git), the pull request is found by head branch and body marker (adopted after a
 * crash between push and create), created when missing, its title and body kept current, and its
 * state (open, merged, closed) read from the forge. Closing closes the pull request and deletes
 * the branch, so the next proposal of the deployment starts afresh.
 */
import { BridgeError } from '../../errors.js';
import type { DeploymentProvider, ProposalRef, ProposalStatus, ProposeInput, ProposeResult } from '../interface.js';
import type { ForgePull, PullRequestApi } from './interface.js';

export function withPullRequests(git: DeploymentProvider, api: PullRequestApi, baseBranch: string): DeploymentProvider {
  const status = (pull: ForgePull, commit?: string): ProposalStatus => ({
    branch: pull.branch,
    number: pull.number,
    state: pull.state,
    commit: commit ?? pull.headCommit,
    url: pull.url,
    ...(pull.mergeCommit ? { mergeCommit: pull.mergeCommit } : {}),
  });

  async function openProposal(input: ProposeInput): Promise<ForgePull | undefined> {
    const open = await api.openFrom(input.branch, input.base);
    const ours = open.find((pull) => pull.body.includes(input.marker));
    if (!ours && open.length > 0) {
      throw new BridgeError(
        'CONFLICT',
        `pull request #${open[0]?.number} from branch "${input.branch}" was not opened by margo-bridge for this deployment (no marker); close it or rename its branch`,
      );
    }
    return ours;
  }

  return {
    check: async (base) => {
      await git.check(base);
      await api.check();
    },
    readFiles: (branch, folder) => git.readFiles(branch, folder),
    headCommit: (branch) => git.headCommit(branch),

    async propose(input): Promise<ProposeResult> {
      const pushed = await git.propose(input);
      if (!pushed.proposal) return pushed;
      const commit = pushed.proposal.commit;
      const found = await openProposal(input);
      if (!found) {
        const created = await api.create({ ...input, branch: input.branch, base: input.base });
        return {
          outcome: pushed.outcome === 'created' ? 'created' : pushed.outcome === 'updated' ? 'updated' : 'adopted',
          proposal: status(created, commit),
        };
      }
      const current =
        found.title !== input.title || found.body !== input.body
          ? await api.edit(found.number, { title: input.title, body: input.body })
          : found;
      return {
        outcome: pushed.outcome === 'unchanged' ? 'adopted' : pushed.outcome,
        proposal: status(current, commit),
      };
    },

    async getProposal(ref: ProposalRef) {
      if (ref.number === undefined) {
        const [open] = await api.openFrom(ref.branch, baseBranch);
        return open ? status(open) : undefined;
      }
      const pull = await api.get(ref.number);
      return pull && pull.branch === ref.branch ? status(pull) : undefined;
    },

    async listOpenProposals(branchPrefix) {
      return (await api.listOpen(baseBranch))
        .filter((pull) => pull.branch.startsWith(branchPrefix))
        .map((pull) => status(pull));
    },

    async close(ref: ProposalRef) {
      const number = ref.number ?? (await api.openFrom(ref.branch, baseBranch))[0]?.number;
      if (number === undefined) throw new BridgeError('NOT_FOUND', `no open pull request from branch "${ref.branch}"`);
      const closed = await api.close(number);
      if ((await git.headCommit(ref.branch)) !== undefined) await git.close({ branch: ref.branch });
      return status(closed);
    },
  };
}
