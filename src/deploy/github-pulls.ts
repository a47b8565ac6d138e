/**
 * The pull requests of one GitHub deployment repository, as the `github` provider uses them:
 * found by head branch and marker, read and edited by number, created (a retried create that went
 * through is recognised by its 422), labelled.
 */
import { BridgeError } from '../errors.js';
import { type GitHubOctokit, statusOf } from './github-client.js';
import type { ProposalStatus, ProposeInput } from './interface.js';

export interface PullRequest {
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

export function gitHubPulls(octokit: GitHubOctokit, repository: { owner: string; repo: string }) {
  const fullName = `${repository.owner}/${repository.repo}`;

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

  /** Open, on `input.branch` of this repository, with `input`'s marker (and at `commit` when given). */
  function isOpenProposal(pull: PullRequest, input: ProposeInput, commit?: string): boolean {
    return (
      status(pull).state === 'open' &&
      pull.head.ref === input.branch &&
      pull.head.repo?.full_name === fullName &&
      (pull.body ?? '').includes(input.marker) &&
      (commit === undefined || pull.head.sha === commit)
    );
  }

  /** Merged or closed, on `input.branch` of this repository, with `input`'s marker. */
  function isEndedProposal(pull: PullRequest, input: ProposeInput): boolean {
    return (
      status(pull).state !== 'open' &&
      pull.head.ref === input.branch &&
      pull.head.repo?.full_name === fullName &&
      (pull.body ?? '').includes(input.marker)
    );
  }

  /** One pull request by number; undefined when GitHub has none. */
  async function get(number: number): Promise<PullRequest | undefined> {
    try {
      const { data } = await octokit.rest.pulls.get({ ...repository, pull_number: number });
      return data as PullRequest;
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw error;
    }
  }

  /** Sets title and body (an edit answers with the whole pull request); undefined when GitHub has none. */
  async function setText(number: number, text: { title: string; body: string }): Promise<PullRequest | undefined> {
    try {
      const { data } = await octokit.rest.pulls.update({ ...repository, pull_number: number, ...text });
      return data as PullRequest;
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw error;
    }
  }

  /** `pull` with `input`'s title and body, edited only when they differ. */
  async function withText(pull: PullRequest, input: ProposeInput): Promise<PullRequest> {
    if (pull.title === input.title && (pull.body ?? '') === input.body) return pull;
    return (await setText(pull.number, { title: input.title, body: input.body })) ?? pull;
  }

  async function findOpen(head: string, marker: string): Promise<PullRequest | undefined> {
    const { data } = await octokit.rest.pulls.list({
      ...repository,
      head: `${repository.owner}:${head}`,
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

  async function create(input: ProposeInput): Promise<{ pull: PullRequest; adopted: boolean }> {
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
      const pull = await findOpen(input.branch, input.marker);
      if (!pull) throw error;
      return { pull, adopted: true };
    }
  }

  /** Pull requests take no labels when created: one more call, only for labels it lacks. */
  async function addMissingLabels(pull: PullRequest, labels: string[]): Promise<void> {
    const present = new Set(pull.labels.map((label) => label.name));
    const missing = labels.filter((label) => !present.has(label));
    if (missing.length === 0) return;
    await octokit.rest.issues.addLabels({ ...repository, issue_number: pull.number, labels: missing });
  }

  return { status, isOpenProposal, isEndedProposal, get, setText, withText, findOpen, create, addMissingLabels };
}
