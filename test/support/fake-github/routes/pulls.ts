/**
 * Pull requests: create, list, get, update, merge (a real merge on the base branch) and labels.
 */
import { type PullLive, pullLive, pullRequest, pullRequestSimple } from '../pull-shape.js';
import {
  docs,
  HttpError,
  isRecord,
  notFound,
  optionalString,
  type Route,
  type RouteContext,
  requireString,
  unprocessable,
} from '../router.js';
import { actorIdentity, errorBody, type PullRecord } from '../shapes.js';
import { nowIso, type RepoState } from '../state.js';

const pullsRead = { kind: 'repo', permission: ['pull_requests'], access: 'read' } as const;
const pullsWrite = { kind: 'repo', permission: ['pull_requests'], access: 'write' } as const;
const mergeWrite = { kind: 'repo', permission: ['contents'], access: 'write' } as const;

export function findPull(context: RouteContext): PullRecord {
  const number = Number(context.params.pull_number ?? context.params.issue_number);
  const pull = context.repo.pulls.find((candidate) => candidate.number === number);
  if (!pull) throw notFound(docs.pulls);
  return pull;
}

async function fullPull(context: RouteContext, pull: PullRecord) {
  return pullRequest(context.base, context.repo, pull, await pullLive(context.repo, pull));
}

/** `owner:branch` or `branch` → branch, when the owner is this repository's. */
function branchOfHead(repo: RepoState, head: string): string | undefined {
  const colon = head.indexOf(':');
  if (colon < 0) return head;
  return head.slice(0, colon).toLowerCase() === repo.record.owner.login.toLowerCase()
    ? head.slice(colon + 1)
    : undefined;
}

async function createPull(context: RouteContext) {
  const body = isRecord(context.body) ? context.body : {};
  const head = requireString(body, 'head', docs.pulls);
  const baseName = requireString(body, 'base', docs.pulls);
  const title = optionalString(body, 'title');
  const git = context.repo.git;
  const headBranch = branchOfHead(context.repo, head);
  const headSha = headBranch ? await git.resolveRef(`refs/heads/${headBranch}`) : undefined;
  const baseSha = await git.resolveRef(`refs/heads/${baseName}`);
  const fieldErrors: Record<string, unknown>[] = [];
  if (!title) fieldErrors.push({ resource: 'Issue', code: 'missing_field', field: 'title' });
  if (!headSha) fieldErrors.push({ resource: 'PullRequest', code: 'invalid', field: 'head' });
  if (!baseSha) fieldErrors.push({ resource: 'PullRequest', code: 'invalid', field: 'base' });
  if (fieldErrors.length > 0 || !headBranch || !headSha || !baseSha || !title) {
    throw unprocessable('Validation Failed', docs.pulls, fieldErrors);
  }
  const duplicate = context.repo.pulls.find(
    (pull) => pull.state === 'open' && pull.head === headBranch && pull.base === baseName,
  );
  if (duplicate) {
    const message = `A pull request already exists for ${context.repo.record.owner.login}:${headBranch}.`;
    throw unprocessable('Validation Failed', docs.pulls, [{ resource: 'PullRequest', code: 'custom', message }]);
  }
  if ((await git.commitsBetween(baseSha, headSha)).length === 0) {
    const message = `No commits between ${baseName} and ${headBranch}`;
    throw unprocessable('Validation Failed', docs.pulls, [{ resource: 'PullRequest', code: 'custom', message }]);
  }
  const now = nowIso();
  const pull: PullRecord = {
    id: context.state.nextId(),
    number: context.repo.nextNumber++,
    title,
    body: optionalString(body, 'body') ?? null,
    state: 'open',
    draft: body.draft === true,
    head: headBranch,
    base: baseName,
    headSha,
    baseSha,
    user: context.actor,
    labels: [],
    createdAt: now,
    updatedAt: now,
    closedAt: null,
    mergedAt: null,
    mergeCommitSha: null,
    mergedBy: null,
  };
  context.repo.pulls.push(pull);
  return { status: 201, body: await fullPull(context, pull) };
}

async function listPulls(context: RouteContext) {
  const state = context.query.get('state') ?? 'open';
  if (!['open', 'closed', 'all'].includes(state)) {
    throw unprocessable('Validation Failed', docs.pulls, [
      { resource: 'PullRequest', code: 'invalid', field: 'state' },
    ]);
  }
  const head = context.query.get('head');
  const baseName = context.query.get('base');
  const headBranch = head === null ? undefined : branchOfHead(context.repo, head);
  let pulls = context.repo.pulls.filter(
    (pull) =>
      (state === 'all' || pull.state === state) &&
      (head === null || pull.head === headBranch) &&
      (baseName === null || pull.base === baseName),
  );
  // Newest first, as GitHub's default sort (created, desc).
  pulls = [...pulls].sort((a, b) =>
    context.query.get('direction') === 'asc' ? a.number - b.number : b.number - a.number,
  );
  const perPage = Math.min(Math.max(Number(context.query.get('per_page') ?? 30) || 30, 1), 100);
  const page = Math.max(Number(context.query.get('page') ?? 1) || 1, 1);
  const slice = pulls.slice((page - 1) * perPage, page * perPage);
  const body = [];
  for (const pull of slice)
    body.push(pullRequestSimple(context.base, context.repo, pull, await pullLive(context.repo, pull)));
  const headers: Record<string, string> = {};
  if (page * perPage < pulls.length) {
    const next = new URLSearchParams(context.query);
    next.set('page', String(page + 1));
    next.set('per_page', String(perPage));
    const path = `${context.base}/repos/${context.repo.record.owner.login}/${context.repo.record.name}/pulls`;
    headers.link = `<${path}?${next}>; rel="next"`;
  }
  return { status: 200, body, headers };
}

async function getPull(context: RouteContext) {
  return { status: 200, body: await fullPull(context, findPull(context)) };
}

async function updatePull(context: RouteContext) {
  const pull = findPull(context);
  const body = isRecord(context.body) ? context.body : {};
  if (typeof body.title === 'string') pull.title = body.title;
  if (typeof body.body === 'string' || body.body === null) pull.body = body.body;
  if (typeof body.base === 'string') {
    if (!(await context.repo.git.resolveRef(`refs/heads/${body.base}`))) {
      throw unprocessable('Validation Failed', docs.pulls, [
        { resource: 'PullRequest', code: 'invalid', field: 'base' },
      ]);
    }
    pull.base = body.base;
  }
  if (body.state !== undefined) {
    if (body.state !== 'open' && body.state !== 'closed') {
      throw unprocessable('Validation Failed', docs.pulls, [
        { resource: 'PullRequest', code: 'invalid', field: 'state' },
      ]);
    }
    if (body.state === 'open' && pull.mergedAt !== null) {
      throw unprocessable('Validation Failed', docs.pulls, [
        {
          resource: 'PullRequest',
          code: 'custom',
          message: 'state cannot be changed. The pull request has been merged.',
        },
      ]);
    }
    if (body.state !== pull.state) {
      if (body.state === 'closed') await freeze(context.repo, pull);
      pull.state = body.state;
      pull.closedAt = body.state === 'closed' ? nowIso() : null;
      if (body.state === 'closed') context.pullClosed(context.repo, pull);
    }
  }
  pull.updatedAt = nowIso();
  return { status: 200, body: await fullPull(context, pull) };
}

/** Records head and base commits at closing: a closed pull request keeps showing them. */
async function freeze(repo: RepoState, pull: PullRecord): Promise<PullLive> {
  const live = await pullLive(repo, pull);
  pull.headSha = live.headSha;
  pull.baseSha = live.baseSha;
  return live;
}

const notMergeable = () => new HttpError(405, errorBody(405, 'Pull Request is not mergeable', docs.pulls));

async function mergePull(context: RouteContext) {
  const pull = findPull(context);
  const body = isRecord(context.body) ? context.body : {};
  if (pull.state !== 'open') throw notMergeable();
  const live = await freeze(context.repo, pull);
  if (typeof body.sha === 'string' && body.sha !== live.headSha) {
    throw new HttpError(409, errorBody(409, 'Head branch was modified. Review and try the merge again.', docs.pulls));
  }
  const method = body.merge_method ?? 'merge';
  if (method !== 'merge' && method !== 'squash' && method !== 'rebase') {
    throw unprocessable('Validation Failed', docs.pulls, [
      { resource: 'PullRequest', code: 'invalid', field: 'merge_method' },
    ]);
  }
  const git = context.repo.git;
  const person = actorIdentity(context.actor);
  const owner = context.repo.record.owner.login;
  let result: string | undefined;
  if (method === 'rebase') {
    result = live.baseSha;
    for (const sha of await git.commitsBetween(live.baseSha, live.headSha)) {
      const original = await git.readCommit(sha);
      const parent = original.parents[0];
      const tree = parent ? await git.replayTree(result, sha, parent) : undefined;
      if (!tree) throw notMergeable();
      result = await git.commitTree({
        tree,
        parents: [result],
        message: original.message,
        author: original.author,
        committer: person,
      });
    }
  } else {
    const tree = await git.mergeTrees(live.baseSha, live.headSha);
    if (!tree) throw notMergeable();
    const title =
      optionalString(body, 'commit_title') ??
      (method === 'squash'
        ? `${pull.title} (#${pull.number})`
        : `Merge pull request #${pull.number} from ${owner}/${pull.head}`);
    const details = optionalString(body, 'commit_message') ?? (method === 'squash' ? '' : pull.title);
    result = await git.commitTree({
      tree,
      parents: method === 'squash' ? [live.baseSha] : [live.baseSha, live.headSha],
      message: details ? `${title}\n\n${details}\n` : `${title}\n`,
      author: person,
      committer: person,
    });
  }
  try {
    await git.updateRef(`refs/heads/${pull.base}`, result, live.baseSha);
  } catch {
    throw new HttpError(409, errorBody(409, 'Base branch was modified. Review and try the merge again.', docs.pulls));
  }
  const now = nowIso();
  Object.assign(pull, {
    state: 'closed',
    closedAt: now,
    mergedAt: now,
    updatedAt: now,
    mergeCommitSha: result,
    mergedBy: context.actor,
  });
  context.repo.pushedAt = now;
  context.pullClosed(context.repo, pull);
  return { status: 200, body: { sha: result, merged: true, message: 'Pull Request successfully merged' } };
}

export const pullRoutes: Route[] = [
  { method: 'POST', template: '/repos/{owner}/{repo}/pulls', auth: pullsWrite, handler: createPull },
  { method: 'GET', template: '/repos/{owner}/{repo}/pulls', auth: pullsRead, handler: listPulls },
  { method: 'GET', template: '/repos/{owner}/{repo}/pulls/{pull_number}', auth: pullsRead, handler: getPull },
  { method: 'PATCH', template: '/repos/{owner}/{repo}/pulls/{pull_number}', auth: pullsWrite, handler: updatePull },
  { method: 'PUT', template: '/repos/{owner}/{repo}/pulls/{pull_number}/merge', auth: mergeWrite, handler: mergePull },
];
