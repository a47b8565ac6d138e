/**
 * The files that make a deployment repository something a GitOps controller applies as it is:
 * - per deployment folder, a `kustomization.yaml` listing only its Kubernetes objects (the
 *   ApplicationDeployment, values and env files stay beside it, unlisted, for Margo device
 *   agents), and the manifest `margo-bridge.json` (the files margo-bridge wrote there and the
 *   namespaces its objects need);
 * - per target folder, the target index: a `kustomization.yaml` listing every deployment folder
 *   present and, when some deployment needs one, `namespaces.yaml` with the Namespace objects
 *   (Flux applies objects into existing namespaces only; Argo CD has `CreateNamespace=true`).
 * The index is recomputed from the manifests present, so it never lists a folder that is gone.
 */
import { BridgeError } from '../../errors.js';
import type { RenderedFile } from './hash.js';
import { KUSTOMIZATION_FILE, type Layout, MANIFEST_FILE, NAMESPACES_FILE, targetFolder } from './layout.js';
import { writeYaml } from './yaml-writer.js';

const KUSTOMIZE_API = { apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization' };

export function kustomization(resources: string[]): string {
  return writeYaml({ ...KUSTOMIZE_API, resources });
}

/** What `margo-bridge.json` records. */
export interface Manifest {
  generator: 'margo-bridge';
  format: string;
  /** Namespaces the folder's objects are applied into and that must exist first. */
  namespaces: string[];
  /** Files margo-bridge wrote in the folder, relative to it, sorted; the manifest itself excluded. */
  files: string[];
}

export function writeManifest(manifest: Manifest): string {
  return `${JSON.stringify(manifest, null, 2)}\n`;
}

function invalidManifest(path: string, problem: string): BridgeError {
  return new BridgeError('CONFIG_INVALID', `${path}: ${problem}; it was not written by margo-bridge`, { path });
}

const isStrings = (value: unknown): value is string[] =>
  Array.isArray(value) && value.every((item) => typeof item === 'string');

export function readManifest(path: string, text: string): Manifest {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw invalidManifest(path, 'is not JSON');
  }
  const manifest = data as Partial<Manifest> | null;
  if (
    manifest === null ||
    typeof manifest !== 'object' ||
    manifest.generator !== 'margo-bridge' ||
    typeof manifest.format !== 'string' ||
    !isStrings(manifest.namespaces) ||
    !isStrings(manifest.files)
  ) {
    throw invalidManifest(path, 'is not a margo-bridge manifest');
  }
  if (manifest.files.some((file) => file.startsWith('/') || file.split('/').includes('..'))) {
    throw invalidManifest(path, 'lists a file outside its folder');
  }
  return manifest as Manifest;
}

/** A deployment as the target index sees it. */
export interface TargetDeployment {
  /** Its folder, from the repository root. */
  folder: string;
  namespaces: string[];
}

/** The deployments among `files` (anything under the target's folder): every folder with a manifest. */
export function deploymentsPresent(target: string, layout: Layout, files: RenderedFile[]): TargetDeployment[] {
  const prefix = `${targetFolder(target, layout)}/`;
  const suffix = `/${MANIFEST_FILE}`;
  return files
    .filter((file) => file.path.startsWith(prefix) && file.path.endsWith(suffix))
    .map((file) => ({
      folder: file.path.slice(0, -suffix.length),
      namespaces: readManifest(file.path, file.content).namespaces,
    }));
}

const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function namespaceObject(name: string) {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: {
      name,
      labels: { 'app.kubernetes.io/managed-by': 'margo-bridge' },
      // Removing the last deployment must not delete a namespace and whatever else lives in it.
      annotations: { 'kustomize.toolkit.fluxcd.io/prune': 'disabled' },
    },
  };
}

/** Every path the target index may have; those not in `targetIndex`'s answer are stale. */
export function targetIndexPaths(target: string, layout: Layout = {}): string[] {
  const folder = targetFolder(target, layout);
  return [`${folder}/${KUSTOMIZATION_FILE}`, `${folder}/${NAMESPACES_FILE}`];
}

export interface TargetIndexInput {
  target: string;
  layout?: Layout;
  deployments: TargetDeployment[];
}

/** The target's root files. With no deployment left, an empty kustomization: a controller prunes, not fails. */
export function targetIndex(input: TargetIndexInput): RenderedFile[] {
  const layout = input.layout ?? {};
  const folder = targetFolder(input.target, layout);
  const relative = input.deployments
    .map((deployment) => {
      if (!deployment.folder.startsWith(`${folder}/`)) {
        throw new BridgeError('INTERNAL', `deployment folder '${deployment.folder}' is not below '${folder}'`);
      }
      return deployment.folder.slice(folder.length + 1);
    })
    .sort(byText);
  const namespaces = [...new Set(input.deployments.flatMap((deployment) => deployment.namespaces))].sort(byText);
  const files: RenderedFile[] = [];
  if (namespaces.length > 0) {
    files.push({
      path: `${folder}/${NAMESPACES_FILE}`,
      content: namespaces.map((name) => writeYaml(namespaceObject(name))).join('---\n'),
    });
  }
  const resources = [...(namespaces.length > 0 ? [NAMESPACES_FILE] : []), ...relative];
  files.push({ path: `${folder}/${KUSTOMIZATION_FILE}`, content: kustomization(resources) });
  return files.sort((a, b) => byText(a.path, b.path));
}
