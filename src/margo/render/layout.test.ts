/** Where files go: the default layout, a configured root and directory, and unsafe paths refused. */

import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { fixedId, helmProfile, makeDescription, templates } from '../../../test/support/render.js';
import { buildDeployment } from '../deployment/index.js';
import type { Profile } from '../index.js';
import { validateDocument } from '../index.js';
import { renderDeployment } from './index.js';

const resolve = (profile: Profile = helmProfile(['app']), target = 'plant-a/line-3') =>
  buildDeployment({
    description: makeDescription([profile], { p: { targets: [{ pointer: 'x', components: ['app'] }] } }),
    profile: profile.id,
    target,
    namespace: 'default',
    values: { p: { value: 1 } },
    newId: fixedId,
  });

describe('layout', () => {
  it('defaults to <target>/<deployment-name>/ with values/, the kustomization and the manifest beside the deployment', async () => {
    const rendered = await renderDeployment(resolve(), { templates });
    expect(rendered.folder).toBe('plant-a/line-3/com-example-app-deployment');
    expect(rendered.files.map((f) => f.path)).toEqual([
      'plant-a/line-3/com-example-app-deployment/application-deployment.yaml',
      'plant-a/line-3/com-example-app-deployment/kustomization.yaml',
      'plant-a/line-3/com-example-app-deployment/margo-bridge.json',
      'plant-a/line-3/com-example-app-deployment/values/app.yaml',
    ]);
  });

  it('takes a root folder, a directory pattern and a file name from the repository configuration', async () => {
    const rendered = await renderDeployment(resolve(), {
      templates,
      format: 'argocd',
      layout: { root: 'clusters', directory: '{target}/apps/{applicationId}', deploymentFile: 'deployment.yaml' },
    });
    expect(rendered.files.map((f) => f.path)).toEqual([
      'clusters/plant-a/line-3/apps/com-example-app/argocd/app.application.yaml',
      'clusters/plant-a/line-3/apps/com-example-app/deployment.yaml',
      'clusters/plant-a/line-3/apps/com-example-app/kustomization.yaml',
      'clusters/plant-a/line-3/apps/com-example-app/margo-bridge.json',
      'clusters/plant-a/line-3/apps/com-example-app/values/app.yaml',
    ]);
  });

  it.each(['{name}', '{applicationId}/{target}', '{target}/'])(
    'refuses directory pattern %s that does not start with {target}/ and a folder below it',
    async (directory) => {
      await expect(renderDeployment(resolve(), { templates, layout: { directory } })).rejects.toMatchObject({
        code: 'CONFIG_INVALID',
        message: expect.stringContaining("must start with '{target}/'"),
      });
    },
  );

  it.each(['kustomization.yaml', 'margo-bridge.json'])(
    'refuses deployment file %s, a name margo-bridge generates',
    async (deploymentFile) => {
      await expect(renderDeployment(resolve(), { templates, layout: { deploymentFile } })).rejects.toMatchObject({
        code: 'CONFIG_INVALID',
      });
    },
  );

  it.each([
    [{ root: '/etc' }, 'absolute'],
    [{ root: '../up' }, "'..'"],
    [{ directory: '{target}/../x' }, "'..'"],
    [{ deploymentFile: '.git/config' }, "starting with '.'"],
  ])('refuses layout %j with UNSAFE_PATH', async (layout, reason) => {
    await expect(renderDeployment(resolve(), { templates, layout })).rejects.toMatchObject({
      code: 'UNSAFE_PATH',
      message: expect.stringContaining(reason),
    });
  });

  it('refuses a component name that is not a safe file name', async () => {
    await expect(renderDeployment(resolve(helmProfile(['../app'])), { templates })).rejects.toMatchObject({
      code: 'UNSAFE_PATH',
    });
  });
});

describe('profile types', () => {
  it('a custom profile writes only the ApplicationDeployment (A-13)', async () => {
    const profile: Profile = {
      id: 'blob',
      type: 'custom',
      typeAsWritten: 'custom',
      components: [{ name: 'app', properties: { repository: 'oci://r/x', revision: '1.0.0' }, extensions: {} }],
      extensions: {},
    };
    const rendered = await renderDeployment(resolve(profile), { templates, format: 'flux' });
    expect(rendered.files.map((f) => f.path)).toEqual([
      'plant-a/line-3/com-example-app-deployment/application-deployment.yaml',
      'plant-a/line-3/com-example-app-deployment/kustomization.yaml',
      'plant-a/line-3/com-example-app-deployment/margo-bridge.json',
    ]);
  });

  it('margo-v1 writes the newest shape: top-level id, deviceId = target, normalised type; it validates as D5', async () => {
    const rendered = await renderDeployment(resolve(), { templates, format: 'margo-v1' });
    const text = rendered.files[0]?.content ?? '';
    const tree = parse(text);
    expect(tree.id).toBe(fixedId());
    expect(tree.apiVersion).toBeUndefined();
    expect(tree.metadata).toEqual({
      name: 'com-example-app-deployment',
      namespace: 'default',
      deviceId: 'plant-a/line-3',
    });
    expect(tree.spec.applicationId).toBe('com-example-app');
    expect(tree.spec.deploymentProfile.type).toBe('helm');
    const report = validateDocument(text);
    expect([report.kind, report.shape, report.errors]).toEqual(['deployment', 'D5', []]);
  });
});
