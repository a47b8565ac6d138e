/**
 * The templates on Workers: the same files as `templates/`, bundled into the Worker as text
 * (wrangler.toml `[[rules]]` type Text for *.yaml) instead of read from disk.
 */
import applicationDeployment from '../../../templates/application-deployment.yaml';
import applicationDeploymentV1 from '../../../templates/application-deployment-v1.yaml';
import argocdApplication from '../../../templates/argocd-application.yaml';
import fluxHelmRelease from '../../../templates/flux-helmrelease.yaml';
import fluxHelmRepository from '../../../templates/flux-helmrepository.yaml';
import fluxOciRepository from '../../../templates/flux-ocirepository.yaml';
import { compileTemplates, type Templates, type TemplateTexts } from '../../margo/render/template.js';

export const bundledTemplateTexts: TemplateTexts = {
  'application-deployment': applicationDeployment,
  'application-deployment-v1': applicationDeploymentV1,
  'flux-helmrelease': fluxHelmRelease,
  'flux-ocirepository': fluxOciRepository,
  'flux-helmrepository': fluxHelmRepository,
  'argocd-application': argocdApplication,
};

export function bundledTemplates(): Templates {
  return compileTemplates(bundledTemplateTexts);
}
