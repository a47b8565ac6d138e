import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { deploymentsPresent, readManifest, targetIndex, writeManifest } from './kustomize.js';

const manifest = (namespaces: string[]) =>
  writeManifest({ generator: 'margo-bridge', format: 'flux', namespaces, files: ['kustomization.yaml'] });

describe('target index', () => {
  it('lists the deployment folders found by their manifests and one Namespace per namespace used', () => {
    const present = [
      { path: 'clusters/t/b/margo-bridge.json', content: manifest(['web', 'apps']) },
      { path: 'clusters/t/a/margo-bridge.json', content: manifest(['apps']) },
      { path: 'clusters/t/a/values/margo-bridge.json.yaml', content: 'not: a manifest\n' },
      { path: 'clusters/other/c/margo-bridge.json', content: manifest(['elsewhere']) },
    ];
    const layout = { root: 'clusters' };
    const deployments = deploymentsPresent('t', layout, present);
    expect(deployments.map((d) => d.folder)).toEqual(['clusters/t/b', 'clusters/t/a']);
    const files = targetIndex({ target: 't', layout, deployments });
    expect(files.map((f) => f.path)).toEqual(['clusters/t/kustomization.yaml', 'clusters/t/namespaces.yaml']);
    expect(parse(files[0]?.content ?? '').resources).toEqual(['namespaces.yaml', 'a', 'b']);
    const namespaces = parseAllDocuments(files[1]?.content ?? '').map((d) => d.toJS().metadata.name);
    expect(namespaces).toEqual(['apps', 'web']);
  });

  it('with no deployment is an empty kustomization and no namespaces file', () => {
    const files = targetIndex({ target: 't', deployments: [] });
    expect(files).toEqual([
      {
        path: 't/kustomization.yaml',
        content: 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: []\n',
      },
    ]);
  });
});

describe('readManifest', () => {
  it.each([
    ['not json', 'is not JSON'],
    ['{"generator": "someone", "format": "flux", "namespaces": [], "files": []}', 'not a margo-bridge manifest'],
    ['{"generator": "margo-bridge", "format": "flux", "namespaces": [], "files": ["../../x"]}', 'outside its folder'],
    ['{"generator": "margo-bridge", "format": "flux", "namespaces": [], "files": ["/etc/x"]}', 'outside its folder'],
  ])('refuses %s', (text, message) => {
    expect(() => readManifest('t/a/margo-bridge.json', text)).toThrow(message);
  });

  it('reads back what writeManifest wrote', () => {
    expect(readManifest('m', manifest(['apps'])).namespaces).toEqual(['apps']);
  });
});
