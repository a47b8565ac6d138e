/**
 * Fixture Application Registries: bare Git repositories under a temporary root, built with native
 * `git` at test start, served by test/support/git-server.ts (`startGitServer({ root })`).
 *
 *   const root = await createRegistryRoot();               // temp dir; removeRegistryRoot(root) after
 *   const fixtures = await buildFixtureRegistries(root);   // the standard set, see FixtureRegistries
 *   await publishRelease(root, 'hello', 'v1.3.0', { 'margo.yaml': text });   // a new release ("push a tag")
 *   await publishRelease(root, 'hello', 'v1.2.0', files, { force: true });   // move a tag
 *   await addUnrelatedRefs(root, 'many-refs', 2000);
 *
 * `publishRelease` commits onto the repository's `main` branch: the files given are laid over the
 * previous commit's files (a `null` content deletes a file, `{ symlink }` makes a symbolic link,
 * `replace: true` starts from an empty tree), then tags the commit (annotated unless
 * `annotated: false`). It writes the bare repository directly (no push over HTTP), so the server's
 * request log only shows margo-bridge's requests. Repositories are read-only over HTTP
 * (`http.receivepack false`).
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const examplesDir = new URL('../../../shared/margo-examples/', import.meta.url);
export const fixturePackagesDir = new URL('../fixtures/packages/', import.meta.url);

export type FileContent = string | Uint8Array | { symlink: string } | null;
export type PackageFiles = Record<string, FileContent>;

export interface PublishOptions {
  /** Annotated tag (default) or lightweight. */
  annotated?: boolean;
  /** Move the tag if it exists. */
  force?: boolean;
  /** Start from an empty tree instead of the previous commit's files. */
  replace?: boolean;
  message?: string;
}

/** Environment for native git that ignores the machine's and the user's configuration. */
export function fixtureGitEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_TERMINAL_PROMPT: '0',
    GIT_AUTHOR_NAME: 'Fixture Author',
    GIT_AUTHOR_EMAIL: 'fixture@example.com',
    GIT_COMMITTER_NAME: 'Fixture Author',
    GIT_COMMITTER_EMAIL: 'fixture@example.com',
  };
  delete env.GIT_DIR;
  delete env.GIT_WORK_TREE;
  delete env.GIT_INDEX_FILE;
  return env;
}

export async function git(args: string[], cwd?: string, input?: string): Promise<string> {
  const child = run('git', args, { cwd, env: fixtureGitEnv(), maxBuffer: 64 * 1024 * 1024 });
  if (input !== undefined) {
    child.child.stdin?.end(input);
  }
  const { stdout } = await child;
  return stdout.trim();
}

export async function createRegistryRoot(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'margo-bridge-registries-'));
}

export async function removeRegistryRoot(root: string): Promise<void> {
  await rm(root, { recursive: true, force: true });
}

export function bareRepositoryPath(root: string, repo: string): string {
  return join(root, `${repo}.git`);
}

function workTreePath(root: string, repo: string): string {
  return join(root, '.worktrees', repo);
}

/** Creates an empty read-only bare repository `<root>/<repo>.git` (idempotent). */
export async function createBareRegistry(root: string, repo: string): Promise<string> {
  const bare = bareRepositoryPath(root, repo);
  if (existsSync(join(bare, 'HEAD'))) return bare;
  await git(['init', '--quiet', '--bare', '--initial-branch=main', bare]);
  await git(['--git-dir', bare, 'config', 'http.receivepack', 'false']);
  await mkdir(workTreePath(root, repo), { recursive: true });
  return bare;
}

async function writeFiles(workTree: string, files: PackageFiles): Promise<void> {
  for (const [path, content] of Object.entries(files)) {
    const target = join(workTree, path);
    await rm(target, { force: true, recursive: true });
    if (content === null) continue;
    await mkdir(dirname(target), { recursive: true });
    if (typeof content === 'object' && 'symlink' in content) await symlink(content.symlink, target);
    else await writeFile(target, content);
  }
}

/** Commits `files` (over the previous files) on `main` and tags the commit; returns the commit id. */
export async function publishRelease(
  root: string,
  repo: string,
  tag: string,
  files: PackageFiles,
  options: PublishOptions = {},
): Promise<string> {
  const bare = await createBareRegistry(root, repo);
  const workTree = workTreePath(root, repo);
  const inRepo = ['--git-dir', bare, '--work-tree', workTree];
  if (options.replace) {
    for (const entry of await readdir(workTree)) await rm(join(workTree, entry), { recursive: true, force: true });
  }
  await writeFiles(workTree, files);
  await git([...inRepo, 'add', '--all', '.'], workTree);
  const message = options.message ?? `Release ${tag}`;
  await git([...inRepo, 'commit', '--quiet', '--allow-empty', '-m', message], workTree);
  const commit = await git(['--git-dir', bare, 'rev-parse', 'HEAD']);
  const tagArgs = ['--git-dir', bare, 'tag'];
  if (options.force) tagArgs.push('--force');
  if (options.annotated !== false) tagArgs.push('-a', '-m', message);
  tagArgs.push(tag, commit);
  await git(tagArgs);
  return commit;
}

/** Adds `count` refs that are not tags (`refs/heads/branch-N`), in one `update-ref --stdin`. */
export async function addUnrelatedRefs(root: string, repo: string, count: number, prefix = 'refs/heads/branch-') {
  const bare = bareRepositoryPath(root, repo);
  const head = await git(['--git-dir', bare, 'rev-parse', 'HEAD']);
  const lines = Array.from({ length: count }, (_, i) => `create ${prefix}${i} ${head}\n`).join('');
  await git(['--git-dir', bare, 'update-ref', '--stdin'], undefined, lines);
}

export async function deleteTag(root: string, repo: string, tag: string): Promise<void> {
  await git(['--git-dir', bareRepositoryPath(root, repo), 'tag', '-d', tag]);
}

/** A margo-examples file's text. */
export async function exampleText(name: string): Promise<string> {
  return readFile(new URL(name, examplesDir), 'utf8');
}

/** The description with its `metadata.version` set (D-10: tag and version agree). */
export function withVersion(description: string, version: string): string {
  return description.replace(/^(\s{2}version:).*$/m, `$1 ${JSON.stringify(version)}`);
}

/** A package of the Hello World example alone, as `margo.yaml` with its `metadata.version` set. */
export async function helloPackage(version: string): Promise<PackageFiles> {
  return { 'margo.yaml': withVersion(await exampleText(helloExample), version) };
}

/** All files under a fixture package directory, keyed by path relative to it. */
export async function fixturePackage(name: string, under = ''): Promise<PackageFiles> {
  const base = new URL(`${name}/`, fixturePackagesDir);
  const files: PackageFiles = {};
  const entries = await readdir(base, { recursive: true, withFileTypes: true });
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    const relative = join(entry.parentPath, entry.name).slice(base.pathname.length);
    files[join(under, relative)] = await readFile(join(entry.parentPath, entry.name));
  }
  return files;
}

/** `count` files of incompressible content totalling about `totalBytes`, under `resources/data/`. */
export function bulkFiles(count: number, totalBytes: number): PackageFiles {
  const files: PackageFiles = {};
  const each = Math.floor(totalBytes / count);
  for (let i = 0; i < count; i++) files[`resources/data/file-${String(i).padStart(4, '0')}.bin`] = randomBytes(each);
  return files;
}

export const helloExample = 'margo-specification_src-applications_valid_ApplicationDescription-001@3de18e1d.yaml';
export const composeExample = 'margo-specification_data-model_valid_ApplicationDescription-compose_only@3c113ea1.yaml';

export interface FixtureRegistries {
  /**
   * `hello`: the Hello World description with its four resources. Tags: v1.0.0 (annotated),
   * v1.1.0 (lightweight), v1.2.0 (annotated, moved: `moved.from` → `moved.to`), 2.0.0 (annotated,
   * no `v`), docs-snapshot (lightweight, not a version).
   */
  hello: { tags: Record<string, string>; moved: { tag: string; from: string; to: string } };
  /** `monorepo`: packages/hello and packages/compose, tag v1.0.0. */
  monorepo: { tags: Record<string, string>; subPaths: string[] };
  /** `no-description`: v1.0.0 has a README and a values.yaml only. */
  noDescription: { tags: Record<string, string> };
  /** `other-name`: v1.0.0 has `application.yaml` (the description) beside `values.yaml`. */
  otherName: { tags: Record<string, string> };
  /** `traversal`: sub-path `app`, v1.0.0 whose resources point outside the package. */
  traversal: { tags: Record<string, string>; subPath: string };
  /**
   * `symlink`: v1.0.0's icon is a symlink to ../secret.txt; v2.0.0's margo.yaml is a symlink to a
   * real description file.
   */
  symlink: { tags: Record<string, string> };
  /** `many-refs`: tags v1.0.0 and v1.1.0 plus 2,000 unrelated branches. */
  manyRefs: { tags: Record<string, string>; unrelatedRefs: number };
  /** `large`: v1.0.0 carries 20 files of incompressible data (about 400 KB) beside the description. */
  large: { tags: Record<string, string> };
}

/** Builds the standard fixture registries under `root`. */
export async function buildFixtureRegistries(root: string): Promise<FixtureRegistries> {
  const hello = await exampleText(helloExample);
  const compose = await exampleText(composeExample);
  const resources = await fixturePackage('resources');

  const helloTags: Record<string, string> = {};
  helloTags['v1.0.0'] = await publishRelease(root, 'hello', 'v1.0.0', {
    'margo.yaml': withVersion(hello, '1.0.0'),
    ...resources,
  });
  helloTags['v1.1.0'] = await publishRelease(
    root,
    'hello',
    'v1.1.0',
    { 'margo.yaml': withVersion(hello, '1.1.0') },
    { annotated: false },
  );
  const movedFrom = await publishRelease(root, 'hello', 'v1.2.0', { 'margo.yaml': withVersion(hello, '1.2.0') });
  helloTags['2.0.0'] = await publishRelease(root, 'hello', '2.0.0', { 'margo.yaml': withVersion(hello, '2.0.0') });
  helloTags['docs-snapshot'] = await publishRelease(
    root,
    'hello',
    'docs-snapshot',
    { 'NOTES.md': 'docs\n' },
    {
      annotated: false,
    },
  );
  const movedTo = await publishRelease(
    root,
    'hello',
    'v1.2.0',
    { 'margo.yaml': `${withVersion(hello, '1.2.0')}# rebuilt\n` },
    { force: true },
  );
  helloTags['v1.2.0'] = movedTo;

  const monorepoTags = {
    'v1.0.0': await publishRelease(root, 'monorepo', 'v1.0.0', {
      'packages/hello/margo.yaml': withVersion(hello, '1.0.0'),
      'packages/compose/margo.yaml': withVersion(compose, '1.0.0'),
      'README.md': 'Two packages in one registry.\n',
    }),
  };

  const noDescriptionTags = {
    'v1.0.0': await publishRelease(root, 'no-description', 'v1.0.0', await fixturePackage('no-description')),
  };

  const otherNameTags = {
    'v1.0.0': await publishRelease(root, 'other-name', 'v1.0.0', {
      'application.yaml': withVersion(compose, '1.0.0'),
      'values.yaml': 'replicaCount: 1\n',
      'notes.yml': '- not a description\n',
    }),
  };

  const traversalTags = {
    'v1.0.0': await publishRelease(root, 'traversal', 'v1.0.0', await fixturePackage('traversal')),
  };

  const symlinkTags: Record<string, string> = {};
  symlinkTags['v1.0.0'] = await publishRelease(root, 'symlink', 'v1.0.0', {
    'margo.yaml': withVersion(hello, '1.0.0'),
    ...resources,
    'secret.txt': 'outside the resources folder\n',
    'resources/hw-logo.png': { symlink: '../secret.txt' },
  });
  symlinkTags['v2.0.0'] = await publishRelease(
    root,
    'symlink',
    'v2.0.0',
    { 'real-description.txt': withVersion(hello, '2.0.0'), 'margo.yaml': { symlink: 'real-description.txt' } },
    { replace: true },
  );

  const manyRefsTags: Record<string, string> = {};
  manyRefsTags['v1.0.0'] = await publishRelease(root, 'many-refs', 'v1.0.0', {
    'margo.yaml': withVersion(hello, '1.0.0'),
  });
  manyRefsTags['v1.1.0'] = await publishRelease(root, 'many-refs', 'v1.1.0', {
    'margo.yaml': withVersion(hello, '1.1.0'),
  });
  await addUnrelatedRefs(root, 'many-refs', 2000);

  const largeTags = {
    'v1.0.0': await publishRelease(root, 'large', 'v1.0.0', {
      'margo.yaml': withVersion(hello, '1.0.0'),
      ...bulkFiles(20, 400_000),
    }),
  };

  return {
    hello: { tags: helloTags, moved: { tag: 'v1.2.0', from: movedFrom, to: movedTo } },
    monorepo: { tags: monorepoTags, subPaths: ['packages/hello', 'packages/compose'] },
    noDescription: { tags: noDescriptionTags },
    otherName: { tags: otherNameTags },
    traversal: { tags: traversalTags, subPath: 'app' },
    symlink: { tags: symlinkTags },
    manyRefs: { tags: manyRefsTags, unrelatedRefs: 2000 },
    large: { tags: largeTags },
  };
}
