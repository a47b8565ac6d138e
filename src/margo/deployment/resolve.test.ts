/** Resolution (D-7..D-9, D-12, §5.2): profile, targets, parameters, ids, names, updates. */
import { describe, expect, it } from 'vitest';
import {
  composeProfile,
  digitron,
  exampleValues,
  FIXED_ID,
  fixedId,
  helmProfile,
  makeDescription,
  templates,
  thrown,
} from '../../../test/support/render.js';
import { renderDeployment } from '../render/index.js';
import { buildDeployment, readPreviousDeployment, resolveDeployment, unsafePathReason } from './index.js';

const base = {
  target: 'plant-a/line-3',
  namespace: 'margo-poc',
  newId: fixedId,
};

describe('profile selection', () => {
  const description = makeDescription(
    [helmProfile(['app'], 'charts'), composeProfile(['svc'], 'small'), composeProfile(['svc'], 'large')],
    {},
  );
  const pick = (profile: string) => buildDeployment({ ...base, description, profile, values: {} }).profile.id;

  it('a type word picks the only profile of that type; ids pick exactly', () => {
    expect(pick('helm')).toBe('charts');
    expect(pick('large')).toBe('large');
  });

  it('a type shared by several profiles asks for an id, listing them', () => {
    const error = thrown(() => pick('compose'));
    expect(error.code).toBe('PROFILE_NOT_FOUND');
    expect(error.message).toContain('small, large');
  });

  it('an unknown profile lists the available ones', () => {
    const error = thrown(() => pick('quadlet'));
    expect(error.code).toBe('PROFILE_NOT_FOUND');
    expect(error.message).toContain('charts (helm)');
  });
});

describe('targets and namespaces', () => {
  it.each([
    ['', 'empty'],
    ['/abs', 'absolute'],
    ['a/../b', "'..'"],
    ['a//b', 'empty segment'],
    ['a/', 'empty segment'],
    ['./a', "'.'"],
    ['.git/hooks', "starting with '.'"],
    ['a b', 'characters'],
    ['a\\b', 'characters'],
    ['x'.repeat(254), 'longer'],
  ])('refuses target %j (%s)', (target, reason) => {
    expect(unsafePathReason(target)).toContain(reason);
    const error = thrown(() =>
      buildDeployment({
        ...base,
        target,
        description: makeDescription([helmProfile(['a'])], {}),
        profile: 'helm',
        values: {},
      }),
    );
    expect(error.code).toBe('INVALID_TARGET');
  });

  it.each(['plant-a/line-3', 'edge_01', 'gw.example/edge~1'])('accepts target %j', (target) => {
    expect(unsafePathReason(target)).toBeNull();
  });

  it('refuses a namespace that Kubernetes would refuse', () => {
    const error = thrown(() =>
      buildDeployment({
        ...base,
        namespace: 'Margo_POC',
        description: makeDescription([helmProfile(['a'])], {}),
        profile: 'helm',
        values: {},
      }),
    );
    expect(error.code).toBe('INVALID_TARGET');
  });
});

describe('parameters (D-9, A-37)', () => {
  it('keeps only targets on the chosen profile, trims component lists, drops parameters left without targets', () => {
    const resolved = resolveDeployment({ ...base, description: digitron(), profile: 'compose', values: exampleValues });
    const names = resolved.parameters.map((p) => p.name);
    expect(names).not.toContain('cpuLimit');
    expect(names).not.toContain('memoryLimit');
    expect(resolved.parameters.find((p) => p.name === 'pollFrequency')?.targets).toEqual([
      { pointer: 'ENV.POLL_FREQUENCY', components: ['digitron-orchestrator-docker'] },
    ]);
  });

  it('writes the default when the End User gives none, and omits an empty optional value (A-31)', () => {
    const { siteId: _omitted, pollFrequency: _default, ...values } = exampleValues;
    const resolved = resolveDeployment({ ...base, description: digitron(), profile: 'helm', values });
    expect(resolved.parameters.find((p) => p.name === 'pollFrequency')?.value).toBe(30);
    expect(resolved.parameters.find((p) => p.name === 'siteId')).toBeUndefined();
  });

  it('copies profile and component extensions unchanged, and properties as typed', () => {
    const profile = helmProfile(['app']);
    profile.extensions = { 'x-acme-extensions': { tier: 'gold' } };
    (profile.components[0] as { extensions: Record<string, Record<string, unknown>> }).extensions = {
      'x-acme-extensions': { gpu: true },
    };
    const resolved = buildDeployment({
      ...base,
      description: makeDescription([profile], {}),
      profile: 'helm',
      values: {},
    });
    expect(resolved.profile.extensions).toEqual({ 'x-acme-extensions': { tier: 'gold' } });
    expect(resolved.profile.components[0]?.extensions).toEqual({ 'x-acme-extensions': { gpu: true } });
  });
});

describe('values validation before resolution', () => {
  it('invalid values are INVALID_VALUES with the issues, and no value in the message', () => {
    const error = thrown(() =>
      resolveDeployment({
        ...base,
        description: digitron(),
        profile: 'helm',
        values: { ...exampleValues, pollFrequency: '7', idpUrl: 'not-a-secret-but-a-value' },
      }),
    );
    expect(error.code).toBe('INVALID_VALUES');
    expect(error.message).toContain('pollFrequency');
    expect(error.message).not.toContain('not-a-secret-but-a-value');
    expect(error.details).toMatchObject({
      issues: expect.arrayContaining([expect.objectContaining({ parameter: 'pollFrequency' })]),
    });
  });
});

describe('ids, names and updates', () => {
  it('a first install takes a new id and the name <applicationId>-deployment', () => {
    const resolved = resolveDeployment({ ...base, description: digitron(), profile: 'helm', values: exampleValues });
    expect(resolved.id).toBe(FIXED_ID);
    expect(resolved.name).toBe('com-northstartida-digitron-orchestrator-deployment');
  });

  it('an update keeps the id and name of the previous deployment file', async () => {
    const first = resolveDeployment({ ...base, description: digitron(), profile: 'helm', values: exampleValues });
    const rendered = await renderDeployment(first, { templates });
    const previous = readPreviousDeployment(rendered.files[0]?.content ?? '');
    expect(previous).toMatchObject({ id: FIXED_ID, applicationId: 'com-northstartida-digitron-orchestrator' });
    const update = resolveDeployment({
      ...base,
      description: digitron(),
      profile: 'helm',
      values: { ...exampleValues, pollFrequency: '240' },
      previous,
      newId: () => {
        throw new Error('an update must not take a new id');
      },
    });
    expect(update.id).toBe(FIXED_ID);
    expect(update.name).toBe(first.name);
    expect(update.parameters.find((p) => p.name === 'pollFrequency')?.value).toBe(240);
  });

  it('an update that changes an immutable setting is IMMUTABLE_SETTING naming it (D-12)', async () => {
    const first = resolveDeployment({ ...base, description: digitron(), profile: 'helm', values: exampleValues });
    const previous = readPreviousDeployment((await renderDeployment(first, { templates })).files[0]?.content ?? '');
    const error = thrown(() =>
      resolveDeployment({
        ...base,
        description: digitron(),
        profile: 'helm',
        values: { ...exampleValues, idpName: 'Okta' },
        previous,
      }),
    );
    expect(error.code).toBe('IMMUTABLE_SETTING');
    expect(error.message).toContain('idpName');
    expect(error.message).not.toContain('Okta');
  });

  it('reads the spec example deployment (string values) as a previous deployment', () => {
    const previous = readPreviousDeployment(`apiVersion: application.margo.org/v1alpha1
kind: ApplicationDeployment
metadata:
  annotations:
    applicationId: com-northstartida-digitron-orchestrator
    id: ad9b614e-8912-45f4-a523-372358765def
  name: custom-name
  namespace: margo-poc
spec:
  deploymentProfile:
    type: docker-compose
    components:
      - name: digitron-orchestrator-docker
        properties:
          packageLocation: https://northsitarida.com/digitron/docker/digitron-orchestrator.tar.gz
  parameters:
    pollFrequency:
      value: "120"
      targets:
        - pointer: ENV.POLL_FREQUENCY
          components: [digitron-orchestrator-docker]
`);
    expect(previous).toEqual({
      id: 'ad9b614e-8912-45f4-a523-372358765def',
      applicationId: 'com-northstartida-digitron-orchestrator',
      name: 'custom-name',
      values: { pollFrequency: '120' },
    });
  });

  it('refuses a previous deployment of another application, and a file that is not a deployment', () => {
    const error = thrown(() =>
      resolveDeployment({
        ...base,
        description: digitron(),
        profile: 'helm',
        values: exampleValues,
        previous: { id: FIXED_ID, applicationId: 'other-app', values: {} },
      }),
    );
    expect(error.code).toBe('CONFLICT');
    expect(thrown(() => readPreviousDeployment('just: text\n')).code).toBe('BAD_REQUEST');
  });

  it('refuses an id that is not a UUID', () => {
    const error = thrown(() =>
      resolveDeployment({ ...base, description: digitron(), profile: 'helm', values: exampleValues, newId: () => 'x' }),
    );
    expect(error.code).toBe('INTERNAL');
  });
});
