/**
 * Native git plumbing on one bare repository of the fake GitHub: everything the REST API answers is
 * read from or written to the real repository that smart HTTP serves, so both views always agree.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export class GitCommandError extends Error {
  constructor(
    readonly args: string[],
    readonly code: number | null,
    readonly stderr: string,
  ) {
    super(`git ${args.join(' ')} exited with ${code}: ${stderr.trim()}`);
  }
}

export interface GitRunOptions {
  input?: string | Buffer;
  env?: Record<string, string>;
  /** Exit codes that are answers, not failures (e.g. 1 from `merge-tree` on a conflict). */
  okCodes?: number[];
}

export interface GitResult {
  stdout: Buffer;
  code: number;
}

/** Environment free of the machine's and the user's git configuration. */
export function cleanGitEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: tmpdir(),
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_TERMINAL_PROMPT: '0',
    ...extra,
  };
}

export function runGit(gitDir: string, args: string[], options: GitRunOptions = {}): Promise<GitResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', args, {
      env: cleanGitEnv({ GIT_DIR: gitDir, ...options.env }),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-4000);
    });
    child.stdin.on('error', () => {
      // git may exit before reading its input; the exit code says why.
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0 || (code !== null && options.okCodes?.includes(code))) {
        resolve({ stdout: Buffer.concat(out), code });
      } else {
        reject(new GitCommandError(args, code, stderr));
      }
    });
    child.stdin.end(options.input ?? '');
  });
}

export interface GitIdentity {
  name: string;
  email: string;
  /** ISO 8601. */
  date: string;
}

export interface ParsedCommit {
  sha: string;
  tree: string;
  parents: string[];
  author: GitIdentity;
  committer: GitIdentity;
  message: string;
}

export interface TreeEntry {
  mode: string;
  type: 'blob' | 'tree' | 'commit';
  sha: string;
  path: string;
  /** Blobs only. */
  size?: number;
}

/** Typed access to one bare repository. */
export class BareRepository {
  constructor(readonly gitDir: string) {}

  run(args: string[], options?: GitRunOptions): Promise<GitResult> {
    return runGit(this.gitDir, args, options);
  }

  async text(args: string[], options?: GitRunOptions): Promise<string> {
    return (await this.run(args, options)).stdout.toString('utf8').trim();
  }

  /** The object's type, or undefined when the repository lacks it. */
  async objectType(sha: string): Promise<string | undefined> {
    if (!/^[0-9a-f]{40}$/.test(sha)) return undefined;
    const result = await this.run(['cat-file', '-t', sha], { okCodes: [1, 128] });
    return result.code === 0 ? result.stdout.toString('utf8').trim() : undefined;
  }

  /** sha of a ref, or undefined. */
  async resolveRef(ref: string): Promise<string | undefined> {
    const result = await this.run(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], { okCodes: [1, 128] });
    return result.code === 0 ? result.stdout.toString('utf8').trim() : undefined;
  }

  /** Full ref names with their object and type, optionally under a prefix such as `refs/heads/`. */
  async listRefs(prefix = 'refs/'): Promise<{ ref: string; sha: string; type: string }[]> {
    const out = await this.text(['for-each-ref', '--format=%(refname) %(objectname) %(objecttype)', prefix]);
    if (!out) return [];
    return out.split('\n').map((line) => {
      const [ref = '', sha = '', type = ''] = line.split(' ');
      return { ref, sha, type };
    });
  }

  async writeBlob(content: Buffer): Promise<string> {
    return this.text(['hash-object', '-w', '--stdin'], { input: content });
  }

  /** Blobs for several contents in one git run (ids in the same order). */
  async writeBlobs(contents: Buffer[]): Promise<string[]> {
    if (contents.length <= 1) return Promise.all(contents.map((content) => this.writeBlob(content)));
    const dir = await mkdtemp(join(tmpdir(), 'fake-github-blobs-'));
    try {
      const paths = contents.map((_, index) => join(dir, String(index)));
      await Promise.all(paths.map((path, index) => writeFile(path, contents[index] as Buffer)));
      const out = await this.text(['hash-object', '-w', '--no-filters', '--stdin-paths'], { input: paths.join('\n') });
      return out.split('\n');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  async readBlob(sha: string): Promise<Buffer> {
    return (await this.run(['cat-file', 'blob', sha])).stdout;
  }

  async readCommit(sha: string): Promise<ParsedCommit> {
    const raw = (await this.run(['cat-file', 'commit', sha])).stdout.toString('utf8');
    const split = raw.indexOf('\n\n');
    const header = split >= 0 ? raw.slice(0, split) : raw;
    const message = split >= 0 ? raw.slice(split + 2) : '';
    const parents: string[] = [];
    let tree = '';
    let author: GitIdentity = { name: '', email: '', date: '' };
    let committer: GitIdentity = author;
    for (const line of header.split('\n')) {
      const space = line.indexOf(' ');
      const key = line.slice(0, space);
      const value = line.slice(space + 1);
      if (key === 'tree') tree = value;
      else if (key === 'parent') parents.push(value);
      else if (key === 'author') author = parseIdentity(value);
      else if (key === 'committer') committer = parseIdentity(value);
    }
    return { sha, tree, parents, author, committer, message };
  }

  /** Entries of a tree (recursive: subtrees and their contents too, as GitHub's `recursive=1`). */
  async readTree(treeish: string, recursive = false): Promise<TreeEntry[]> {
    const args = ['ls-tree', '-l', '-z', ...(recursive ? ['-r', '-t'] : []), treeish];
    const out = (await this.run(args)).stdout.toString('utf8');
    return out
      .split('\0')
      .filter((line) => line.length > 0)
      .map((line) => {
        const tab = line.indexOf('\t');
        const [mode = '', type = '', sha = '', size = '-'] = line.slice(0, tab).split(/ +/);
        const entry: TreeEntry = { mode, type: type as TreeEntry['type'], sha, path: line.slice(tab + 1) };
        if (type === 'blob') entry.size = Number(size);
        return entry;
      });
  }

  /** The entry at `path` in a commit's tree, or undefined. The empty path is the root tree. */
  async entryAt(commit: string, path: string): Promise<TreeEntry | undefined> {
    if (path === '') {
      const tree = await this.text(['rev-parse', `${commit}^{tree}`]);
      return { mode: '040000', type: 'tree', sha: tree, path: '' };
    }
    const out = (await this.run(['ls-tree', '-l', '-z', commit, '--', path])).stdout.toString('utf8');
    const line = out.split('\0').find((entryLine) => entryLine.endsWith(`\t${path}`));
    if (!line) return undefined;
    const [mode = '', type = '', sha = '', size = '-'] = line.slice(0, line.indexOf('\t')).split(/ +/);
    const entry: TreeEntry = { mode, type: type as TreeEntry['type'], sha, path };
    if (type === 'blob') entry.size = Number(size);
    return entry;
  }

  /**
   * Builds a tree from an optional base tree and changes, in a private index: blobs (`sha`) at
   * paths, whole trees at paths, and deletions (files or folders).
   */
  async buildTree(
    baseTree: string | undefined,
    changes: { path: string; mode: string; sha: string | null }[],
  ): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'fake-github-index-'));
    // An empty work tree: update-index refuses to run without one, and never reads it for cacheinfo.
    const env = { GIT_INDEX_FILE: join(dir, 'index'), GIT_WORK_TREE: dir };
    try {
      if (baseTree) await this.run(['read-tree', baseTree], { env });
      else await this.run(['read-tree', '--empty'], { env });
      if (changes.every((change) => change.mode !== '040000')) {
        await this.applyBlobChanges(changes, env);
        return await this.text(['write-tree'], { env });
      }
      for (const change of changes) {
        // Whatever was at the path (a file or a folder) goes first; then the new entry.
        await this.removeFromIndex(change.path, env);
        if (change.sha === null) continue;
        if (change.mode === '040000') {
          await this.run(['read-tree', `--prefix=${change.path}/`, change.sha], { env });
        } else {
          await this.run(['update-index', '--add', '--cacheinfo', `${change.mode},${change.sha},${change.path}`], {
            env,
          });
        }
      }
      return await this.text(['write-tree'], { env });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  /**
   * Blob entries and deletions in two git runs however many there are (the same index as the
   * one-by-one path): what is at each changed path (a file or a folder) goes, then the new entries.
   */
  private async applyBlobChanges(
    changes: { path: string; mode: string; sha: string | null }[],
    env: Record<string, string>,
  ): Promise<void> {
    const paths = changes.map((change) => change.path);
    const listed = (await this.run(['ls-files', '-z', '--', ...paths], { env })).stdout.toString('utf8');
    const gone = listed
      .split('\0')
      .filter((p) => p !== '' && paths.some((path) => p === path || p.startsWith(`${path}/`)));
    const zero = '0'.repeat(40);
    const lines = [
      ...gone.map((p) => `0 ${zero}\t${p}`),
      ...changes
        .filter((change) => change.sha !== null)
        .map((change) => `${change.mode} ${change.sha}\t${change.path}`),
    ];
    if (lines.length === 0) return;
    await this.run(['update-index', '-z', '--index-info'], { env, input: `${lines.join('\0')}\0` });
  }

  private async removeFromIndex(path: string, env: Record<string, string>): Promise<void> {
    const listed = (await this.run(['ls-files', '-z', '--', path], { env })).stdout.toString('utf8');
    const paths = listed.split('\0').filter((p) => p === path || p.startsWith(`${path}/`));
    if (paths.length === 0) return;
    await this.run(['update-index', '--force-remove', '-z', '--stdin'], { env, input: `${paths.join('\0')}\0` });
  }

  async commitTree(input: {
    tree: string;
    parents: string[];
    message: string;
    author: GitIdentity;
    committer: GitIdentity;
  }): Promise<string> {
    const args = ['commit-tree', input.tree, ...input.parents.flatMap((parent) => ['-p', parent])];
    return this.text(args, {
      input: input.message,
      env: {
        GIT_AUTHOR_NAME: input.author.name,
        GIT_AUTHOR_EMAIL: input.author.email,
        GIT_AUTHOR_DATE: input.author.date,
        GIT_COMMITTER_NAME: input.committer.name,
        GIT_COMMITTER_EMAIL: input.committer.email,
        GIT_COMMITTER_DATE: input.committer.date,
      },
    });
  }

  /**
   * One commit on `branch` that writes `files` (content, or null to delete) on top of the branch's
   * head (or `parent`, or nothing for a first commit), then moves the branch. Answers the commit.
   */
  async commitFiles(input: {
    branch: string;
    files: Record<string, string | Buffer | null>;
    message: string;
    author: GitIdentity;
    parent?: string;
  }): Promise<string> {
    const ref = `refs/heads/${input.branch}`;
    const current = await this.resolveRef(ref);
    const parent = input.parent ?? current;
    const changes = [];
    for (const [path, content] of Object.entries(input.files)) {
      changes.push({ path, mode: '100644', sha: content === null ? null : await this.writeBlob(Buffer.from(content)) });
    }
    const baseTree = parent ? await this.text(['rev-parse', `${parent}^{tree}`]) : undefined;
    const tree = await this.buildTree(baseTree, changes);
    const commit = await this.commitTree({
      tree,
      parents: parent ? [parent] : [],
      message: input.message,
      author: input.author,
      committer: input.author,
    });
    await this.updateRef(ref, commit, current);
    return commit;
  }

  /** Sets a ref only if it still holds `expected` (`undefined`: must not exist yet). */
  async updateRef(ref: string, sha: string, expected: string | undefined): Promise<void> {
    await this.run(['update-ref', ref, sha, expected ?? '0'.repeat(40)]);
  }

  async deleteRef(ref: string, expected: string): Promise<void> {
    await this.run(['update-ref', '-d', ref, expected]);
  }

  async isAncestor(ancestor: string, descendant: string): Promise<boolean> {
    const result = await this.run(['merge-base', '--is-ancestor', ancestor, descendant], { okCodes: [1] });
    return result.code === 0;
  }

  /** A three-way merge of two commits without a work tree: the tree, or undefined on conflicts. */
  async mergeTrees(ours: string, theirs: string): Promise<string | undefined> {
    const result = await this.run(['merge-tree', '--write-tree', ours, theirs], { okCodes: [1] });
    if (result.code !== 0) return undefined;
    return result.stdout.toString('utf8').split('\n')[0]?.trim();
  }

  /**
   * The tree of `commit` replayed onto `onto` (a cherry-pick with `parent` as the merge base), or
   * undefined on conflicts. Git 2.39 (Debian 12) has no `merge-tree --merge-base`: two throw-away
   * commits with the parent's tree as their only ancestor give merge-tree that base.
   */
  async replayTree(onto: string, commit: string, parent: string): Promise<string | undefined> {
    const identity = { name: 'replay', email: 'replay@github.invalid', date: '2000-01-01T00:00:00Z' };
    const treeOf = (sha: string) => this.text(['rev-parse', `${sha}^{tree}`]);
    const synthetic = (tree: string, parents: string[]) =>
      this.commitTree({ tree, parents, message: 'replay\n', author: identity, committer: identity });
    const base = await synthetic(await treeOf(parent), []);
    const ours = await synthetic(await treeOf(onto), [base]);
    const theirs = await synthetic(await treeOf(commit), [base]);
    return this.mergeTrees(ours, theirs);
  }

  /** Commits reachable from `head` and not from `base`, oldest first. */
  async commitsBetween(base: string, head: string): Promise<string[]> {
    const out = await this.text(['rev-list', '--reverse', `${base}..${head}`]);
    return out ? out.split('\n') : [];
  }

  /** Files changed between two commits with added and deleted line counts. */
  async diffStat(base: string, head: string): Promise<{ additions: number; deletions: number; files: number }> {
    const out = await this.text(['diff', '--numstat', base, head]);
    let additions = 0;
    let deletions = 0;
    const lines = out ? out.split('\n') : [];
    for (const line of lines) {
      const [added = '0', deleted = '0'] = line.split('\t');
      additions += Number(added) || 0;
      deletions += Number(deleted) || 0;
    }
    return { additions, deletions, files: lines.length };
  }
}

function parseIdentity(value: string): GitIdentity {
  const match = /^(.*) <(.*)> (\d+) ([+-]\d{4})$/.exec(value);
  if (!match) return { name: value, email: '', date: new Date(0).toISOString() };
  return {
    name: match[1] ?? '',
    email: match[2] ?? '',
    date: `${new Date(Number(match[3]) * 1000).toISOString().slice(0, 19)}Z`,
  };
}
