/**
 * Renders a resolved deployment into files (the desired state): the complete content of the
 * folder the deployment owns. `margo` writes the Git-era ApplicationDeployment (D-9), `margo-v1`
 * the newest shape; `flux` and `argocd` write the Git-era ApplicationDeployment plus GitOps
 * manifests per Helm component (values inline). Helm values overlays and env files are written
 * in every format, for Margo device agents. Every format adds the folder's `kustomization.yaml`
 * (listing only its Kubernetes objects) and the manifest `margo-bridge.json` (kustomize.ts).
 * Same inputs, same bytes.
 */
import { BridgeError } from '../../errors.js';
import type { ResolvedDeployment } from '../deployment/model.js';
import { writeEnvFile } from './env-file.js';
import { contentHash, type RenderedFile } from './hash.js';
import { kustomization, writeManifest } from './kustomize.js';
import { deploymentPaths, type Layout } from './layout.js';
import { fillTemplate, type Templates } from './template.js';
import { applicationDeploymentVariables, argocdVariables, fluxVariables, helmComponents } from './variables.js';
import { writeYaml } from './yaml-writer.js';

export const renderFormats = ['margo', 'margo-v1', 'flux', 'argocd'] as const;
export type RenderFormat = (typeof renderFormats)[number];

export interface RenderOptions {
  format?: RenderFormat;
  layout?: Layout;
  templates: Templates;
}

export interface RenderedDeployment {
  /** Every file of the deployment's folder, paths from the repository root, sorted by path. */
  files: RenderedFile[];
  /** The folder the deployment owns entirely. */
  folder: string;
  /** `sha256:<hex>` over paths and contents (see hash.ts). */
  hash: string;
}

export async function renderDeployment(
  resolved: ResolvedDeployment,
  options: RenderOptions,
): Promise<RenderedDeployment> {
  const format = options.format ?? 'margo';
  if (!(renderFormats as readonly string[]).includes(format)) {
    throw new BridgeError('BAD_REQUEST', `unknown format '${format}'; known: ${renderFormats.join(', ')}`);
  }
  const { templates } = options;
  const paths = deploymentPaths(resolved, options.layout);
  const files: RenderedFile[] = [];
  const deploymentTemplate =
    format === 'margo-v1' ? templates['application-deployment-v1'] : templates['application-deployment'];
  files.push({
    path: paths.deployment,
    content: fillTemplate(deploymentTemplate, applicationDeploymentVariables(resolved)),
  });
  for (const entry of resolved.helmValues) {
    files.push({ path: paths.values(entry.component), content: writeYaml(entry.values) });
  }
  for (const envFile of resolved.envFiles) {
    files.push({ path: paths.env(envFile.component), content: writeEnvFile(envFile.entries) });
  }
  if (resolved.profile.type === 'helm' && (format === 'flux' || format === 'argocd')) {
    const components = helmComponents(resolved);
    components.forEach((helm, index) => {
      const name = helm.component.name;
      if (format === 'flux') {
        const variables = fluxVariables(resolved, helm, components[index - 1]);
        const sourceTemplate = helm.oci ? templates['flux-ocirepository'] : templates['flux-helmrepository'];
        files.push({ path: paths.flux(name, 'source'), content: fillTemplate(sourceTemplate, variables.source) });
        files.push({
          path: paths.flux(name, 'helmrelease'),
          content: fillTemplate(templates['flux-helmrelease'], variables.release),
        });
      } else {
        files.push({
          path: paths.argocd(name),
          content: fillTemplate(templates['argocd-application'], argocdVariables(resolved, helm)),
        });
      }
    });
  }
  const inFolder = (path: string) => path.slice(paths.folder.length + 1);
  const objects = files
    .filter((file) => /^(flux|argocd)\//.test(inFolder(file.path)))
    .map((file) => inFolder(file.path));
  files.push({ path: paths.kustomization, content: kustomization(objects) });
  const namespaces = format === 'flux' && objects.length > 0 ? [resolved.namespace] : [];
  const written = [...files.map((file) => inFolder(file.path))].sort();
  files.push({
    path: paths.manifest,
    content: writeManifest({ generator: 'margo-bridge', format, namespaces, files: written }),
  });
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { files, folder: paths.folder, hash: await contentHash(files) };
}

export interface RepositoryRenderInput extends RenderOptions {
  resolved: ResolvedDeployment;
  format: RenderFormat;
}

/** `renderDeployment` in the shape the deployments service calls it. */
export function renderForRepository(input: RepositoryRenderInput): Promise<RenderedDeployment> {
  return renderDeployment(input.resolved, input);
}
