/** The template mechanism: values go in as YAML nodes, so any value gives valid YAML that reads back. */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { fixedId, helmProfile, makeDescription, templates } from '../../../test/support/render.js';
import { isBridgeError } from '../../errors.js';
import { buildDeployment, Decimal } from '../deployment/index.js';
import { compileTemplate, renderDeployment, writeYaml } from './index.js';
import { defaultTemplatesDir, loadTemplates, loadTemplateTexts } from './node/templates.js';
import { fillTemplate } from './template.js';

const hostile = [
  'value\nkind: Secret',
  '"}: {',
  "' or '1'='1",
  '- item',
  '# comment',
  '&anchor *alias',
  '!!python/object:os.system',
  '{{ .Values.x }}',
  '---\napiVersion: v1',
  '  indented',
  'key: value',
  '@at',
  '%TAG',
  '\t tab',
  'trailing space ',
  '\u0000 nul and \u0085 nel',
];

describe('values inserted as YAML nodes', () => {
  it.each(hostile)('a string %j reads back as itself and adds no keys', async (value) => {
    const resolved = buildDeployment({
      description: makeDescription([helmProfile(['app'])], {
        p: { targets: [{ pointer: 'a.b', components: ['app'] }] },
      }),
      profile: 'helm',
      target: 'site',
      namespace: 'default',
      values: { p: { value } },
      newId: fixedId,
    });
    for (const format of ['margo', 'flux', 'argocd'] as const) {
      const rendered = await renderDeployment(resolved, { format, templates });
      // Every file parses; the two that carry the value are looked up, so a renamed file fails here.
      const trees = rendered.files.map((file) => ({ path: file.path, tree: parse(file.content) }));
      const only = (suffix: string) => {
        const found = trees.filter((file) => file.path.endsWith(suffix));
        expect(
          found.map((file) => file.path),
          `${format}: one file ending in ${suffix}`,
        ).toHaveLength(1);
        return found[0]?.tree;
      };
      const deployment = only('application-deployment.yaml');
      expect(deployment.spec.parameters.p.value).toBe(value);
      expect(Object.keys(deployment)).toEqual(['apiVersion', 'kind', 'metadata', 'spec']);
      expect(only('values/app.yaml')).toEqual({ a: { b: value } });
    }
  });

  it('double-quotes strings that a YAML 1.1 reader (Helm, Go yaml.v2) would not read as strings', () => {
    const text = writeYaml({ a: 'yes', b: 'on', c: '0777', d: '1_000', e: '12:30', f: '0x1F', g: '2.3.7', h: 'plain' });
    expect(text).toBe('a: "yes"\nb: "on"\nc: "0777"\nd: "1_000"\ne: "12:30"\nf: "0x1F"\ng: 2.3.7\nh: plain\n');
    expect(parse(text, { version: '1.1' })).toEqual({
      a: 'yes',
      b: 'on',
      c: '0777',
      d: '1_000',
      e: '12:30',
      f: '0x1F',
      g: '2.3.7',
      h: 'plain',
    });
  });

  it('writes Decimals with their digits and everything else by type', () => {
    expect(writeYaml({ d: new Decimal(1.5, '1.50'), i: 4, b: false, z: null, s: '4', l: [1, 'x'] })).toBe(
      'd: 1.50\ni: 4\nb: false\nz: null\ns: "4"\nl:\n  - 1\n  - x\n',
    );
  });
});

describe('templates', () => {
  it('a !var of an absent variable removes its entry; comments are kept', () => {
    const template = compileTemplate(
      'flux-helmrepository',
      '# managed by margo-bridge\nkind: X\nmetadata:\n  name: !var source.name\n  missing: !var source.nothing\nitems:\n  - !var source.nothing\n  - !var source.name\n',
    );
    expect(fillTemplate(template, { source: { name: 'repo' } })).toBe(
      '# managed by margo-bridge\nkind: X\nmetadata:\n  name: repo\nitems:\n  - repo\n',
    );
  });

  it('refuses unknown variables, bad paths, syntax errors and non-mapping templates, naming the template', () => {
    const attempts = [
      ['kind: X\nname: !var deploymnet.name\n', "unknown variable 'deploymnet'"],
      ['kind: X\nname: !var deployment..name\n', 'not a dotted variable path'],
      ['kind: X\nname: [\n', 'argocd-application'],
      ['- a\n', 'must be a YAML mapping'],
      ['kind: X\n!var deployment.name: 1\n', 'cannot be a mapping key'],
    ] as const;
    for (const [text, message] of attempts) {
      try {
        compileTemplate('argocd-application', text);
        expect.unreachable(text);
      } catch (error) {
        expect(isBridgeError(error, 'CONFIG_INVALID')).toBe(true);
        expect((error as Error).message).toContain(message);
        expect((error as Error).message).toContain('template argocd-application');
      }
    }
  });

  it('an operator copy of templates/ renders with its changes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'margo-templates-'));
    const texts = await loadTemplateTexts();
    for (const [name, text] of Object.entries(texts)) writeFileSync(join(dir, `${name}.yaml`), text);
    writeFileSync(
      join(dir, 'application-deployment.yaml'),
      texts['application-deployment'].replace(
        'kind: ApplicationDeployment\n',
        'kind: ApplicationDeployment\n# reviewed by ops\n',
      ),
    );
    const custom = await loadTemplates(dir);
    const resolved = buildDeployment({
      description: makeDescription([helmProfile(['app'])], {}),
      profile: 'helm',
      target: 'site',
      namespace: 'default',
      values: {},
      newId: fixedId,
    });
    const rendered = await renderDeployment(resolved, { templates: custom });
    expect(rendered.files[0]?.content).toContain('# reviewed by ops\n');
  });

  it('a missing template file is CONFIG_INVALID naming it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'margo-templates-'));
    await expect(loadTemplates(dir)).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
    await expect(loadTemplates(dir)).rejects.toThrow(/template application-deployment: cannot read/);
  });

  it('the shipped templates are the files in templates/', () => {
    const text = readFileSync(new URL('application-deployment.yaml', defaultTemplatesDir), 'utf8');
    expect(text).toContain('!var deployment.id');
  });
});
