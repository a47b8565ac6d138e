/**
 * A change to a deployment repository, as the deployments service proposes it: the deployment's
 * folder replaced wholesale (files no longer rendered disappear with the same commit) and the
 * target index recomputed from the deployment folders that will be present afterwards. Maps
 * one to one onto the provider's `ProposeInput { files, owned, deletions }`.
 */
import type { RenderedFile } from './hash.js';
import { deploymentsPresent, targetIndex, targetIndexPaths } from './kustomize.js';
import type { Layout } from './layout.js';

export interface RepositoryChange {
  /** The owned folder's complete content plus the target's root files. */
  files: RenderedFile[];
  /** Folders replaced wholesale: after the change each holds exactly its files above (maybe none). */
  owned: string[];
  /** Target root files no longer generated. */
  deletions: string[];
}

export interface ChangeInput {
  target: string;
  layout?: Layout;
  /** The files currently under `targetFolder(target)` on the branch the change builds on. */
  present: RenderedFile[];
}

function change(input: ChangeInput, folder: string, files: RenderedFile[]): RepositoryChange {
  const layout = input.layout ?? {};
  const others = input.present.filter((file) => !file.path.startsWith(`${folder}/`));
  const index = targetIndex({
    target: input.target,
    layout,
    deployments: deploymentsPresent(input.target, layout, [...others, ...files]),
  });
  const written = new Set(index.map((file) => file.path));
  return {
    files: [...files, ...index].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)),
    owned: [folder],
    deletions: targetIndexPaths(input.target, layout).filter((path) => !written.has(path)),
  };
}

/** Adds or updates a deployment: `rendering` is what `renderForRepository` returned. */
export function deploymentChange(input: ChangeInput & { rendering: { files: RenderedFile[]; folder: string } }) {
  return change(input, input.rendering.folder, input.rendering.files);
}

/** Removes the deployment that owns `folder`. */
export function removalChange(input: ChangeInput & { folder: string }): RepositoryChange {
  return change(input, input.folder, []);
}
