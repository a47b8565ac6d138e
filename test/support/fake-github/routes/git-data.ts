/**
 * The Git Data API (refs, blobs, trees, commits), read from and written to the real bare repository.
 */
import type { GitIdentity } from '../git.js';
import {
  docs,
  isRecord,
  isSha,
  notFound,
  type Route,
  type RouteContext,
  requireString,
  unprocessable,
} from '../router.js';
import { actorIdentity, gitCommit, gitRef, gitTree, repoApiUrl } from '../shapes.js';
import { nowIso } from '../state.js';

const contentsRead = { kind: 'repo', permission: ['contents'], access: 'read' } as const;
const contentsWrite = { kind: 'repo', permission: ['contents'], access: 'write' } as const;

function refReply(context: RouteContext, ref: string, sha: string, type: string) {
  return gitRef(context.base, context.repo.record, ref, sha, type);
}

async function refsUnder(context: RouteContext, prefix: string) {
  const all = await context.repo.git.listRefs('refs/');
  return all.filter((entry) => entry.ref.startsWith(prefix));
}

/** The ref named by the route's `{ref}` (without `refs/`), or undefined. */
async function namedRef(context: RouteContext) {
  const ref = `refs/${context.params.ref}`;
  // for-each-ref with the full name lists that ref (and refs below it as a folder), not all of them.
  return (await context.repo.git.listRefs(ref)).find((entry) => entry.ref === ref);
}

async function getRef(context: RouteContext) {
  const found = await namedRef(context);
  if (!found || !context.params.ref) throw notFound(docs.refs);
  return { status: 200, body: refReply(context, found.ref, found.sha, found.type) };
}

async function matchingRefs(context: RouteContext) {
  const refs = await refsUnder(context, `refs/${context.params.ref ?? ''}`);
  return { status: 200, body: refs.map((entry) => refReply(context, entry.ref, entry.sha, entry.type)) };
}

/** Legacy `GET …/git/refs[/{ref}]` (the fixtures use it): one ref when exact, else the refs under it. */
async function legacyRefs(context: RouteContext) {
  const prefix = context.params.ref ? `refs/${context.params.ref}` : 'refs/';
  const refs = await refsUnder(context, prefix);
  const exact = refs.find((entry) => entry.ref === prefix);
  if (exact) return { status: 200, body: refReply(context, exact.ref, exact.sha, exact.type) };
  if (refs.length === 0) throw notFound(docs.refs);
  return { status: 200, body: refs.map((entry) => refReply(context, entry.ref, entry.sha, entry.type)) };
}

async function createRef(context: RouteContext) {
  const ref = requireString(context.body, 'ref', docs.refs);
  const sha = requireString(context.body, 'sha', docs.refs);
  if (!/^refs\/[^/]+\/.+/.test(ref) || ref.includes('..') || ref.endsWith('/') || ref.endsWith('.lock')) {
    throw unprocessable(
      "Reference name is not valid. Must start with 'refs' and have at least two slashes.",
      docs.refs,
    );
  }
  const type = await context.repo.git.objectType(sha);
  if (!type) throw unprocessable('Object does not exist', docs.refs);
  const existing = await context.repo.git.resolveRef(ref);
  if (existing) throw unprocessable('Reference already exists', docs.refs);
  try {
    await context.repo.git.updateRef(ref, sha, undefined);
  } catch {
    throw unprocessable('Reference already exists', docs.refs);
  }
  context.repo.pushedAt = nowIso();
  return { status: 201, body: refReply(context, ref, sha, type) };
}

async function updateRef(context: RouteContext) {
  const sha = requireString(context.body, 'sha', docs.refs);
  const force = isRecord(context.body) && context.body.force === true;
  const current = await namedRef(context);
  if (!current) throw unprocessable('Reference does not exist', docs.refs);
  const ref = current.ref;
  const type = await context.repo.git.objectType(sha);
  if (!type) throw unprocessable('Object does not exist', docs.refs);
  if (!force && current.sha !== sha && !(await context.repo.git.isAncestor(current.sha, sha))) {
    throw unprocessable('Update is not a fast forward', docs.refs);
  }
  try {
    await context.repo.git.updateRef(ref, sha, current.sha);
  } catch {
    // Someone else moved the ref between our read and write (GitHub answers a lost race the same way).
    throw unprocessable('Reference cannot be updated', docs.refs);
  }
  context.repo.pushedAt = nowIso();
  return { status: 200, body: refReply(context, ref, sha, type) };
}

async function deleteRef(context: RouteContext) {
  const current = await namedRef(context);
  if (!current) throw unprocessable('Reference does not exist', docs.refs);
  const ref = current.ref;
  await context.repo.git.deleteRef(ref, current.sha);
  context.repo.pushedAt = nowIso();
  // GitHub closes the open pull requests whose head branch is deleted.
  const now = nowIso();
  for (const pull of context.repo.pulls) {
    if (pull.state !== 'open' || `refs/heads/${pull.head}` !== ref) continue;
    const baseSha = (await context.repo.git.resolveRef(`refs/heads/${pull.base}`)) ?? pull.baseSha;
    Object.assign(pull, { state: 'closed', closedAt: now, updatedAt: now, headSha: current.sha, baseSha });
    context.pullClosed(context.repo, pull);
  }
  return { status: 204 };
}

async function createBlob(context: RouteContext) {
  const content = requireString(context.body, 'content', docs.blobs);
  const encoding = isRecord(context.body) ? (context.body.encoding ?? 'utf-8') : 'utf-8';
  if (encoding !== 'utf-8' && encoding !== 'base64') {
    throw unprocessable(`encoding must be either "utf-8" or "base64", was "${String(encoding)}"`, docs.blobs);
  }
  const bytes = encoding === 'base64' ? Buffer.from(content, 'base64') : Buffer.from(content, 'utf8');
  const sha = await context.repo.git.writeBlob(bytes);
  return { status: 201, body: { url: `${repoApiUrl(context.base, context.repo.record)}/git/blobs/${sha}`, sha } };
}

async function getBlob(context: RouteContext) {
  const sha = context.params.file_sha ?? '';
  if ((await context.repo.git.objectType(sha)) !== 'blob') throw notFound(docs.blobs);
  const content = await context.repo.git.readBlob(sha);
  return {
    status: 200,
    body: {
      sha,
      node_id: Buffer.from(`0:Blob${sha}`).toString('base64'),
      size: content.length,
      url: `${repoApiUrl(context.base, context.repo.record)}/git/blobs/${sha}`,
      content: `${content.toString('base64')}\n`,
      encoding: 'base64',
    },
  };
}

const modes = new Set(['100644', '100755', '040000', '160000', '120000']);

async function createTree(context: RouteContext) {
  const body = isRecord(context.body) ? context.body : {};
  const entries = body.tree;
  if (!Array.isArray(entries)) throw unprocessable('Invalid request.\n\n"tree" wasn\'t supplied.', docs.trees);
  const baseTree = body.base_tree;
  if (baseTree !== undefined && baseTree !== null) {
    if (typeof baseTree !== 'string' || (await context.repo.git.objectType(baseTree)) !== 'tree') {
      throw unprocessable('base_tree is not a valid tree oid', docs.trees);
    }
  }
  const changes: { path: string; mode: string; sha: string | null }[] = [];
  // Contents become blobs together, after every entry was checked.
  const contents: { change: { sha: string | null }; content: string }[] = [];
  for (const [index, entry] of entries.entries()) {
    if (!isRecord(entry) || typeof entry.path !== 'string' || typeof entry.mode !== 'string') {
      throw unprocessable(`Invalid tree info: tree.${index} needs path and mode`, docs.trees);
    }
    const path = entry.path;
    if (path === '' || path.startsWith('/') || path.endsWith('/') || path.split('/').some((part) => part === '..')) {
      throw unprocessable(`tree.path contains a malformed path component`, docs.trees);
    }
    if (!modes.has(entry.mode)) throw unprocessable(`Invalid tree info: tree.${index}.mode`, docs.trees);
    if (typeof entry.content === 'string') {
      const change = { path, mode: entry.mode, sha: null };
      contents.push({ change, content: entry.content });
      changes.push(change);
    } else if (entry.sha === null) {
      changes.push({ path, mode: entry.mode, sha: null });
    } else {
      const expected = entry.mode === '040000' ? 'tree' : entry.mode === '160000' ? 'commit' : 'blob';
      if (!isSha(entry.sha) || (expected !== 'commit' && (await context.repo.git.objectType(entry.sha)) !== expected)) {
        throw unprocessable(`tree.sha ${String(entry.sha)} is not a valid ${expected}`, docs.trees);
      }
      changes.push({ path, mode: entry.mode, sha: entry.sha });
    }
  }
  const blobs = await context.repo.git.writeBlobs(contents.map((entry) => Buffer.from(entry.content, 'utf8')));
  contents.forEach((entry, index) => {
    entry.change.sha = blobs[index] ?? null;
  });
  const sha = await context.repo.git.buildTree(typeof baseTree === 'string' ? baseTree : undefined, changes);
  const top = await context.repo.git.readTree(sha);
  return { status: 201, body: gitTree(context.base, context.repo.record, sha, top) };
}

async function getTree(context: RouteContext) {
  const treeish = context.params.tree_sha ?? '';
  const recursive = ['1', 'true'].includes(context.query.get('recursive') ?? '');
  let sha: string;
  try {
    sha = await context.repo.git.text(['rev-parse', '--verify', '--quiet', `${treeish}^{tree}`]);
  } catch {
    throw notFound(docs.trees);
  }
  const entries = await context.repo.git.readTree(sha, recursive);
  return { status: 200, body: gitTree(context.base, context.repo.record, sha, entries) };
}

function identityOf(value: unknown, fallback: GitIdentity, field: string): GitIdentity {
  if (value === undefined) return fallback;
  if (!isRecord(value) || typeof value.name !== 'string' || typeof value.email !== 'string') {
    throw unprocessable(`Invalid request.\n\n"${field}" needs name and email.`, docs.commits);
  }
  const date = typeof value.date === 'string' ? value.date : fallback.date;
  if (Number.isNaN(Date.parse(date))) throw unprocessable(`${field}.date is not a valid date`, docs.commits);
  return { name: value.name, email: value.email, date };
}

async function createCommit(context: RouteContext) {
  const body = isRecord(context.body) ? context.body : {};
  const message = requireString(body, 'message', docs.commits);
  const tree = requireString(body, 'tree', docs.commits);
  const parents = body.parents ?? [];
  if (!Array.isArray(parents)) throw unprocessable('Invalid request.\n\n"parents" must be an array.', docs.commits);
  if ((await context.repo.git.objectType(tree)) !== 'tree')
    throw unprocessable('Tree SHA does not exist', docs.commits);
  for (const parent of parents) {
    if (typeof parent !== 'string' || (await context.repo.git.objectType(parent)) !== 'commit') {
      throw unprocessable('Parent SHA does not exist or is not a commit object', docs.commits);
    }
  }
  // GitHub's default author and committer: the authenticated actor, now.
  const actor = actorIdentity(context.actor);
  const author = identityOf(body.author, actor, 'author');
  const committer = identityOf(body.committer, author, 'committer');
  const sha = await context.repo.git.commitTree({ tree, parents: parents as string[], message, author, committer });
  const commit = await context.repo.git.readCommit(sha);
  return { status: 201, body: gitCommit(context.base, context.repo.record, commit) };
}

async function getCommit(context: RouteContext) {
  const sha = context.params.commit_sha ?? '';
  if ((await context.repo.git.objectType(sha)) !== 'commit') throw notFound(docs.commits);
  const commit = await context.repo.git.readCommit(sha);
  return { status: 200, body: gitCommit(context.base, context.repo.record, commit) };
}

export const gitDataRoutes: Route[] = [
  { method: 'GET', template: '/repos/{owner}/{repo}/git/ref/{ref}', auth: contentsRead, handler: getRef },
  {
    method: 'GET',
    template: '/repos/{owner}/{repo}/git/matching-refs/{ref}',
    auth: contentsRead,
    handler: matchingRefs,
  },
  { method: 'POST', template: '/repos/{owner}/{repo}/git/refs', auth: contentsWrite, handler: createRef },
  { method: 'PATCH', template: '/repos/{owner}/{repo}/git/refs/{ref}', auth: contentsWrite, handler: updateRef },
  { method: 'DELETE', template: '/repos/{owner}/{repo}/git/refs/{ref}', auth: contentsWrite, handler: deleteRef },
  {
    method: 'GET',
    template: '/repos/{owner}/{repo}/git/refs/{ref}',
    auth: contentsRead,
    undocumented: 'legacy ref listing, still answered by GitHub and used by @octokit/fixtures',
    handler: legacyRefs,
  },
  { method: 'POST', template: '/repos/{owner}/{repo}/git/blobs', auth: contentsWrite, handler: createBlob },
  { method: 'GET', template: '/repos/{owner}/{repo}/git/blobs/{file_sha}', auth: contentsRead, handler: getBlob },
  { method: 'POST', template: '/repos/{owner}/{repo}/git/trees', auth: contentsWrite, handler: createTree },
  { method: 'GET', template: '/repos/{owner}/{repo}/git/trees/{tree_sha}', auth: contentsRead, handler: getTree },
  { method: 'POST', template: '/repos/{owner}/{repo}/git/commits', auth: contentsWrite, handler: createCommit },
  {
    method: 'GET',
    template: '/repos/{owner}/{repo}/git/commits/{commit_sha}',
    auth: contentsRead,
    handler: getCommit,
  },
];
