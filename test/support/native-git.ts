/**
 * Native `git` on a bare repository, for tests that check what a deployment provider wrote (and
 * play someone else's change) without trusting isomorphic-git: plumbing only, with a throw-away
 * index, the user's and system's configuration ignored.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface NativeRepository {
  gitdir: string;
  git(...args: string[]): Promise<string>;
  /** path → content at the tip of `branch`; undefined when the branch does not exist. */
  files(branch: string): Promise<Record<string, string> | undefined>;
  head(branch: string): Promise<string | undefined>;
  /** Parents of `commit`. */
  parents(commit: string): Promise<string[]>;
  /** Commits on `branch` (newest first). */
  log(branch: string): Promise<string[]>;
  /** A commit of `files` (and `deletions`) on top of `parent` (a branch tip), or of only those files without one. */
  commit(options: {
    parent?: string;
    files: Record<string, string>;
    deletions?: string[];
    message?: string;
  }): Promise<string>;
  setRef(branch: string, commit: string): Promise<void>;
}

const env = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => {
  const clean: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: tmpdir(),
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_AUTHOR_NAME: 'Someone Else',
    GIT_AUTHOR_EMAIL: 'someone@example.test',
    GIT_COMMITTER_NAME: 'Someone Else',
    GIT_COMMITTER_EMAIL: 'someone@example.test',
    ...extra,
  };
  return clean;
};

export function nativeRepository(gitdir: string): NativeRepository {
  const git = async (...args: string[]) =>
    (await run('git', ['--git-dir', gitdir, ...args], { env: env(), maxBuffer: 64 * 1024 * 1024 })).stdout;
  const repo: NativeRepository = {
    gitdir,
    git,
    async head(branch) {
      try {
        return (await git('rev-parse', '--verify', '--quiet', `refs/heads/${branch}`)).trim() || undefined;
      } catch {
        return undefined;
      }
    },
    async files(branch) {
      const tip = await repo.head(branch);
      if (!tip) return undefined;
      const listing = await git('ls-tree', '-r', '-z', tip);
      const out: Record<string, string> = {};
      for (const line of listing.split('\0').filter(Boolean)) {
        const [meta, path] = line.split('\t') as [string, string];
        const oid = meta.split(' ')[2] as string;
        out[path] = await git('cat-file', 'blob', oid);
      }
      return out;
    },
    async parents(commit) {
      return (await git('rev-list', '--parents', '-n', '1', commit)).trim().split(' ').slice(1);
    },
    async log(branch) {
      return (await git('rev-list', `refs/heads/${branch}`)).trim().split('\n').filter(Boolean);
    },
    async commit({ parent, files, deletions = [], message = 'A change made elsewhere' }) {
      const dir = await mkdtemp(join(tmpdir(), 'native-git-index-'));
      try {
        const indexEnv = env({ GIT_INDEX_FILE: join(dir, 'index') });
        const withIndex = async (args: string[], input?: string) => {
          const child = run('git', ['--git-dir', gitdir, ...args], { env: indexEnv });
          if (input !== undefined) {
            child.child.stdin?.end(input);
          }
          return (await child).stdout;
        };
        const parentCommit = parent ? await repo.head(parent) : undefined;
        if (parentCommit) await withIndex(['read-tree', parentCommit]);
        for (const [path, content] of Object.entries(files)) {
          const oid = (await withIndex(['hash-object', '-w', '--stdin'], content)).trim();
          await withIndex(['update-index', '--add', '--cacheinfo', `100644,${oid},${path}`]);
        }
        for (const path of deletions) await withIndex(['update-index', '--force-remove', path]);
        const tree = (await withIndex(['write-tree'])).trim();
        const args = ['commit-tree', tree, '-m', message, ...(parentCommit ? ['-p', parentCommit] : [])];
        return (await withIndex(args)).trim();
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
    async setRef(branch, commit) {
      await git('update-ref', `refs/heads/${branch}`, commit);
    },
  };
  return repo;
}

/** The parts of a provider contract harness (src/deploy/provider.contract.ts) that native git plays. */
export function nativeHarnessParts(repo: NativeRepository, base = 'main') {
  const commitOn = async (parent: string, branch: string, files: Record<string, string>, deletions?: string[]) => {
    const commit = await repo.commit({ parent, files, ...(deletions ? { deletions } : {}) });
    await repo.setRef(branch, commit);
    return commit;
  };
  return {
    base,
    files: (branch: string) => repo.files(branch),
    head: (branch: string) => repo.head(branch),
    parents: (commit: string) => repo.parents(commit),
    commit: (branch: string, files: Record<string, string>, deletions?: string[]) =>
      commitOn(branch, branch, files, deletions),
    pushBranchOnly: (branch: string, files: Record<string, string>, deletions?: string[]) =>
      commitOn(base, branch, files, deletions),
  };
}
