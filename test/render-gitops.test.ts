/**
 * Flux and Argo CD manifests checked against the published schemas carried by the validating
 * models of `@kubernetes-models/flux-cd` and `@kubernetes-models/argo-cd` (4.x), each at exactly
 * the apiVersion our templates write: HelmRelease `helm.toolkit.fluxcd.io/v2`, OCIRepository and
 * HelmRepository `source.toolkit.fluxcd.io/v1`, Application `argoproj.io/v1alpha1`. Beyond the
 * models' `validate()`, a field the schema does not declare (a misspelling, which Kubernetes would
 * drop) fails too (`test/support/schema-check.ts`). Two kinds of CRD rule are missing from the
 * models and checked here by hand: CEL rules (`x-kubernetes-validations`; HelmRelease v2 has one,
 * exactly one of `chart` and `chartRef`) and the Flux duration pattern of `interval`/`timeout`.
 */

import { readdirSync, readFileSync } from 'node:fs';
import { HelmRelease } from '@kubernetes-models/flux-cd/helm.toolkit.fluxcd.io/v2/HelmRelease';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { buildDeployment, resolveDeployment } from '../src/margo/deployment/index.js';
import type { Profile } from '../src/margo/index.js';
import { renderDeployment } from '../src/margo/render/index.js';
import { DURATION, type Manifest, modelFor, problems, TEMPLATE_MODELS } from './support/gitops-check.js';
import { digitron, exampleValues, fixedId, makeDescription, templates } from './support/render.js';
import { schemaErrors } from './support/schema-check.js';

/** A copy of `manifest` with the value at `path` replaced (`value`) or its key renamed (`rename`). */
function edited(manifest: Manifest, path: string[], change: { value: unknown } | { rename: string }): Manifest {
  const copy = structuredClone(manifest);
  const key = path.at(-1) as string;
  let parent: Record<string, unknown> = copy;
  for (const step of path.slice(0, -1)) parent = parent[step] as Record<string, unknown>;
  if (!(key in parent)) throw new Error(`no ${path.join('.')} to edit`);
  if ('value' in change) {
    parent[key] = change.value;
  } else {
    parent[change.rename] = parent[key];
    delete parent[key];
  }
  return copy;
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

/** Every Flux and Argo CD manifest the tests below render. */
async function allManifests() {
  return [
    ...(await manifests('flux', digitronHelm())),
    ...(await manifests('flux', httpChart())),
    ...(await manifests('argocd', digitronHelm())),
    ...(await manifests('argocd', httpChart())),
  ];
}

describe('schema models', () => {
  it('every GitOps template writes an apiVersion and kind the models have, and each is rendered here', async () => {
    const dir = new URL('../templates/', import.meta.url);
    const written = readdirSync(dir)
      .filter((name) => /^(flux|argocd)-.*\.yaml$/.test(name))
      .map((name) => {
        const text = readFileSync(new URL(name, dir), 'utf8');
        return `${/^apiVersion: (\S+)$/m.exec(text)?.[1]} ${/^kind: (\S+)$/m.exec(text)?.[1]}`;
      })
      .sort();
    expect(written.filter((type) => !modelFor(...(type.split(' ') as [string, string])))).toEqual([]);
    expect(written).toEqual(TEMPLATE_MODELS.map((model) => `${model.apiVersion} ${model.kind}`).sort());
    const rendered = new Set((await allManifests()).map(({ manifest }) => `${manifest.apiVersion} ${manifest.kind}`));
    expect([...rendered].sort()).toEqual(written);
  });
});

describe('Flux manifests', () => {
  it('digitron: an OCIRepository and a HelmRelease per component, valid, installed in component order', async () => {
    const files = await manifests('flux', digitronHelm());
    expect(files.map((f) => f.manifest.kind).sort()).toEqual([
      'HelmRelease',
      'HelmRelease',
      'OCIRepository',
      'OCIRepository',
    ]);
    for (const { path, manifest } of files) expect(problems(manifest), path).toEqual([]);
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
    for (const { path, manifest } of files) expect(problems(manifest), path).toEqual([]);
    const release = files.find((f) => f.manifest.kind === 'HelmRelease')?.manifest as Manifest;
    expect(release.spec.chart).toMatchObject({
      spec: { chart: 'web', version: '4.2.0', sourceRef: { kind: 'HelmRepository' } },
    });
    expect(release.spec.install).toEqual({ disableWait: true, disableWaitForJobs: true });
    expect(release.spec.upgrade).toEqual({ disableWait: true, disableWaitForJobs: true });
    expect(release.spec.timeout).toBe('2m0s');
    expect(release.spec.values).toEqual({ replicaCount: 3 });
  });
});

describe('Argo CD manifests', () => {
  it('digitron: an Application per component with valuesObject and sync waves in component order', async () => {
    const files = await manifests('argocd', digitronHelm());
    expect(files).toHaveLength(2);
    for (const { path, manifest } of files) expect(problems(manifest), path).toEqual([]);
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
    for (const { path, manifest } of files) expect(problems(manifest), path).toEqual([]);
    expect(files[0]?.manifest.spec.source).toMatchObject({
      repoURL: 'https://charts.example.com/stable',
      chart: 'web',
    });
  });
});

describe('the schema check is real', () => {
  const all = allManifests();
  /** A copy of the first rendered manifest of that kind, valid as rendered. */
  async function rendered(kind: string): Promise<Manifest> {
    const found = (await all).find(({ manifest }) => manifest.kind === kind)?.manifest;
    if (!found) throw new Error(`no ${kind} rendered`);
    expect(problems(found)).toEqual([]);
    return structuredClone(found);
  }

  it('a misspelled field fails, at any depth, though the model alone accepts it', async () => {
    const release = edited(await rendered('HelmRelease'), ['spec', 'releaseName'], { rename: 'releaseNmae' });
    expect(schemaErrors(HelmRelease, release)).toEqual([]);
    expect(problems(release)).toEqual(['/spec/releaseNmae is not declared by the schema']);
    const cases: [string, string[], string, string][] = [
      ['HelmRelease', ['metadata', 'annotations'], 'annotation', '/metadata/annotation'],
      ['HelmRelease', ['spec', 'chartRef', 'kind'], 'Kind', '/spec/chartRef/Kind'],
      ['OCIRepository', ['spec', 'layerSelector', 'mediaType'], 'mediatype', '/spec/layerSelector/mediatype'],
      ['HelmRepository', ['spec', 'url'], 'URL', '/spec/URL'],
      [
        'Application',
        ['spec', 'syncPolicy', 'automated', 'selfHeal'],
        'selfheal',
        '/spec/syncPolicy/automated/selfheal',
      ],
      ['Application', ['spec', 'source', 'helm'], 'Helm', '/spec/source/Helm'],
    ];
    for (const [kind, path, rename, pointer] of cases) {
      const found = problems(edited(await rendered(kind), path, { rename }));
      expect(found, pointer).toContain(`${pointer} is not declared by the schema`);
    }
  });

  it('free-form values and label maps stay open', async () => {
    const release = edited(await rendered('HelmRelease'), ['spec', 'values'], { value: { anyKey: { nested: [1] } } });
    const labelled = edited(release, ['metadata', 'labels'], { value: { 'example.com/any': 'x' } });
    expect(problems(labelled)).toEqual([]);
    const application = await rendered('Application');
    const helm = (application.spec.source as { helm: Record<string, unknown> }).helm;
    expect(
      problems(edited(application, ['spec', 'source', 'helm'], { value: { ...helm, valuesObject: { x: 1 } } })),
    ).toEqual([]);
  });

  it('a wrong type, value or apiVersion fails', async () => {
    const release = await rendered('HelmRelease');
    expect(problems(edited(release, ['spec', 'interval'], { value: 5 }))).toEqual(['/spec/interval must be string']);
    expect(problems(edited(release, ['spec', 'chartRef', 'kind'], { value: 'OCIRepo' }))).toEqual([
      '/spec/chartRef/kind must be equal to one of the allowed values',
    ]);
    expect(problems(edited(release, ['spec', 'releaseName'], { value: 42 }))).toEqual([
      '/spec/releaseName must be string',
    ]);
    const source = await rendered('OCIRepository');
    expect(problems(edited(source, ['spec', 'url'], { value: 'https://quay.io/charts/x' }))).toEqual([
      '/spec/url must match pattern "^oci://.*$"',
    ]);
    expect(problems(edited(source, ['spec', 'ref'], { value: '2.3.7' }))).toEqual(['/spec/ref must be object']);
    const application = await rendered('Application');
    expect(problems(edited(application, ['spec', 'syncPolicy', 'automated', 'prune'], { value: 'true' }))).toEqual([
      '/spec/syncPolicy/automated/prune must be boolean',
    ]);
    expect(problems(edited(application, ['spec', 'destination'], { value: undefined }))).toEqual([
      '/spec must have required property destination',
    ]);
    // The models take exactly their apiVersion: no older schema stands in for a newer one.
    expect(schemaErrors(HelmRelease, { ...release, apiVersion: 'helm.toolkit.fluxcd.io/v2beta2' })).toMatchObject([
      { instancePath: '/apiVersion', keyword: 'enum' },
    ]);
    expect(problems({ ...source, apiVersion: 'source.toolkit.fluxcd.io/v1beta2' })).toEqual([
      'no schema model for source.toolkit.fluxcd.io/v1beta2 OCIRepository',
    ]);
  });

  it('the CRD rules the models leave out (the chart/chartRef CEL rule, duration patterns) are checked', async () => {
    const both = await rendered('HelmRelease');
    both.spec.chart = { spec: { chart: 'x', sourceRef: { kind: 'HelmRepository', name: 'x' } } };
    expect(schemaErrors(HelmRelease, both)).toEqual([]);
    expect(problems(both)).toEqual(['/spec either chart or chartRef must be set']);
    const release = edited(await rendered('HelmRelease'), ['spec', 'timeout'], { value: '8 minutes' });
    expect(schemaErrors(HelmRelease, release)).toEqual([]);
    expect(problems(release)).toEqual([`/spec/timeout must match pattern "${DURATION.source}"`]);
    const source = edited(await rendered('HelmRepository'), ['spec', 'interval'], { value: '1d' });
    expect(problems(source)).toEqual([`/spec/interval must match pattern "${DURATION.source}"`]);
  });
});
