/**
 * Acceptance: the pre-draft digitron description, rendered with the values of the spec's
 * desired-state examples, gives those examples field by field, except that values are typed
 * (120, not "120"; `wait: true`, not "true", A-36) and the id is the project's own.
 */

import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { resolveDeployment } from '../src/margo/deployment/index.js';
import { validateDocument } from '../src/margo/index.js';
import { renderDeployment } from '../src/margo/render/index.js';
import {
  COMPOSE_EXAMPLE,
  digitron,
  exampleText,
  exampleValues,
  FIXED_ID,
  fixedId,
  HELM_EXAMPLE,
  renderDigitron,
  templates,
} from './support/render.js';

type Tree = Record<string, unknown>;
const at = (tree: unknown, ...path: (string | number)[]): unknown =>
  path.reduce<unknown>((node, key) => (node as Tree | undefined)?.[key as string], tree);

async function renderExample(profile: 'helm' | 'compose'): Promise<{ text: string; tree: Tree }> {
  const rendered = await renderDigitron(profile);
  const file = rendered.files.find((f) => f.path.endsWith('/application-deployment.yaml'));
  if (!file) throw new Error('no ApplicationDeployment rendered');
  return { text: file.content, tree: parse(file.content) as Tree };
}

/** The example's value as we type it: numbers from the schema, the strings unchanged. */
const typed: Record<string, unknown> = {
  cpuLimit: 4,
  memoryLimit: 16384,
  pollFrequency: 120,
};

describe.each([
  ['helm', HELM_EXAMPLE],
  ['compose', COMPOSE_EXAMPLE],
] as const)('digitron rendered with the %s profile', (profile, exampleFile) => {
  const example = parse(exampleText(exampleFile)) as Tree;

  it('has the example header, names and ids (our own UUID)', async () => {
    const { tree } = await renderExample(profile);
    expect(tree.apiVersion).toBe(example.apiVersion);
    expect(tree.kind).toBe(example.kind);
    expect(at(tree, 'metadata', 'name')).toBe(at(example, 'metadata', 'name'));
    expect(at(tree, 'metadata', 'namespace')).toBe(at(example, 'metadata', 'namespace'));
    expect(at(tree, 'metadata', 'annotations', 'applicationId')).toBe(
      at(example, 'metadata', 'annotations', 'applicationId'),
    );
    expect(at(tree, 'metadata', 'annotations', 'id')).toBe(FIXED_ID);
    expect(Object.keys(tree).sort()).toEqual(Object.keys(example).sort());
    expect(Object.keys(at(tree, 'metadata') as Tree).sort()).toEqual(
      Object.keys(at(example, 'metadata') as Tree).sort(),
    );
  });

  it('has the example profile: type, components in order, properties (wait typed)', async () => {
    const { tree } = await renderExample(profile);
    expect(at(tree, 'spec', 'deploymentProfile', 'type')).toBe(at(example, 'spec', 'deploymentProfile', 'type'));
    const ours = at(tree, 'spec', 'deploymentProfile', 'components') as Tree[];
    const theirs = at(example, 'spec', 'deploymentProfile', 'components') as Tree[];
    expect(ours.map((c) => c.name)).toEqual(theirs.map((c) => c.name));
    ours.forEach((component, index) => {
      const expected = theirs[index] as Tree;
      expect(Object.keys(component).sort()).toEqual(Object.keys(expected).sort());
      const properties = component.properties as Tree;
      const expectedProperties = expected.properties as Tree;
      expect(Object.keys(properties)).toEqual(Object.keys(expectedProperties));
      for (const [key, value] of Object.entries(expectedProperties)) {
        if (key === 'wait') expect(properties[key]).toBe(value === 'true');
        else expect(properties[key]).toBe(value);
      }
    });
  });

  it('has every example parameter, sorted, with typed values and the same targets', async () => {
    const { tree } = await renderExample(profile);
    const ours = at(tree, 'spec', 'parameters') as Record<string, Tree>;
    const theirs = at(example, 'spec', 'parameters') as Record<string, Tree>;
    expect(Object.keys(ours)).toEqual(Object.keys(theirs));
    expect(Object.keys(ours)).toEqual([...Object.keys(ours)].sort());
    for (const [name, parameter] of Object.entries(theirs)) {
      const mine = ours[name] as Tree;
      expect(Object.keys(mine).sort(), name).toEqual(Object.keys(parameter).sort());
      expect(mine.targets, name).toEqual(parameter.targets);
      const expected = name in typed ? typed[name] : parameter.value;
      expect(mine.value, name).toBe(expected);
      expect(String(mine.value), name).toBe(parameter.value);
    }
  });

  it('is a valid deployment for the project validator', async () => {
    const { text } = await renderExample(profile);
    const report = validateDocument(text);
    expect(report.kind).toBe('deployment');
    expect(report.errors).toEqual([]);
  });
});

describe('determinism', () => {
  it('renders the same bytes twice, in every format and for both profiles', async () => {
    for (const profile of ['helm', 'compose'] as const) {
      for (const format of ['margo', 'margo-v1', 'flux', 'argocd'] as const) {
        const render = async () =>
          renderDeployment(
            resolveDeployment({
              description: digitron(),
              profile,
              target: 'plant-a/line-3',
              namespace: 'margo-poc',
              values: { ...exampleValues },
              newId: fixedId,
            }),
            { format, templates },
          );
        const first = await render();
        const second = await render();
        expect(second.files).toEqual(first.files);
        expect(second.hash).toBe(first.hash);
        expect(first.hash).toMatch(/^sha256:[0-9a-f]{64}$/);
        for (const file of first.files) {
          expect(file.content.endsWith('\n') && !file.content.endsWith('\n\n'), file.path).toBe(true);
          expect(file.content.includes('\r'), file.path).toBe(false);
        }
      }
    }
  });

  it('a changed value changes the hash; the same value given differently does not', async () => {
    const hashOf = async (values: Record<string, string>) =>
      (
        await renderDeployment(
          resolveDeployment({
            description: digitron(),
            profile: 'helm',
            target: 'plant-a/line-3',
            namespace: 'margo-poc',
            values,
            newId: fixedId,
          }),
          { templates },
        )
      ).hash;
    const base = await hashOf(exampleValues);
    expect(await hashOf({ ...exampleValues, pollFrequency: '121' })).not.toBe(base);
    expect(await hashOf({ ...exampleValues, pollFrequency: '+120' })).toBe(base);
  });
});
