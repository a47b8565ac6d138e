/**
 * Pointer semantics in derived files: Helm overlays as `helm --set` builds them (D-8, §6.1) and
 * compose env files (D-7, §6.2), including the edge cases named in issue 3.
 */
import { describe, expect, it } from 'vitest';
import {
  composeProfile,
  fixedId,
  helmProfile,
  makeDescription,
  templates,
  thrown,
} from '../../../test/support/render.js';
import type { TypedValue } from '../index.js';
import { renderDeployment } from '../render/index.js';
import { buildDeployment, type Data } from './index.js';

type Params = Parameters<typeof makeDescription>[1];

function helm(parameters: Params, values: Record<string, TypedValue>, components = ['app', 'db']) {
  return buildDeployment({
    description: makeDescription([helmProfile(components)], parameters),
    profile: 'helm',
    target: 'site',
    namespace: 'default',
    values,
    newId: fixedId,
  });
}

function compose(parameters: Params, values: Record<string, TypedValue>) {
  return buildDeployment({
    description: makeDescription([composeProfile(['svc'])], parameters),
    profile: 'compose',
    target: 'site',
    namespace: 'default',
    values,
    newId: fixedId,
  });
}

/** Plain JSON of an overlay (null-prototype maps and Decimals compared as data). */
const plain = (data: Data): unknown => JSON.parse(JSON.stringify(data));

const target = (pointer: string, components = ['app']) => ({ targets: [{ pointer, components }] });

describe('Helm values overlays', () => {
  it('escaped dots stay inside a key', () => {
    const resolved = helm({ team: target('annotations.example\\.com/team') }, { team: { value: 'ops' } });
    expect(plain(resolved.helmValues[0]?.values as Data)).toEqual({ annotations: { 'example.com/team': 'ops' } });
  });

  it('list indexes pad with null, and later targets fill the gaps', () => {
    const resolved = helm(
      { a: target('ingress.hosts[2].name'), b: target('ingress.hosts[0].name'), c: target('ingress.hosts[0].port') },
      { a: { value: 'c.example' }, b: { value: 'a.example' }, c: { value: 8080 } },
    );
    expect(plain(resolved.helmValues[0]?.values as Data)).toEqual({
      ingress: { hosts: [{ name: 'a.example', port: 8080 }, null, { name: 'c.example' }] },
    });
  });

  it('nested list indexes (name[0][1]) build nested lists', () => {
    const resolved = helm({ m: target('matrix[0][1]') }, { m: { value: true } });
    expect(plain(resolved.helmValues[0]?.values as Data)).toEqual({ matrix: [[null, true]] });
  });

  it('two parameters into one component merge into one overlay', () => {
    const resolved = helm(
      { cpu: target('settings.limits.cpu'), memory: target('settings.limits.memory') },
      { cpu: { value: 1.5, text: '1.50' }, memory: { value: 16384 } },
    );
    expect(resolved.helmValues.map((v) => v.component)).toEqual(['app', 'db']);
    expect(plain(resolved.helmValues[0]?.values as Data)).toEqual({
      settings: { limits: { cpu: 1.5, memory: 16384 } },
    });
    expect(plain(resolved.helmValues[1]?.values as Data)).toEqual({});
  });

  it('one parameter into two components (and two paths) writes each', () => {
    const resolved = helm(
      {
        url: {
          targets: [
            { pointer: 'idp.providerUrl', components: ['app', 'db'] },
            { pointer: 'idp.providerMetadata', components: ['app'] },
          ],
        },
      },
      { url: { value: 'https://idp.example' } },
    );
    expect(plain(resolved.helmValues[0]?.values as Data)).toEqual({
      idp: { providerUrl: 'https://idp.example', providerMetadata: 'https://idp.example' },
    });
    expect(plain(resolved.helmValues[1]?.values as Data)).toEqual({ idp: { providerUrl: 'https://idp.example' } });
  });

  it('keeps the typed digits of doubles and writes them as numbers', async () => {
    const resolved = helm(
      { cpu: target('cpu'), ratio: target('ratio') },
      {
        cpu: { value: 1.5, text: '1.50' },
        ratio: { value: -0.5, text: '-00.50' },
      },
    );
    const rendered = await renderDeployment(resolved, { templates });
    const values = rendered.files.find((f) => f.path.endsWith('values/app.yaml'));
    expect(values?.content).toBe('cpu: 1.50\nratio: -0.50\n');
    const deployment = rendered.files.find((f) => f.path.endsWith('application-deployment.yaml'));
    expect(deployment?.content).toContain('value: 1.50\n');
  });

  it('`env.` is an ordinary key for Helm, and __proto__ is an ordinary key too', () => {
    const resolved = helm(
      { e: target('env.OTEL'), p: target('__proto__.polluted') },
      {
        e: { value: 'x' },
        p: { value: 'y' },
      },
    );
    const values = resolved.helmValues[0]?.values as Record<string, unknown>;
    expect(Object.keys(values)).toEqual(['env', '__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('refuses two targets writing the same path, or a path and its prefix, in one component', () => {
    const same = thrown(() => helm({ a: target('x.y'), b: target('x.y') }, { a: { value: 1 }, b: { value: 2 } }));
    expect(same.code).toBe('INVALID_DESCRIPTION');
    expect(same.message).toContain("parameter 'b' writes 'x.y'");
    const prefix = thrown(() => helm({ a: target('x.y'), b: target('x.y.z') }, { a: { value: 1 }, b: { value: 2 } }));
    expect(prefix.details).toMatchObject({ issues: [{ code: 'POINTER_CONFLICT', parameter: 'b' }] });
    const kinds = thrown(() => helm({ a: target('x.y'), b: target('x[0]') }, { a: { value: 1 }, b: { value: 2 } }));
    expect(kinds.details).toMatchObject({ issues: [{ code: 'POINTER_CONFLICT' }] });
  });

  it('the same path in two components is no conflict', () => {
    const resolved = helm({ a: target('x'), b: target('x', ['db']) }, { a: { value: 1 }, b: { value: 2 } });
    expect(resolved.helmValues.map((v) => plain(v.values))).toEqual([{ x: 1 }, { x: 2 }]);
  });

  it('a malformed pointer is a description error naming it', () => {
    const error = thrown(() => helm({ a: target('a=b') }, { a: { value: 1 } }));
    expect(error.code).toBe('INVALID_DESCRIPTION');
    expect(error.details).toMatchObject({ issues: [{ code: 'PATTERN', pointer: 'a=b', parameter: 'a' }] });
  });

  it('list values are written as YAML sequences', () => {
    const resolved = helm({ tags: target('tags') }, { tags: { value: ['a', 'b'] } });
    expect(plain(resolved.helmValues[0]?.values as Data)).toEqual({ tags: ['a', 'b'] });
  });
});

describe('compose env files', () => {
  it('strips ENV./env. and sorts the variables', () => {
    const resolved = compose(
      { b: target('ENV.B_VAR', ['svc']), a: target('env.A_VAR', ['svc']), c: target('PLAIN', ['svc']) },
      { a: { value: true }, b: { value: 1.5, text: '1.50' }, c: { value: 'x' } },
    );
    expect(resolved.envFiles).toEqual([
      {
        component: 'svc',
        entries: [
          { name: 'A_VAR', value: 'true', parameter: 'a' },
          { name: 'B_VAR', value: '1.50', parameter: 'b' },
          { name: 'PLAIN', value: 'x', parameter: 'c' },
        ],
      },
    ]);
  });

  it('skips other namespaces with a POINTER_NAMESPACE warning but keeps the target in the deployment (A-46)', () => {
    const resolved = compose({ port: target('PORTS.80', ['svc']) }, { port: { value: 8080 } });
    expect(resolved.envFiles[0]?.entries).toEqual([]);
    expect(resolved.warnings).toMatchObject([{ code: 'POINTER_NAMESPACE', parameter: 'port', component: 'svc' }]);
    expect(resolved.parameters[0]?.targets).toEqual([{ pointer: 'PORTS.80', components: ['svc'] }]);
  });

  it('refuses invalid names, collisions and list values', () => {
    const name = thrown(() => compose({ a: target('ENV.1ABC', ['svc']) }, { a: { value: 'x' } }));
    expect(name.details).toMatchObject({ issues: [{ code: 'ENV_NAME', parameter: 'a' }] });
    const collision = thrown(() =>
      compose({ a: target('ENV.X', ['svc']), b: target('X', ['svc']) }, { a: { value: '1' }, b: { value: '2' } }),
    );
    expect(collision.details).toMatchObject({ issues: [{ code: 'ENV_CONFLICT', parameter: 'b' }] });
    const list = thrown(() => compose({ a: target('A', ['svc']) }, { a: { value: ['x'] } }));
    expect(list.details).toMatchObject({ issues: [{ code: 'ENV_LIST' }] });
  });
});
