/**
 * The shared part of the fake Gitea/Forgejo and GitLab APIs: repositories are real bare Git
 * repositories served by the test Git server (test/support/git-server.ts, `git http-backend`);
 * pull requests live in memory, their head commits read from the repository at answer time; a
 * merge is a real fast-forward or merge commit made with native git.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type GitServer, startGitServer } from '../git-server.js';
import { nativeRepository } from '../native-git.js';

const run = promisify(execFile);

export const GIT_USER = 'margo-bridge-bot';
export const GIT_PASSWORD = 'git-push-token-for-tests';

export interface FakePull {
  number: number;
  repository: string;
  head: string;
  base: string;
  title: string;
  body: string;
  state: 'open' | 'closed';
  merged: boolean;
  mergeCommit: string | null;
  lastHead: string;
  labels: string[];
  createdAt: string;
  updatedAt: string;
}

export interface FakeToken {
  write: boolean;
}

export interface ForgeRequest {
  method: string;
  path: string;
  status: number;
  /** The body answered (checked against the forge's API description by the fidelity test). */
  answer: unknown;
}

export interface Reply {
  status: number;
  body: unknown;
}

export type Handler = (request: {
  method: string;
  url: URL;
  headers: IncomingMessage['headers'];
  body: unknown;
}) => Promise<Reply>;

export class ForgeCore {
  readonly pulls: FakePull[] = [];
  readonly tokens = new Map<string, FakeToken>();
  readonly requests: ForgeRequest[] = [];
  private readonly writable = new Set<string>();

  constructor(
    readonly root: string,
    readonly git: GitServer,
  ) {}

  gitDir(repository: string): string {
    return join(this.root, `${repository.replace('/', '__')}.git`);
  }

  cloneUrl(repository: string): string {
    return this.git.url(repository.replace('/', '__'));
  }

  exists(repository: string): boolean {
    return this.writable.has(repository) || this.readOnly.has(repository);
  }

  private readonly readOnly = new Set<string>();

  canWrite(repository: string): boolean {
    return this.writable.has(repository);
  }

  async createRepo(repository: string, files: Record<string, string>, options: { writable?: boolean } = {}) {
    const gitdir = this.gitDir(repository);
    await run('git', ['init', '--bare', '--initial-branch=main', gitdir]);
    const writable = options.writable ?? true;
    await run('git', ['--git-dir', gitdir, 'config', 'http.receivepack', String(writable)]);
    (writable ? this.writable : this.readOnly).add(repository);
    const repo = nativeRepository(gitdir);
    await repo.setRef('main', await repo.commit({ files }));
    return repo;
  }

  async branchHead(repository: string, branch: string): Promise<string | undefined> {
    return nativeRepository(this.gitDir(repository)).head(branch);
  }

  /** The pull request's head commit: the branch's tip, or the last one seen once it is gone. */
  async headOf(pull: FakePull): Promise<string> {
    const head = await this.branchHead(pull.repository, pull.head);
    if (head) pull.lastHead = head;
    return pull.lastHead;
  }

  /** A reviewer's merge: fast-forward when possible, a merge commit otherwise (native git). */
  async merge(pull: FakePull): Promise<string> {
    const gitdir = this.gitDir(pull.repository);
    const head = await this.headOf(pull);
    const base = (await this.branchHead(pull.repository, pull.base)) as string;
    let result = head;
    try {
      await run('git', ['--git-dir', gitdir, 'merge-base', '--is-ancestor', base, head]);
    } catch {
      const { stdout: tree } = await run('git', ['--git-dir', gitdir, 'merge-tree', '--write-tree', base, head]);
      const { stdout: commit } = await run(
        'git',
        [
          '--git-dir',
          gitdir,
          'commit-tree',
          tree.trim().split('\n')[0] as string,
          '-p',
          base,
          '-p',
          head,
          '-m',
          `Merge #${pull.number}`,
        ],
        {
          env: {
            ...process.env,
            GIT_AUTHOR_NAME: 'r',
            GIT_AUTHOR_EMAIL: 'r@x',
            GIT_COMMITTER_NAME: 'r',
            GIT_COMMITTER_EMAIL: 'r@x',
          },
        },
      );
      result = commit.trim();
    }
    await run('git', ['--git-dir', gitdir, 'update-ref', `refs/heads/${pull.base}`, result]);
    pull.state = 'closed';
    pull.merged = true;
    pull.mergeCommit = result;
    pull.updatedAt = new Date().toISOString();
    return result;
  }

  addPull(input: Omit<FakePull, 'number' | 'state' | 'merged' | 'mergeCommit' | 'createdAt' | 'updatedAt'>): FakePull {
    const number = this.pulls.filter((pull) => pull.repository === input.repository).length + 1;
    const now = new Date().toISOString();
    const pull: FakePull = {
      ...input,
      number,
      state: 'open',
      merged: false,
      mergeCommit: null,
      createdAt: now,
      updatedAt: now,
    };
    this.pulls.push(pull);
    return pull;
  }

  find(repository: string, number: number): FakePull | undefined {
    return this.pulls.find((pull) => pull.repository === repository && pull.number === number);
  }
}

export interface FakeForgeServer {
  core: ForgeCore;
  origin: string;
  stop(): Promise<void>;
}

export async function startForgeServer(handler: (core: ForgeCore) => Handler): Promise<FakeForgeServer> {
  const root = await mkdtemp(join(tmpdir(), 'mb-fake-forge-'));
  const git = await startGitServer({ root, auth: { type: 'basic', username: GIT_USER, password: GIT_PASSWORD } });
  const core = new ForgeCore(root, git);
  const handle = handler(core);
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', async () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      let reply: Reply;
      try {
        const text = Buffer.concat(chunks).toString('utf8');
        const body = text === '' ? undefined : JSON.parse(text);
        reply = await handle({ method: req.method ?? 'GET', url, headers: req.headers, body });
      } catch (error) {
        reply = { status: 400, body: { message: `bad request: ${(error as Error).message}` } };
      }
      const text = reply.body === undefined ? '' : JSON.stringify(reply.body);
      // As sent: fields left undefined are not in the answer.
      const answer: unknown = text === '' ? undefined : JSON.parse(text);
      core.requests.push({ method: req.method ?? 'GET', path: url.pathname, status: reply.status, answer });
      res.writeHead(reply.status, { 'content-type': 'application/json' });
      res.end(text);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    core,
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async stop() {
      await new Promise((resolve) => server.close(resolve));
      await git.stop();
      await rm(root, { recursive: true, force: true });
    },
  };
}

/** A fake forge as tests use it: its API root, tokens, repositories and pull requests. */
export interface FakeForge extends FakeForgeServer {
  apiUrl: string;
  addToken(token: FakeToken): string;
  createRepo(repository: string, files: Record<string, string>, options?: { writable?: boolean }): Promise<unknown>;
  pulls(repository: string): FakePull[];
  /** Merges as a reviewer would on the forge; returns the merge commit. */
  merge(repository: string, number: number): Promise<string>;
}

/** Starts a forge whose API (under `apiPath`) is `handler`; tokens look like the forge's own (`tokenPrefix`). */
export async function startFakeForge(
  handler: (core: ForgeCore, origin: () => string) => Handler,
  options: { apiPath: string; tokenPrefix: string },
): Promise<FakeForge> {
  let origin = '';
  const server = await startForgeServer((core) => handler(core, () => origin));
  origin = server.origin;
  let count = 0;
  return {
    ...server,
    apiUrl: `${server.origin}${options.apiPath}`,
    addToken(token) {
      const value = `${options.tokenPrefix}${++count}-${Math.random().toString(36).slice(2)}`;
      server.core.tokens.set(value, token);
      return value;
    },
    createRepo: (repository, files, createOptions) => server.core.createRepo(repository, files, createOptions),
    pulls: (repository) => server.core.pulls.filter((pull) => pull.repository === repository),
    async merge(repository, number) {
      const pull = server.core.find(repository, number);
      if (!pull) throw new Error(`no pull request ${number}`);
      return server.core.merge(pull);
    },
  };
}
