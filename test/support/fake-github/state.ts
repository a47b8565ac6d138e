/**
 * What the fake GitHub knows besides its Git repositories: accounts, repositories' metadata, pull
 * requests, labels, tokens and apps. Git content (refs, commits, trees, blobs) lives only in the
 * bare repositories.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BareRepository, runGit } from './git.js';
import type { Account, LabelRecord, PullRecord, RepoRecord } from './shapes.js';

export type Access = 'read' | 'write';
/** GitHub App permission names the fake enforces. */
export type PermissionName = 'contents' | 'pull_requests' | 'issues' | 'metadata';
export type Permissions = Partial<Record<PermissionName, Access>>;

export interface TokenRecord {
  token: string;
  /** `installation`: a GitHub App installation token (`ghs_`); `user`: a personal access token. */
  kind: 'installation' | 'user';
  actor: Account;
  permissions: Permissions;
  /** `owner/repo` names the token may see; undefined: every repository. */
  repositories: string[] | undefined;
  /** Epoch ms; undefined: never expires. */
  expiresAt: number | undefined;
  installationId?: number;
}

export interface InstallationRecord {
  id: number;
  account: Account;
  repositories: string[] | undefined;
  permissions: Permissions;
  createdAt: string;
}

export interface AppRecord {
  id: number;
  slug: string;
  publicKey: string;
  owner: Account;
  installations: InstallationRecord[];
}

export interface RepoState {
  record: RepoRecord;
  git: BareRepository;
  pulls: PullRecord[];
  labels: LabelRecord[];
  /** Issue and pull-request numbers share one sequence, as on GitHub. */
  nextNumber: number;
  pushedAt: string;
}

export interface CreateRepoOptions {
  owner: string;
  repo: string;
  /** Default `main`. */
  defaultBranch?: string;
  /** Default true: anonymous requests see nothing. */
  private?: boolean;
  ownerType?: 'User' | 'Organization';
  /** Files of the first commit on the default branch; no commit (an empty repository) when absent. */
  files?: Record<string, string | Buffer>;
}

export function nowIso(): string {
  return `${new Date().toISOString().slice(0, 19)}Z`;
}

export class FakeState {
  readonly repos = new Map<string, RepoState>();
  readonly accounts = new Map<string, Account>();
  readonly tokens = new Map<string, TokenRecord>();
  readonly apps = new Map<number, AppRecord>();
  private lastId = 1000;

  private constructor(readonly root: string) {}

  static async create(root?: string): Promise<FakeState> {
    return new FakeState(root ?? (await mkdtemp(join(tmpdir(), 'fake-github-'))));
  }

  nextId(): number {
    this.lastId += 1;
    return this.lastId;
  }

  account(login: string, type: Account['type'] = 'User'): Account {
    let account = this.accounts.get(login);
    if (!account) {
      account = { login, id: this.nextId(), type };
      this.accounts.set(login, account);
    }
    return account;
  }

  repo(owner: string, name: string): RepoState | undefined {
    return this.repos.get(`${owner}/${name}`.toLowerCase());
  }

  async createRepo(options: CreateRepoOptions): Promise<RepoState> {
    const key = `${options.owner}/${options.repo}`.toLowerCase();
    if (this.repos.has(key)) throw new Error(`fake GitHub: repository ${key} exists already`);
    if (!/^[A-Za-z0-9_.-]+$/.test(options.owner) || !/^[A-Za-z0-9_.-]+$/.test(options.repo)) {
      throw new Error(`fake GitHub: unsafe repository name ${key}`);
    }
    const gitDir = join(this.root, options.owner, `${options.repo}.git`);
    const defaultBranch = options.defaultBranch ?? 'main';
    await mkdir(gitDir, { recursive: true });
    await runGit(gitDir, ['init', '--bare', '--quiet', `--initial-branch=${defaultBranch}`]);
    const git = new BareRepository(gitDir);
    if (options.files && Object.keys(options.files).length > 0) {
      const author = { name: 'Fake GitHub', email: 'noreply@github.invalid', date: nowIso() };
      await git.commitFiles({ branch: defaultBranch, files: options.files, message: 'Initial commit\n', author });
    }
    const state: RepoState = {
      record: {
        id: this.nextId(),
        owner: this.account(options.owner, options.ownerType ?? 'Organization'),
        name: options.repo,
        private: options.private ?? true,
        defaultBranch,
        createdAt: nowIso(),
        gitDir,
      },
      git,
      pulls: [],
      labels: [],
      nextNumber: 1,
      pushedAt: nowIso(),
    };
    this.repos.set(key, state);
    return state;
  }

  async dispose(): Promise<void> {
    await rm(this.root, { recursive: true, force: true });
  }
}
