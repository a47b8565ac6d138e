/**
 * Where a deployment's files go in the deployment repository. The default is
 * `<target>/<deployment-name>/` holding `application-deployment.yaml`, `values/<component>.yaml`,
 * `env/<component>.env`, `flux/…` or `argocd/…`, the generated `kustomization.yaml` and the
 * manifest `margo-bridge.json`; the target's own folder holds the target index (see
 * kustomize.ts). A repository may set a root folder and the directory pattern (`{target}`,
 * `{name}`, `{applicationId}`), which must start with `{target}/` so that every deployment of a
 * target lives below the target's folder; every resulting path is checked to be a safe relative
 * path.
 */
import { BridgeError } from '../../errors.js';
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

/** The file names margo-bridge generates in a deployment folder and in a target folder. */
export const KUSTOMIZATION_FILE = 'kustomization.yaml';
export const MANIFEST_FILE = 'margo-bridge.json';
export const NAMESPACES_FILE = 'namespaces.yaml';

/** What places a deployment: its target, name and application. */
export interface DeploymentPlace {
  target: string;
  name: string;
  applicationId: string;
}

const PLACEHOLDER = /\{(target|name|applicationId)\}/g;
const TARGET_FIRST = '{target}/';

function checked(path: string, what: string): string {
  const reason = unsafePathReason(path);
  if (reason) throw new BridgeError('UNSAFE_PATH', `${what} '${path}' ${reason}`, { path });
  return path;
}

function settingsOf(layout: Layout): Required<Layout> {
  const settings = { ...defaultLayout, ...layout };
  if (!settings.directory.startsWith(TARGET_FIRST) || settings.directory.length === TARGET_FIRST.length) {
    throw new BridgeError(
      'CONFIG_INVALID',
      `layout directory '${settings.directory}' must start with '${TARGET_FIRST}' and name a folder below it, so that a target's deployments live in its folder`,
      { field: 'directory' },
    );
  }
  if ([KUSTOMIZATION_FILE, MANIFEST_FILE].includes(settings.deploymentFile)) {
    throw new BridgeError(
      'CONFIG_INVALID',
      `layout deploymentFile '${settings.deploymentFile}' is a file margo-bridge generates; choose another name`,
      { field: 'deploymentFile' },
    );
  }
  return settings;
}

function underRoot(settings: Required<Layout>, path: string): string {
  return settings.root === '' ? path : `${settings.root}/${path}`;
}

/** The folder of a target: what a Flux Kustomization or an Argo CD root Application points at. */
export function targetFolder(target: string, layout: Layout = {}): string {
  return checked(underRoot(settingsOf(layout), target), 'target directory');
}

/** The folder a deployment owns entirely. */
export function deploymentFolder(place: DeploymentPlace, layout: Layout = {}): string {
  const settings = settingsOf(layout);
  const directory = settings.directory.replace(PLACEHOLDER, (_, key: 'target' | 'name' | 'applicationId') =>
    key === 'target' ? place.target : key === 'name' ? place.name : place.applicationId,
  );
  return checked(underRoot(settings, directory), 'deployment directory');
}

/** The ApplicationDeployment file of a deployment (what `readPreviousDeployment` reads on an update). */
export function deploymentFilePath(place: DeploymentPlace, layout: Layout = {}): string {
  const settings = settingsOf(layout);
  return checked(
    `${deploymentFolder(place, layout)}/${checked(settings.deploymentFile, 'deployment file')}`,
    'file path',
  );
}

export interface Paths {
  folder: string;
  deployment: string;
  kustomization: string;
  manifest: string;
  values(component: string): string;
  env(component: string): string;
  flux(component: string, kind: 'helmrelease' | 'source'): string;
  argocd(component: string): string;
}

export function deploymentPaths(place: DeploymentPlace, layout: Layout = {}): Paths {
  const folder = deploymentFolder(place, layout);
  const file = (relative: string) => checked(`${folder}/${relative}`, 'file path');
  const component = (name: string) => {
    checked(name, 'component name');
    if (name.includes('/')) throw new BridgeError('UNSAFE_PATH', `component name '${name}' contains '/'`);
    return name;
  };
  return {
    folder,
    deployment: deploymentFilePath(place, layout),
    kustomization: file(KUSTOMIZATION_FILE),
    manifest: file(MANIFEST_FILE),
    values: (name) => file(`values/${component(name)}.yaml`),
    env: (name) => file(`env/${component(name)}.env`),
    flux: (name, kind) => file(`flux/${component(name)}.${kind}.yaml`),
    argocd: (name) => file(`argocd/${component(name)}.application.yaml`),
  };
}
