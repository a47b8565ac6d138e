/**
 * The names of `render --format`: each says which specification version the written
 * ApplicationDeployment follows. Old names stay as aliases. The default follows the description:
 * a description of the newest specification (shape V5) gets the newest deployment (margo-v1), an
 * older one the Git-era deployment (margo-v1alpha1) its tools expect.
 */
import type { RenderFormat } from '../margo/render/index.js';
import { UsageError } from './args.js';

export const formatNames: Record<string, RenderFormat> = {
  'margo-v1': 'margo-v1',
  'margo-v1alpha1': 'margo',
  flux: 'flux',
  argocd: 'argocd',
};

/** Names from before the versioned ones (issue 12). */
const aliases: Record<string, string> = { margo: 'margo-v1alpha1' };

export const formatHelp = `  --format <f>          which files to write; the ApplicationDeployment follows:
                          margo-v1        the newest specification (no apiVersion, top-level id,
                                          spec.applicationId, metadata.deviceId); the default
                                          for a V5 description
                          margo-v1alpha1  the Git-era application.margo.org/v1alpha1 (ids in
                                          metadata.annotations); the default for V1 to V4
                          flux, argocd    margo-v1alpha1 plus Flux or Argo CD manifests for
                                          the Helm components
                        ('margo' is the old name of margo-v1alpha1)
`;

export function chooseFormat(name: string | undefined, shape: string | null): RenderFormat {
  if (name === undefined) return shape === 'V5' ? 'margo-v1' : 'margo';
  const format = formatNames[aliases[name] ?? name];
  if (!format) {
    throw new UsageError(`unknown --format '${name}'; use ${Object.keys(formatNames).join(', ')}`);
  }
  return format;
}
