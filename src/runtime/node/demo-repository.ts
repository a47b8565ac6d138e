/**
 * The demonstration registry's bare repository under `<dataDir>/demo/`: built from
 * examples/demo-package at the first start, and given a new commit and a new tag at a later start
 * when the package's content changed (a content hash in `package.sha256` makes the check cheap).
 * Tags already published are never moved, so the catalogue keeps every version ingested before:
 * releases are immutable in Margo. The new tag is `v<metadata.version>`, or, when that version was
 * published already with other content, `v<metadata.version>+<hash>` (and a warning to bump it).
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { isScalar, parseDocument } from 'yaml';
import type { Logger } from '../../logger.js';

const run = promisify(execFile);

const HASH_FILE = 'package.sha256';

/** A fixed author and date make the commits the same each time they are built. */
const gitEnv: NodeJS.ProcessEnv = {
  PATH: process.env.PATH ?? '/usr/bin:/bin',
  HOME: tmpdir(),
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_AUTHOR_NAME: 'margo-bridge demo',
  GIT_AUTHOR_EMAIL: 'demo@margo-bridge.invalid',
  GIT_COMMITTER_NAME: 'margo-bridge demo',
  GIT_COMMITTER_EMAIL: 'demo@margo-bridge.invalid',
  GIT_AUTHOR_DATE: '2026-01-01T00:00:00Z',
  GIT_COMMITTER_DATE: '2026-01-01T00:00:00Z',
};

async function git(args: string[], cwd: string): Promise<string> {
  const { stdout } = await run('git', args, { cwd, env: gitEnv });
  return stdout.trim();
}

/** Builds or updates `<projectRoot>/demo.git` from `packageDir`; returns the tag published, if any. */
export async function syncDemoRepository(options: {
  packageDir: string;
  projectRoot: string;
  logger: Logger;
}): Promise<string | undefined> {
  const { packageDir, projectRoot } = options;
  const bare = path.join(projectRoot, 'demo.git');
  const hashFile = path.join(projectRoot, HASH_FILE);
  const hash = await contentHash(packageDir);
  const recorded = await readFile(hashFile, 'utf8').catch(() => '');
  if (existsSync(bare) && recorded.trim() === hash) return undefined;

  const work = await mkdtemp(path.join(tmpdir(), 'margo-bridge-demo-'));
  let tag: string | undefined;
  try {
    if (existsSync(bare)) {
      await git(['clone', '--quiet', bare, work], tmpdir());
      for (const entry of await readdir(work)) {
        if (entry !== '.git') await rm(path.join(work, entry), { recursive: true, force: true });
      }
    } else {
      await git(['init', '--quiet', '--initial-branch=main'], work);
    }
    await cp(packageDir, work, { recursive: true });
    await git(['add', '--all'], work);
    // An unchanged tree (a repository built before the hash file existed) needs no new release.
    if ((await git(['status', '--porcelain'], work)) !== '') {
      tag = await nextTag(work, packageDir, hash, options.logger);
      await git(['commit', '--quiet', '--message', `Demonstration package ${tag}`], work);
      await git(['tag', '--annotate', tag, '--message', `Release ${tag}`], work);
      if (existsSync(bare)) {
        await git(['push', '--quiet', 'origin', 'main', `refs/tags/${tag}`], work);
      } else {
        await mkdir(path.dirname(bare), { recursive: true });
        await git(['clone', '--quiet', '--bare', work, bare], path.dirname(bare));
        await git(['config', 'http.receivepack', 'false'], bare);
      }
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  await writeFile(hashFile, `${hash}\n`);
  return tag;
}

async function nextTag(work: string, packageDir: string, hash: string, logger: Logger): Promise<string> {
  // The version's source text: `version: 1.0` must give the tag v1.0, not v1 (D-10).
  const document = parseDocument(await readFile(path.join(packageDir, 'margo.yaml'), 'utf8'));
  const node = document.getIn(['metadata', 'version'], true);
  const tag = `v${isScalar(node) && node.source !== undefined ? node.source : String(node ?? '1.0.0')}`;
  if ((await git(['tag', '--list', tag], work)) === '') return tag;
  const distinct = `${tag}+${hash.slice(0, 12)}`;
  logger.warn(
    { tag: distinct, released: tag },
    'the demonstration package changed but its metadata.version was released already; published under a new tag (bump metadata.version)',
  );
  return distinct;
}

/** SHA-256 over every file's path and bytes, in path order. */
export async function contentHash(dir: string): Promise<string> {
  const hash = createHash('sha256');
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const files = entries
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)).split(path.sep).join('/'))
    .sort();
  for (const file of files) {
    const bytes = await readFile(path.join(dir, file));
    hash.update(`${file}\0${bytes.length}\0`).update(bytes);
  }
  return hash.digest('hex');
}
