/**
 * Repository, branch and contents routes, answered from the real repository's refs and trees.
 */
import { docs, HttpError, isRecord, notFound, type Route, type RouteContext, requireString } from '../router.js';
import { actorIdentity, contentItem, errorBody, fullRepository, gitCommit, repoApiUrl, restCommit } from '../shapes.js';
import { nowIso } from '../state.js';

const metadataRead = { kind: 'repo', permission: ['metadata'], access: 'read' } as const;
const contentsRead = { kind: 'repo', permission: ['contents'], access: 'read' } as const;
const contentsWrite = { kind: 'repo', permission: ['contents'], access: 'write' } as const;

async function getRepo(context: RouteContext) {
  const write = context.token === undefined ? false : context.token.permissions.contents === 'write';
  const openIssues = context.repo.pulls.filter((pull) => pull.state === 'open').length;
  return {
    status: 200,
    body: fullRepository(context.base, context.repo.record, context.repo.pushedAt, openIssues, {
      admin: false,
      push: write,
      pull: true,
    }),
  };
}

async function getBranch(context: RouteContext) {
  const name = context.params.branch ?? '';
  const sha = name ? await context.repo.git.resolveRef(`refs/heads/${name}`) : undefined;
  if (!sha) throw new HttpError(404, errorBody(404, 'Branch not found', docs.branches));
  const commit = await context.repo.git.readCommit(sha);
  const url = `${repoApiUrl(context.base, context.repo.record)}/branches/${name}`;
  return {
    status: 200,
    body: {
      name,
      commit: restCommit(context.base, context.repo.record, commit),
      _links: {
        self: url,
        html: `${context.base}/${context.repo.record.owner.login}/${context.repo.record.name}/tree/${name}`,
      },
      protected: false,
      protection: { enabled: false, required_status_checks: { enforcement_level: 'off', contexts: [], checks: [] } },
      protection_url: `${url}/protection`,
    },
  };
}

/** The commit a `ref` query names (branch, tag or sha), default branch when absent. */
async function commitOf(context: RouteContext, ref: string | null): Promise<{ sha: string; name: string }> {
  const name = ref ?? context.repo.record.defaultBranch;
  for (const candidate of [`refs/heads/${name}`, `refs/tags/${name}`, name]) {
    const sha = await context.repo.git.resolveRef(candidate);
    if (sha) return { sha, name };
  }
  throw new HttpError(404, errorBody(404, `No commit found for the ref ${name}`, docs.contents));
}

async function getContent(context: RouteContext) {
  const path = (context.params.path ?? '').replace(/\/+$/, '');
  const { sha, name } = await commitOf(context, context.query.get('ref'));
  const entry = await context.repo.git.entryAt(sha, path);
  if (!entry) throw notFound(docs.contents);
  const record = context.repo.record;
  if (entry.type === 'tree') {
    const children = await context.repo.git.readTree(path === '' ? entry.sha : `${sha}:${path}`);
    const items = children.map((child) =>
      contentItem(context.base, record, name, { ...child, path: path === '' ? child.path : `${path}/${child.path}` }),
    );
    return { status: 200, body: items };
  }
  const content = await context.repo.git.readBlob(entry.sha);
  const accept = String(context.headers.accept ?? '');
  if (accept.includes('.raw')) {
    return { status: 200, raw: content, headers: { 'content-type': 'application/vnd.github.raw; charset=utf-8' } };
  }
  return { status: 200, body: contentItem(context.base, record, name, entry, content) };
}

/** `PUT …/contents/{path}`: one commit writing one file on a branch. */
async function putContent(context: RouteContext) {
  const path = context.params.path ?? '';
  if (!path) throw notFound(docs.contents);
  const message = requireString(context.body, 'message', docs.contents);
  const content = requireString(context.body, 'content', docs.contents);
  const body = isRecord(context.body) ? context.body : {};
  const branch = typeof body.branch === 'string' ? body.branch : context.repo.record.defaultBranch;
  const git = context.repo.git;
  const parent = await git.resolveRef(`refs/heads/${branch}`);
  const existing = parent ? await git.entryAt(parent, path) : undefined;
  if (existing && typeof body.sha !== 'string') {
    throw new HttpError(422, errorBody(422, 'Invalid request.\n\n"sha" wasn\'t supplied.', docs.contents));
  }
  if (typeof body.sha === 'string' && body.sha !== existing?.sha) {
    throw new HttpError(409, errorBody(409, `${path} does not match ${body.sha}`, docs.contents));
  }
  const sha = await git.commitFiles({
    branch,
    files: { [path]: Buffer.from(content, 'base64') },
    message,
    author: actorIdentity(context.actor),
  });
  context.repo.pushedAt = nowIso();
  const entry = await git.entryAt(sha, path);
  const commit = await git.readCommit(sha);
  if (!entry) throw new Error(`fake GitHub: ${path} missing after commit ${sha}`);
  const {
    content: _encoded,
    encoding: _encoding,
    ...item
  } = contentItem(context.base, context.repo.record, branch, entry, Buffer.alloc(0));
  return {
    status: existing ? 200 : 201,
    body: { content: item, commit: gitCommit(context.base, context.repo.record, commit) },
  };
}

export const repoRoutes: Route[] = [
  { method: 'GET', template: '/repos/{owner}/{repo}', auth: metadataRead, handler: getRepo },
  { method: 'GET', template: '/repos/{owner}/{repo}/branches/{branch}', auth: contentsRead, handler: getBranch },
  { method: 'GET', template: '/repos/{owner}/{repo}/contents/{path}', auth: contentsRead, handler: getContent },
  { method: 'PUT', template: '/repos/{owner}/{repo}/contents/{path}', auth: contentsWrite, handler: putContent },
];
