/**
 * Flux and Argo CD manifests checked against the published schemas carried by the validating
 * models of `@kubernetes-models/flux-cd` and `@kubernetes-models/argo-cd` (v2.x, the versions
 * that run on Node 20). Those models know HelmRelease only up to `helm.toolkit.fluxcd.io/v2beta2`
 * and HelmRepository/OCIRepository up to `source.toolkit.fluxcd.io/v1beta2`; the templates write
 * the GA versions (`v2`, `v1`), whose fields used here are the same, so each manifest is checked
 * against the newest schema the models have, with its apiVersion set to that schema's. One
 * difference is accounted for: v2beta2 requires `spec.chart`, while v2 accepts `spec.chartRef`
 * instead (Flux 2.3+), which is checked here by hand.
 */

import { Application } from '@kubernetes-models/argo-cd/argoproj.io/v1alpha1/Application';
import { HelmRelease } from '@kubernetes-models/flux-cd/helm.toolkit.fluxcd.io/v2beta2/HelmRelease';
import { HelmRepository } from '@kubernetes-models/flux-cd/source.toolkit.fluxcd.io/v1beta2/HelmRepository';
import { OCIRepository } from '@kubernetes-models/flux-cd/source.toolkit.fluxcd.io/v1beta2/OCIRepository';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { buildDeployment, resolveDeployment } from '../src/margo/deployment/index.js';
import type { Profile } from '../src/margo/index.js';
import { renderDeployment } from '../src/margo/render/index.js';
import { digitron, exampleValues, fixedId, makeDescription, templates } from './render-support.js';

type Manifest = Record<string, unknown> & { apiVersion: string; kind: string; spec: Record<string, unknown> };
interface SchemaError {
  instancePath: string;
  keyword: string;
  params: Record<string, unknown>;
}

/** Runs the model's validate(); returns its schema errors (none when valid). */
function schemaErrors(model: { validate(): void }): SchemaError[] {
  try {
    model.validate();
    return [];
  } catch (error) {
    const errors = (error as { errors?: SchemaError[] }).errors;
    if (!errors) throw error;
    return errors;
  }
}

function validateFlux(manifest: Manifest): SchemaError[] {
  const data = { ...manifest } as never;
  switch (manifest.kind) {
    case 'HelmRelease': {
      expect(manifest.apiVersion).toBe('helm.toolkit.fluxcd.io/v2');
      const errors = schemaErrors(
        new HelmRelease({ ...(data as object), apiVersion: HelmRelease.apiVersion } as never),
      );
      const chartRef = manifest.spec.chartRef as Record<string, unknown> | undefined;
      if (!chartRef) return errors;
      expect(manifest.spec.chart).toBeUndefined();
      expect(['OCIRepository', 'HelmChart']).toContain(chartRef.kind);
      expect(typeof chartRef.name === 'string' && chartRef.name.length > 0 && chartRef.name.length <= 253).toBe(true);
      return errors.filter(
        (e) => !(e.instancePath === '/spec' && e.keyword === 'required' && e.params.missingProperty === 'chart'),
      );
    }
    case 'OCIRepository':
      expect(manifest.apiVersion).toBe('source.toolkit.fluxcd.io/v1');
      return schemaErrors(new OCIRepository({ ...(data as object), apiVersion: OCIRepository.apiVersion } as never));
    case 'HelmRepository':
      expect(manifest.apiVersion).toBe('source.toolkit.fluxcd.io/v1');
      return schemaErrors(new HelmRepository({ ...(data as object), apiVersion: HelmRepository.apiVersion } as never));
    default:
      throw new Error(`unexpected kind ${manifest.kind}`);
  }
}

async function manifests(format: 'flux' | 'argocd', resolved: Parameters<typeof renderDeployment>[0]) {
  const rendered = await renderDeployment(resolved, { format, templates });
  return rendered.files
    .filter((file) => file.path.includes(`/${format}/`))
    .map((file) => ({ path: file.path, manifest: parse(file.content) as Manifest }));
}

const digitronHelm = () =>
  resolveDeployment({
    description: digitron(),
    profile: 'helm',
    target: 'plant-a/line-3',
    namespace: 'margo-poc',
    values: exampleValues,
    newId: fixedId,
  });

/** A chart from a plain HTTP Helm repository, with wait: false and a timeout. */
const httpChart = () => {
  const profile: Profile = {
    id: 'charts',
    type: 'helm',
    typeAsWritten: 'helm',
    components: [
      {
        name: 'web',
        properties: {
          repository: 'https://charts.example.com/stable',
          revision: '4.2.0',
          wait: false,
          timeout: '2m0s',
        },
        extensions: {},
      },
    ],
    extensions: {},
  };
  return buildDeployment({
    description: makeDescription([profile], {
      replicas: { targets: [{ pointer: 'replicaCount', components: ['web'] }] },
    }),
    profile: 'helm',
    target: 'cluster-1',
    namespace: 'apps',
    values: { replicas: { value: 3 } },
    newId: fixedId,
  });
};

describe('Flux manifests', () => {
  it('digitron: an OCIRepository and a HelmRelease per component, valid, installed in component order', async () => {
    const files = await manifests('flux', digitronHelm());
    expect(files.map((f) => f.manifest.kind).sort()).toEqual([
      'HelmRelease',
      'HelmRelease',
      'OCIRepository',
      'OCIRepository',
    ]);
    for (const { path, manifest } of files) expect(validateFlux(manifest), path).toEqual([]);
    const releases = files.filter((f) => f.manifest.kind === 'HelmRelease').map((f) => f.manifest);
    const byRelease = Object.fromEntries(releases.map((r) => [r.spec.releaseName as string, r]));
    const database = byRelease['database-services'] as Manifest;
    const orchestrator = byRelease['digitron-orchestrator'] as Manifest;
    expect(database.spec.dependsOn).toBeUndefined();
    expect(orchestrator.spec.dependsOn).toEqual([{ name: (database.metadata as { name: string }).name }]);
    expect(database.spec.timeout).toBe('8m30s');
    expect(orchestrator.spec.timeout).toBeUndefined();
    expect(orchestrator.spec.values).toMatchObject({ settings: { pollFrequency: 120, limits: { cpu: 4 } } });
    const source = files.find((f) => f.manifest.kind === 'OCIRepository' && f.path.includes('database-services'));
    expect(source?.manifest.spec).toMatchObject({
      url: 'oci://quay.io/charts/realtime-database-services',
      ref: { tag: '2.3.7' },
    });
  });

  it('an HTTP chart repository gives a HelmRepository; wait: false disables waiting', async () => {
    const files = await manifests('flux', httpChart());
    for (const { path, manifest } of files) expect(validateFlux(manifest), path).toEqual([]);
    const release = files.find((f) => f.manifest.kind === 'HelmRelease')?.manifest as Manifest;
    expect(release.spec.chart).toMatchObject({
      spec: { chart: 'web', version: '4.2.0', sourceRef: { kind: 'HelmRepository' } },
    });
    expect(release.spec.install).toEqual({ disableWait: true, disableWaitForJobs: true });
    expect(release.spec.upgrade).toEqual({ disableWait: true, disableWaitForJobs: true });
    expect(release.spec.timeout).toBe('2m0s');
    expect(release.spec.values).toEqual({ replicaCount: 3 });
  });

  it('the schema check is real: a broken manifest fails it', () => {
    const errors = validateFlux({
      apiVersion: 'source.toolkit.fluxcd.io/v1',
      kind: 'OCIRepository',
      metadata: { name: 'x' },
      spec: { interval: 10, url: 'oci://x' },
    });
    expect(errors.map((e) => e.instancePath)).toContain('/spec/interval');
  });
});

describe('Argo CD manifests', () => {
  it('digitron: an Application per component with valuesObject and sync waves in component order', async () => {
    const files = await manifests('argocd', digitronHelm());
    expect(files).toHaveLength(2);
    for (const { path, manifest } of files) expect(schemaErrors(new Application(manifest as never)), path).toEqual([]);
    const waves = files.map((f) => [
      (f.manifest.spec.source as { chart: string }).chart,
      (f.manifest.metadata as { annotations: Record<string, string> }).annotations['argocd.argoproj.io/sync-wave'],
    ]);
    expect(waves).toEqual([
      ['realtime-database-services', '0'],
      ['northstarida-digitron-orchestrator', '1'],
    ]);
    const source = files[1]?.manifest.spec.source as Record<string, unknown>;
    expect(source).toMatchObject({ repoURL: 'northstarida.azurecr.io/charts', targetRevision: '1.0.9' });
    expect((source.helm as { valuesObject: unknown }).valuesObject).toMatchObject({ idp: { provider: 'aad' } });
  });

  it('an HTTP chart repository keeps its URL and uses the component name as chart', async () => {
    const files = await manifests('argocd', httpChart());
    for (const { path, manifest } of files) expect(schemaErrors(new Application(manifest as never)), path).toEqual([]);
    expect(files[0]?.manifest.spec.source).toMatchObject({
      repoURL: 'https://charts.example.com/stable',
      chart: 'web',
    });
  });

  it('the schema check is real: a broken Application fails it', () => {
    expect(
      schemaErrors(new Application({ metadata: { name: 'x' }, spec: { project: 1 } } as never)).length,
    ).toBeGreaterThan(0);
  });
});
