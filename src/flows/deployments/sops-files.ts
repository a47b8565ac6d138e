/**
 * Sensitive values in the committed files (issue 15). With age recipients on the repository, the
 * rendered files that carry a sensitive value are written SOPS-encrypted: the ApplicationDeployment
 * (the sensitive parameters' entries), the Helm values overlays (the keys the sensitive pointers
 * write), the env files (every value) and, for Flux, the sensitive part of each HelmRelease's
 * values moves into a SOPS-encrypted Secret referenced by `valuesFrom`, which kustomize-controller
 * decrypts natively. `.sops.yaml` creation rules go to the repository root. Without recipients a
 * sensitive value is refused unless the repository sets `allowPlaintextSecrets: true`.
 *
 * Encryption is done when the proposal is carried out, after the rendering's content hash was
 * taken: idempotency compares plaintext renderings, since every write draws a fresh data key.
 */
import { type Document, isMap, parseDocument, type YAMLMap } from 'yaml';
import { BridgeError } from '../../errors.js';
import type { ResolvedDeployment, ResolvedParameter } from '../../margo/deployment/index.js';
import { parseHelmPointer } from '../../margo/pointer.js';
import { type RenderedFile, type RepositoryChange, readManifest, writeYaml } from '../../margo/render/index.js';
import { kustomization, writeManifest } from '../../margo/render/kustomize.js';
import { deploymentPaths } from '../../margo/render/layout.js';
import { creationRules, encryptDotenv, encryptYaml, SECRET_REGEX, SOPS_CONFIG_FILE } from '../../sops/index.js';
import type { DeploymentRepositoryRecord } from '../../store/deployment-records.js';

export type SensitiveMode = 'none' | 'encrypted' | 'plaintext';

/** Hidden parameters that have a value in this deployment. */
export function sensitiveInUse(resolved: ResolvedDeployment, hidden: ReadonlySet<string>): string[] {
  return resolved.parameters.filter((p) => hidden.has(p.name) && p.value !== null).map((p) => p.name);
}

/** How sensitive `names` reach the repository; refuses what the repository's settings do not allow. */
export function sensitiveMode(repository: DeploymentRepositoryRecord, names: readonly string[]): SensitiveMode {
  if (names.length === 0) return 'none';
  const listed = names.map((name) => `'${name}'`).join(', ');
  if ((repository.sops?.ageRecipients.length ?? 0) > 0) {
    if (repository.format === 'argocd') {
      throw new BridgeError(
        'BAD_REQUEST',
        `deployment repository '${repository.name}' uses format argocd, whose Applications carry Helm values inline and which Argo CD cannot decrypt with SOPS; sensitive values (${listed}) cannot be written there: use format flux or margo`,
        { field: 'values', parameters: names },
      );
    }
    return 'encrypted';
  }
  if (repository.sops?.allowPlaintextSecrets === true) return 'plaintext';
  throw new BridgeError(
    'BAD_REQUEST',
    `deployment repository '${repository.name}' has no sops.ageRecipients, so sensitive values (${listed}) would be committed in plaintext; set sops.ageRecipients on the repository, or allowPlaintextSecrets: true to accept plaintext`,
    { field: 'values', parameters: names },
  );
}

export interface SealInput {
  repository: DeploymentRepositoryRecord;
  resolved: ResolvedDeployment;
  hidden: ReadonlySet<string>;
  change: RepositoryChange;
  now: number;
}

export async function sealChange(
  input: SealInput,
): Promise<{ change: RepositoryChange; mode: SensitiveMode; parameters: string[] }> {
  const { repository, resolved, change, now } = input;
  const parameters = sensitiveInUse(resolved, input.hidden);
  const mode = sensitiveMode(repository, parameters);
  if (mode !== 'encrypted') return { change, mode, parameters };
  const recipients = repository.sops?.ageRecipients ?? [];
  const paths = deploymentPaths(resolved, repository.layout);
  const files = new Map(change.files.map((file) => [file.path, file.content]));
  const edit = async (path: string, transform: (text: string) => Promise<string>) => {
    const text = files.get(path);
    if (text !== undefined) files.set(path, await transform(text));
  };
  const sensitive = resolved.parameters.filter((p) => parameters.includes(p.name));
  await edit(paths.deployment, (text) => encryptYaml(text, { recipients, now, encryptedRegex: anyOf(parameters) }));
  const secrets: string[] = [];
  for (const helm of resolved.helmValues) {
    const cuts = cutPaths(sensitive, helm.component);
    if (cuts.length === 0) continue;
    const keys = cuts.map((cut) => cut[cut.length - 1] as string);
    await edit(paths.values(helm.component), (text) =>
      encryptYaml(text, { recipients, now, encryptedRegex: anyOf(keys) }),
    );
    const releasePath = paths.flux(helm.component, 'helmrelease');
    const release = files.get(releasePath);
    if (release === undefined) continue;
    const secretPath = releasePath.replace(/\.helmrelease\.yaml$/, '.secret.yaml');
    const split = splitRelease(release, cuts);
    files.set(releasePath, split.release);
    files.set(secretPath, await encryptYaml(split.secret, { recipients, now, encryptedRegex: SECRET_REGEX }));
    secrets.push(secretPath);
  }
  for (const env of resolved.envFiles) {
    if (env.entries.some((entry) => parameters.includes(entry.parameter))) {
      await edit(paths.env(env.component), (text) => encryptDotenv(text, { recipients, now }));
    }
  }
  if (secrets.length > 0) listSecrets(files, paths, secrets);
  files.set(SOPS_CONFIG_FILE, creationRules(recipients));
  const sealed: RenderedFile[] = [...files].map(([path, content]) => ({ path, content }));
  sealed.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { change: { ...change, files: sealed }, mode, parameters };
}

/** A Go (RE2) regular expression matching exactly these keys. */
function anyOf(keys: readonly string[]): string {
  const escaped = [...new Set(keys)].map((key) => key.replace(/[\\.+*?()|[\]{}^$]/g, '\\$&'));
  return `^(${escaped.join('|')})$`;
}

/**
 * The value paths the sensitive parameters write in a Helm component, each cut before its first
 * list index: Helm replaces lists wholesale, so a list holding a secret moves (and is encrypted) whole.
 */
function cutPaths(sensitive: readonly ResolvedParameter[], component: string): string[][] {
  const cuts = new Map<string, string[]>();
  for (const parameter of sensitive) {
    for (const target of parameter.targets) {
      if (!target.components.includes(component)) continue;
      const parsed = parseHelmPointer(target.pointer);
      if (!parsed.ok) continue;
      const index = parsed.segments.findIndex((segment) => typeof segment === 'number');
      const cut = (index === -1 ? parsed.segments : parsed.segments.slice(0, index)) as string[];
      if (cut.length > 0) cuts.set(JSON.stringify(cut), cut);
    }
  }
  return [...cuts.values()];
}

/** Moves the values at `cuts` out of a HelmRelease into a Secret it reads through `valuesFrom`. */
function splitRelease(text: string, cuts: readonly string[][]): { release: string; secret: string } {
  const document = parseDocument(text);
  const name = String(document.getIn(['metadata', 'name']));
  const namespace = String(document.getIn(['metadata', 'namespace']));
  const secretName = `${name}-values`;
  const moved = parseDocument('{}');
  for (const cut of cuts) {
    const node = document.getIn(['spec', 'values', ...cut], true);
    if (node === undefined) continue;
    moved.setIn(cut, node);
    document.deleteIn(['spec', 'values', ...cut]);
    pruneEmpty(document, ['spec', 'values', ...cut.slice(0, -1)]);
  }
  const values = document.getIn(['spec', 'values'], true);
  if (isMap(values) && values.items.length === 0) document.deleteIn(['spec', 'values']);
  document.setIn(['spec', 'valuesFrom'], [{ kind: 'Secret', name: secretName, valuesKey: 'values.yaml' }]);
  const secret = writeYaml({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: secretName,
      namespace,
      labels: { 'app.kubernetes.io/managed-by': 'margo-bridge' },
      annotations: (document.getIn(['metadata', 'annotations'], true) as YAMLMap | undefined)?.toJSON() ?? {},
    },
    type: 'Opaque',
    stringData: { 'values.yaml': yamlText(moved) },
  });
  return { release: yamlText(document), secret };
}

function pruneEmpty(document: Document, path: string[]): void {
  for (let depth = path.length; depth > 2; depth--) {
    const node = document.getIn(path.slice(0, depth), true);
    if (!isMap(node) || node.items.length > 0) return;
    document.deleteIn(path.slice(0, depth));
  }
}

function yamlText(document: Document): string {
  const text = document.toString({ indent: 2, lineWidth: 0, minContentWidth: 0 });
  return text.endsWith('\n') ? text : `${text}\n`;
}

/** Adds the Secrets to the folder's kustomization (before the HelmReleases) and manifest. */
function listSecrets(files: Map<string, string>, paths: ReturnType<typeof deploymentPaths>, secrets: string[]): void {
  const inFolder = (path: string) => path.slice(paths.folder.length + 1);
  const kustomizationText = files.get(paths.kustomization) ?? '';
  const resources = ((parseDocument(kustomizationText).toJS() as { resources?: string[] }).resources ?? []).slice();
  resources.unshift(...secrets.map(inFolder));
  files.set(paths.kustomization, kustomization(resources));
  const manifestText = files.get(paths.manifest);
  if (manifestText === undefined) return;
  const manifest = readManifest(paths.manifest, manifestText);
  files.set(
    paths.manifest,
    writeManifest({ ...manifest, files: [...new Set([...manifest.files, ...secrets.map(inFolder)])].sort() }),
  );
}
