/**
 * Schema checks of what a controller applies: the Flux and Argo CD objects our templates write
 * (validating models of `@kubernetes-models/flux-cd` and `@kubernetes-models/argo-cd` 4.x, each
 * at exactly the apiVersion written) and the core objects of the target index (`kubernetes-models`
 * 4.5: Namespace). Beyond the models' `validate()`, undeclared fields fail (schema-check.ts); two
 * kinds of CRD rule missing from the models are checked by hand: CEL rules (HelmRelease v2:
 * exactly one of `chart` and `chartRef`) and the Flux duration pattern of `interval`/`timeout`.
 */
import { Application } from '@kubernetes-models/argo-cd/argoproj.io/v1alpha1/Application';
import { HelmRelease } from '@kubernetes-models/flux-cd/helm.toolkit.fluxcd.io/v2/HelmRelease';
import { HelmRepository } from '@kubernetes-models/flux-cd/source.toolkit.fluxcd.io/v1/HelmRepository';
import { OCIRepository } from '@kubernetes-models/flux-cd/source.toolkit.fluxcd.io/v1/OCIRepository';
import { Namespace } from 'kubernetes-models/v1/Namespace';
import { checkManifest, type SchemaModel } from './schema-check.js';

export type Manifest = Record<string, unknown> & { apiVersion: string; kind: string; spec: Record<string, unknown> };

/** One model per apiVersion and kind that templates/flux-*.yaml and templates/argocd-*.yaml write. */
export const TEMPLATE_MODELS: SchemaModel[] = [HelmRelease, OCIRepository, HelmRepository, Application];
/** Every kind margo-bridge writes into a deployment repository. */
export const MODELS: SchemaModel[] = [...TEMPLATE_MODELS, Namespace];

export const modelFor = (apiVersion: unknown, kind: unknown) =>
  MODELS.find((model) => model.apiVersion === apiVersion && model.kind === kind);

/**
 * The Flux CRDs' pattern for their `metav1.Duration` fields (`+kubebuilder:validation:Pattern`),
 * which the models leave out, with the fields our templates write.
 */
export const DURATION = /^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$/;
const DURATION_FIELDS: Record<string, string[]> = {
  HelmRelease: ['interval', 'timeout'],
  OCIRepository: ['interval'],
  HelmRepository: ['interval'],
};

/** Everything wrong with a manifest, one line each; [] when valid. */
export function problems(manifest: Manifest): string[] {
  const model = modelFor(manifest.apiVersion, manifest.kind);
  if (!model) return [`no schema model for ${manifest.apiVersion} ${manifest.kind}`];
  const found = checkManifest(model, manifest);
  const spec = manifest.spec ?? {};
  for (const field of DURATION_FIELDS[manifest.kind] ?? []) {
    const value = spec[field];
    if (typeof value === 'string' && !DURATION.test(value))
      found.push(`/spec/${field} must match pattern "${DURATION.source}"`);
  }
  // HelmRelease v2 CEL rule: (has(chart) && !has(chartRef)) || (!has(chart) && has(chartRef)).
  if (manifest.kind === 'HelmRelease' && 'chart' in spec === 'chartRef' in spec)
    found.push('/spec either chart or chartRef must be set');
  return found;
}
