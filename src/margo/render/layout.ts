/**
 * Where a deployment's files go in the deployment repository. The default is
 * `<target>/<deployment-name>/application-deployment.yaml` with `values/<component>.yaml`,
 * `env/<component>.env`, `flux/…` and `argocd/…` beside it. A repository may set a root
 * folder and the directory pattern (`{target}`, `{name}`, `{applicationId}`); every resulting
 * path is checked to be a safe relative path.
 */
import { BridgeError } from '../../errors.js';
import type { ResolvedDeployment } from '../deployment/model.js';
import { unsafePathReason } from '../deployment/target.js';

export interface Layout {
  /** A folder all deployments live under, e.g. `clusters`; '' (the default) is the repository root. */
  root?: string;
  /** The deployment's directory below the root; default `{target}/{name}`. */
  directory?: string;
  /** File of the ApplicationDeployment; default `application-deployment.yaml`. */
  deploymentFile?: string;
}

export const defaultLayout: Required<Layout> = {
  root: '',
  directory: '{target}/{name}',
  deploymentFile: 'application-deployment.yaml',
};

const PLACEHOLDER = /\{(target|name|applicationId)\}/g;

function checked(path: string, what: string): string {
  const reason = unsafePathReason(path);
  if (reason) throw new BridgeError('UNSAFE_PATH', `${what} '${path}' ${reason}`, { path });
  return path;
}

export interface Paths {
  deployment: string;
  values(component: string): string;
  env(component: string): string;
  flux(component: string, kind: 'helmrelease' | 'source'): string;
  argocd(component: string): string;
}

export function deploymentPaths(resolved: ResolvedDeployment, layout: Layout = {}): Paths {
  const settings = { ...defaultLayout, ...layout };
  const directory = settings.directory.replace(PLACEHOLDER, (_, key: 'target' | 'name' | 'applicationId') =>
    key === 'target' ? resolved.target : key === 'name' ? resolved.name : resolved.applicationId,
  );
  const base = checked(settings.root === '' ? directory : `${settings.root}/${directory}`, 'deployment directory');
  const file = (relative: string) => checked(`${base}/${relative}`, 'file path');
  const component = (name: string) => {
    checked(name, 'component name');
    if (name.includes('/')) throw new BridgeError('UNSAFE_PATH', `component name '${name}' contains '/'`);
    return name;
  };
  return {
    deployment: file(checked(settings.deploymentFile, 'deployment file')),
    values: (name) => file(`values/${component(name)}.yaml`),
    env: (name) => file(`env/${component(name)}.env`),
    flux: (name, kind) => file(`flux/${component(name)}.${kind}.yaml`),
    argocd: (name) => file(`argocd/${component(name)}.application.yaml`),
  };
}
