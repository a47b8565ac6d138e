/**
 * The Kubernetes manifests of deploy/kubernetes/ as a user applies them: `kubectl kustomize` (part
 * of the machine image; no cluster needed) builds the base and the PostgreSQL overlay, and every
 * object is checked against the validating models of `kubernetes-models` (schema errors and
 * undeclared, that is misspelled, fields), then for the properties the image relies on.
 */
import { execFileSync } from 'node:child_process';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { PersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import { Service } from 'kubernetes-models/v1/Service';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { checkManifest, type SchemaModel } from './support/schema-check.js';

interface Container {
  args?: string[];
  env?: { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }[];
  readinessProbe?: { httpGet?: { path: string } };
  livenessProbe?: { httpGet?: { path: string } };
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: Record<string, unknown>;
  volumeMounts?: { name: string; mountPath: string }[];
}

interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  spec: {
    replicas?: number;
    strategy?: { type: string };
    template?: {
      spec: {
        securityContext?: Record<string, unknown>;
        containers: Container[];
        volumes: { name: string; persistentVolumeClaim?: unknown; emptyDir?: unknown }[];
      };
    };
  };
}

const MODELS: SchemaModel[] = [Deployment, Service, PersistentVolumeClaim];

function build(folder: string): Manifest[] {
  const text = execFileSync('kubectl', ['kustomize', `deploy/kubernetes/${folder}`], { encoding: 'utf8' });
  return parseAllDocuments(text).map((document) => document.toJS() as Manifest);
}

function checkAll(manifests: Manifest[]): string[] {
  return manifests.flatMap((manifest) => {
    const model = MODELS.find((m) => m.apiVersion === manifest.apiVersion && m.kind === manifest.kind);
    if (!model) return [`${manifest.kind} ${manifest.metadata.name}: no model for ${manifest.apiVersion}`];
    return checkManifest(model, manifest).map((line) => `${manifest.kind} ${manifest.metadata.name}: ${line}`);
  });
}

function deploymentOf(manifests: Manifest[]) {
  const deployment = manifests.find((manifest) => manifest.kind === 'Deployment');
  if (!deployment?.spec.template) throw new Error('no Deployment in the build');
  const container = deployment.spec.template.spec.containers[0];
  if (!container) throw new Error('the Deployment has no container');
  return { deployment, pod: deployment.spec.template.spec, container };
}

const secretKey = (container: Container, name: string) =>
  container.env?.find((entry) => entry.name === name)?.valueFrom?.secretKeyRef?.key;

describe('deploy/kubernetes', () => {
  it('base: a valid single-replica SQLite deployment on a volume, non-root, read-only root, probed', () => {
    const manifests = build('base');
    expect(checkAll(manifests)).toEqual([]);
    expect(manifests.map((m) => m.kind).sort()).toEqual(['Deployment', 'PersistentVolumeClaim', 'Service']);
    const { deployment, pod, container } = deploymentOf(manifests);
    expect(deployment.spec.replicas).toBe(1);
    expect(deployment.spec.strategy?.type).toBe('Recreate');
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000 });
    expect(container.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
    expect(container.readinessProbe?.httpGet?.path).toBe('/readyz');
    expect(container.livenessProbe?.httpGet?.path).toBe('/healthz');
    expect(container.resources?.requests?.memory).toBeDefined();
    expect(container.resources?.limits?.memory).toBeDefined();
    expect(secretKey(container, 'MARGO_BRIDGE_ADMIN_TOKEN')).toBe('admin-token');
    expect(secretKey(container, 'MARGO_BRIDGE_SECRET_KEY')).toBe('secret-key');
    const data = pod.volumes.find((volume) => volume.name === 'data');
    expect(data?.persistentVolumeClaim).toEqual({ claimName: 'margo-bridge-data' });
    // The only writable places: the data volume and /tmp.
    expect(container.volumeMounts?.map((mount) => mount.mountPath).sort()).toEqual(['/data', '/tmp']);
    const selector = manifests.find((m) => m.kind === 'Service')?.spec as { selector?: Record<string, string> };
    expect(selector.selector).toEqual(deployment.metadata.labels);
  });

  it('postgres overlay: two replicas on DATABASE_URL, no shared volume, rolling updates', () => {
    const manifests = build('overlays/postgres');
    expect(checkAll(manifests)).toEqual([]);
    expect(manifests.some((m) => m.kind === 'PersistentVolumeClaim')).toBe(false);
    const { deployment, pod, container } = deploymentOf(manifests);
    expect(deployment.spec.replicas).toBe(2);
    expect(deployment.spec.strategy?.type).toBe('RollingUpdate');
    expect(secretKey(container, 'DATABASE_URL')).toBe('database-url');
    // Every replica must decrypt what another sealed: the key comes from the Secret, not a key file.
    expect(secretKey(container, 'MARGO_BRIDGE_SECRET_KEY')).toBe('secret-key');
    const data = pod.volumes.find((volume) => volume.name === 'data');
    expect(data).toEqual({ name: 'data', emptyDir: {} });
  });
});
