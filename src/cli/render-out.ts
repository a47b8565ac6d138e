/**
 * `render --out`: the deployment repository's layout on a local disk, kept the way the
 * deployments service keeps a repository. A folder written before keeps its deployment id (its
 * ApplicationDeployment is read back), loses the files margo-bridge wrote there that are no
 * longer rendered (those listed in its manifest `margo-bridge.json`; other files are left alone),
 * and the target index is recomputed from the manifests present under the target's folder.
 */
import type { Dirent } from 'node:fs';
import { mkdir, readdir, readFile, rm, rmdir, writeFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import {
  checkTarget,
  deploymentName,
  type PreviousDeployment,
  readPreviousDeployment,
} from '../margo/deployment/index.js';
import {
  deploymentChange,
  deploymentFilePath,
  type Layout,
  MANIFEST_FILE,
  type RenderedDeployment,
  type RenderedFile,
  readManifest,
  targetFolder,
} from '../margo/render/index.js';

async function readIfPresent(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** The deployment already in `out` for this application and target (default name), if any. */
export async function previousInOut(
  out: string,
  place: { target: string; applicationId: string },
  layout: Layout = {},
): Promise<PreviousDeployment | undefined> {
  checkTarget(place.target);
  const path = deploymentFilePath({ ...place, name: deploymentName(place.applicationId) }, layout);
  const text = await readIfPresent(join(out, path));
  return text === undefined ? undefined : readPreviousDeployment(text);
}

/** Manifests under the target's folder in `out`, as repository files. */
async function manifestsUnder(out: string, folder: string): Promise<RenderedFile[]> {
  let entries: Dirent[];
  try {
    entries = await readdir(join(out, folder), { recursive: true, withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const files: RenderedFile[] = [];
  for (const entry of entries) {
    if (!entry.isFile() || entry.name !== MANIFEST_FILE) continue;
    const absolute = join(entry.parentPath, entry.name);
    files.push({ path: relative(out, absolute).split(sep).join('/'), content: await readFile(absolute, 'utf8') });
  }
  return files;
}

/** Removes `path` and then its parents while they are empty, never going above `stop`. */
async function removeFile(path: string, stop: string): Promise<void> {
  await rm(path, { force: true });
  for (let dir = dirname(path); dir.startsWith(`${stop}${sep}`); dir = dirname(dir)) {
    try {
      await rmdir(dir);
    } catch {
      return; // not empty (or gone): stop climbing
    }
  }
}

/** Writes the deployment and the target index under `out`; returns the absolute paths written. */
export async function writeRendering(
  out: string,
  rendered: RenderedDeployment,
  target: string,
  layout: Layout = {},
): Promise<string[]> {
  const manifestPath = join(out, rendered.folder, MANIFEST_FILE);
  const previousText = await readIfPresent(manifestPath);
  const before = previousText === undefined ? [] : readManifest(manifestPath, previousText).files;
  const present = await manifestsUnder(out, targetFolder(target, layout));
  const change = deploymentChange({ rendering: rendered, target, layout, present });
  const written: string[] = [];
  for (const file of change.files) {
    const path = join(out, file.path);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, file.content);
    written.push(path);
  }
  const now = new Set(rendered.files.map((file) => file.path));
  const stale = before.map((file) => `${rendered.folder}/${file}`).filter((path) => !now.has(path));
  for (const path of [...stale, ...change.deletions]) await removeFile(join(out, path), out);
  return written;
}
