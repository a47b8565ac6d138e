/**
 * The deployment repository as controllers see it: several deployments per target, on two
 * targets, in every format and for both profile types, built up and torn down through
 * `deploymentChange` / `removalChange` exactly as the deployments service applies them. Every
 * deployment folder and every target folder must pass `kubectl kustomize`, and every object it
 * prints must pass the Kubernetes / Flux / Argo CD schema checks, with names within 63
 * characters (Helm release names within 53).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { deploymentName, readPreviousDeployment, resolveDeployment } from '../src/margo/deployment/index.js';
import type { Description } from '../src/margo/index.js';
import {
  deploymentChange,
  deploymentFilePath,
  type Layout,
  type RenderedFile,
  type RenderFormat,
  type RepositoryChange,
  removalChange,
  renderDeployment,
  renderFormats,
  targetFolder,
  unifiedDiff,
} from '../src/margo/render/index.js';
import { type Manifest, problems } from './support/gitops-check.js';
import { kustomize, writeTree } from './support/kustomize.js';
import {
  composeProfile,
  digitron,
  exampleValues,
  helmProfile,
  makeDescription,
  templates,
  thrown,
} from './support/render.js';

const work = mkdtempSync(join(tmpdir(), 'margo-repository-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A repository in memory: path → content. */
type Repository = Map<string, string>;

/** What a provider does with a change: owned folders replaced wholesale, deletions applied. */
function apply(repository: Repository, change: RepositoryChange): void {
  for (const path of [...repository.keys()]) {
    if (change.owned.some((folder) => path.startsWith(`${folder}/`)) || change.deletions.includes(path)) {
      repository.delete(path);
    }
  }
  for (const file of change.files) repository.set(file.path, file.content);
}

function under(repository: Repository, folder: string): RenderedFile[] {
  return [...repository]
    .filter(([path]) => path.startsWith(`${folder}/`))
    .map(([path, content]) => ({ path, content }));
}

const LONG_ID = 'com-example-an-application-identifier-long-enough-to-need-shortening';
const LONG_COMPONENT = 'a-component-whose-name-is-longer-than-helm-allows-for-releases';

function longDescription(type: 'helm' | 'compose'): Description {
  const profile = type === 'helm' ? helmProfile([LONG_COMPONENT, 'db']) : composeProfile([LONG_COMPONENT]);
  return {
    ...makeDescription([profile], {
      replicas: {
        default: 2,
        targets: [{ pointer: type === 'helm' ? 'replicaCount' : 'ENV.REPLICAS', components: [LONG_COMPONENT] }],
      },
    }),
    id: LONG_ID,
  };
}

interface Wanted {
  description: Description;
  target: string;
  namespace: string;
  name?: string;
  values: Record<string, string>;
}

function wanted(profile: 'helm' | 'compose'): Wanted[] {
  const app = digitron();
  return [
    { description: app, target: 'plant-a/line-3', namespace: 'margo-poc', values: exampleValues },
    { description: app, target: 'plant-a/line-3', namespace: 'margo-poc', name: 'digitron-2', values: exampleValues },
    { description: longDescription(profile), target: 'plant-a/line-3', namespace: 'apps', values: {} },
    { description: app, target: 'plant-b', namespace: 'margo-poc', values: exampleValues },
  ];
}

let counter = 0;
const newId = () => `00000000-0000-4000-8000-${String(++counter).padStart(12, '0')}`;

async function deploy(
  repository: Repository,
  item: Wanted,
  profile: string,
  format: RenderFormat,
  layout: Layout = {},
) {
  const name = item.name ?? deploymentName(item.description.id);
  // The service reads the previous ApplicationDeployment back, so ids and names survive.
  const previousText = repository.get(
    deploymentFilePath({ target: item.target, applicationId: item.description.id, name }, layout),
  );
  const resolved = resolveDeployment({
    description: item.description,
    profile,
    target: item.target,
    namespace: item.namespace,
    values: item.values,
    name,
    ...(previousText ? { previous: readPreviousDeployment(previousText) } : {}),
    newId,
  });
  const rendering = await renderDeployment(resolved, { format, templates, layout });
  const present = under(repository, targetFolder(item.target, layout));
  apply(repository, deploymentChange({ rendering, target: item.target, layout, present }));
  return rendering;
}

/** Builds the folder with kubectl and checks every object; returns them. */
function build(repository: Repository, folder: string): Manifest[] {
  const dir = join(work, `build-${++counter}`);
  writeTree(
    dir,
    [...repository].map(([path, content]) => ({ path, content })),
  );
  const objects = kustomize(join(dir, folder)) as Manifest[];
  for (const object of objects) {
    const name = (object.metadata as { name: string }).name;
    expect(problems(object), `${folder}: ${object.kind} ${name}`).toEqual([]);
    expect(name.length, name).toBeLessThanOrEqual(63);
    const release = (object.spec?.releaseName ??
      (object.spec?.source as { helm?: { releaseName?: string } })?.helm?.releaseName) as string | undefined;
    if (release !== undefined) expect(release.length, release).toBeLessThanOrEqual(53);
  }
  return objects;
}

const kinds = (objects: Manifest[]) => objects.map((object) => object.kind).sort();

describe.each(['helm', 'compose'] as const)('a repository of %s deployments', (profile) => {
  describe.each(renderFormats)('format %s', (format) => {
    it('every deployment folder and every target folder passes kubectl kustomize and the schema checks', async () => {
      const repository: Repository = new Map();
      const folders: string[] = [];
      for (const item of wanted(profile)) folders.push((await deploy(repository, item, profile, format)).folder);

      const gitops = profile === 'helm' && (format === 'flux' || format === 'argocd');
      for (const folder of folders) {
        const objects = build(repository, folder);
        const perComponent = format === 'flux' ? ['HelmRelease', 'OCIRepository'] : ['Application'];
        expect(kinds(objects)).toEqual(gitops ? [...perComponent, ...perComponent].sort() : []);
      }
      const lineThree = build(repository, 'plant-a/line-3');
      const plantB = build(repository, 'plant-b');
      if (gitops) {
        // 3 deployments × 2 components; Flux adds the two namespaces they use.
        const objects = format === 'flux' ? 12 + 2 : 6;
        expect(lineThree).toHaveLength(objects);
        expect(plantB).toHaveLength(format === 'flux' ? 5 : 2);
        const namespaces = lineThree.filter((object) => object.kind === 'Namespace');
        expect(namespaces.map((object) => (object.metadata as { name: string }).name)).toEqual(
          format === 'flux' ? ['apps', 'margo-poc'] : [],
        );
      } else {
        expect(lineThree).toEqual([]);
        expect(plantB).toEqual([]);
      }
      const index = parse(repository.get('plant-a/line-3/kustomization.yaml') ?? '');
      expect(index.resources).toEqual([
        ...(format === 'flux' && profile === 'helm' ? ['namespaces.yaml'] : []),
        'com-example-an-application-identifier-long-enough-to-n-be2ca0f1',
        'com-northstartida-digitron-orchestrator-deployment',
        'digitron-2',
      ]);
    });
  });
});

describe('changes to a repository', () => {
  it('an update keeps id and name, replaces the folder and drops files no longer rendered', async () => {
    const repository: Repository = new Map();
    const item = wanted('helm')[1] as Wanted;
    const first = await deploy(repository, item, 'helm', 'flux');
    const id = readPreviousDeployment(
      repository.get(
        deploymentFilePath({ target: item.target, applicationId: item.description.id, name: 'digitron-2' }),
      ) ?? '',
    ).id;
    const before = new Map(repository);
    const second = await deploy(repository, item, 'compose', 'margo');
    expect(second.folder).toBe(first.folder);
    const paths = [...repository.keys()].sort();
    expect(paths).toEqual([
      'plant-a/line-3/digitron-2/application-deployment.yaml',
      'plant-a/line-3/digitron-2/env/digitron-orchestrator-docker.env',
      'plant-a/line-3/digitron-2/kustomization.yaml',
      'plant-a/line-3/digitron-2/margo-bridge.json',
      'plant-a/line-3/kustomization.yaml',
    ]);
    const after = readPreviousDeployment(repository.get('plant-a/line-3/digitron-2/application-deployment.yaml') ?? '');
    expect(after).toMatchObject({ id, name: 'digitron-2' });
    // The preview's diff names the removed Flux files and the namespace index.
    const diff = unifiedDiff(
      [...before].map(([path, content]) => ({ path, content })),
      [...repository].map(([path, content]) => ({ path, content })),
    );
    expect(diff).toContain(
      '--- a/plant-a/line-3/digitron-2/flux/digitron-orchestrator.helmrelease.yaml\n+++ /dev/null',
    );
    expect(diff).toContain('--- a/plant-a/line-3/namespaces.yaml\n+++ /dev/null');
    expect(diff).toContain('+++ b/plant-a/line-3/digitron-2/env/digitron-orchestrator-docker.env');
    expect(unifiedDiff(second.files, second.files)).toBe('');
  });

  it('removing deployments shrinks the index to an empty kustomization that still builds', async () => {
    const repository: Repository = new Map();
    const folders: string[] = [];
    for (const item of wanted('helm').slice(0, 3))
      folders.push((await deploy(repository, item, 'helm', 'flux')).folder);
    const target = 'plant-a/line-3';
    const remove = (folder: string) =>
      apply(repository, removalChange({ folder, target, present: under(repository, targetFolder(target)) }));

    remove(folders[2] as string);
    expect(parse(repository.get(`${target}/kustomization.yaml`) ?? '').resources).toEqual([
      'namespaces.yaml',
      'com-northstartida-digitron-orchestrator-deployment',
      'digitron-2',
    ]);
    expect(build(repository, target).filter((object) => object.kind === 'Namespace')).toHaveLength(1);
    remove(folders[0] as string);
    remove(folders[1] as string);
    expect([...repository.keys()]).toEqual([`${target}/kustomization.yaml`]);
    expect(parse(repository.get(`${target}/kustomization.yaml`) ?? '').resources).toEqual([]);
    expect(build(repository, target)).toEqual([]);
  });

  it('a configured root and directory pattern still give folders kubectl kustomize builds', async () => {
    const repository: Repository = new Map();
    const layout: Layout = { root: 'clusters', directory: '{target}/apps/{applicationId}/{name}' };
    for (const item of wanted('helm')) await deploy(repository, item, 'helm', 'flux', layout);
    expect(parse(repository.get('clusters/plant-a/line-3/kustomization.yaml') ?? '').resources).toEqual([
      'namespaces.yaml',
      'apps/com-example-an-application-identifier-long-enough-to-need-shortening/com-example-an-application-identifier-long-enough-to-n-be2ca0f1',
      'apps/com-northstartida-digitron-orchestrator/com-northstartida-digitron-orchestrator-deployment',
      'apps/com-northstartida-digitron-orchestrator/digitron-2',
    ]);
    expect(build(repository, 'clusters/plant-a/line-3')).toHaveLength(14);
    expect(build(repository, 'clusters/plant-b')).toHaveLength(5);
  });

  it('an unchanged re-render changes nothing and keeps every id', async () => {
    const repository: Repository = new Map();
    for (const item of wanted('compose')) await deploy(repository, item, 'compose', 'margo-v1');
    const before = new Map(repository);
    for (const item of wanted('compose')) await deploy(repository, item, 'compose', 'margo-v1');
    expect(repository).toEqual(before);
  });

  it('refuses a manifest that margo-bridge did not write', async () => {
    const repository: Repository = new Map([['plant-b/other/margo-bridge.json', '{"files": []}']]);
    const error = await deploy(repository, wanted('helm')[3] as Wanted, 'helm', 'flux').then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toMatchObject({
      code: 'CONFIG_INVALID',
      message: expect.stringContaining('plant-b/other/margo-bridge.json'),
    });
  });

  it('shortens long names deterministically and keeps distinct names distinct', async () => {
    const names = (id: string) => {
      const resolved = resolveDeployment({
        description: { ...longDescription('helm'), id },
        profile: 'helm',
        target: 't',
        namespace: 'default',
        values: {},
        newId,
      });
      return resolved.name;
    };
    const one = names(`${LONG_ID}-one`);
    const two = names(`${LONG_ID}-two`);
    expect(one).toHaveLength(63);
    expect(two).toHaveLength(63);
    expect(one).not.toBe(two);
    expect(names(`${LONG_ID}-one`)).toBe(one);
    expect(one).toMatch(/^[a-z0-9](?:[-a-z0-9]*[a-z0-9])?$/);
    expect(
      thrown(() =>
        resolveDeployment({
          description: digitron(),
          profile: 'helm',
          target: 't',
          namespace: 'default',
          values: exampleValues,
          name: 'Not_A_Label',
          newId,
        }),
      ).code,
    ).toBe('INVALID_TARGET');
  });
});
