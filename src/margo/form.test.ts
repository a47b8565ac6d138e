import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildForm, type FormField, readForm, readSensitive } from './form.js';
import type { Description } from './model.js';
import { validateDocument } from './validate.js';
import { validateValues } from './values.js';

const digitronText = readFileSync(
  new URL(
    '../../../shared/margo-examples/margo-specification_pre-draft_application-package-definition_digitron-orchestrator.margo.yaml',
    import.meta.url,
  ),
  'utf8',
);

function digitron(): Description {
  const report = validateDocument(digitronText);
  if (!report.description) throw new Error('digitron example did not normalise');
  return report.description;
}

function profile(description: Description, type: 'helm' | 'compose') {
  return description.profiles.find((candidate) => candidate.type === type)!;
}

function fields(form: ReturnType<typeof buildForm>): Map<string, FormField> {
  return new Map(form.sections.flatMap((section) => section.fields).map((field) => [field.parameter, field]));
}

const extras = (description: Description): Description => ({
  ...description,
  parameters: {
    ...description.parameters,
    mode: { name: 'mode', targets: [{ pointer: 'mode', components: ['digitron-orchestrator'] }], default: 'fast' },
    ports: { name: 'ports', targets: [{ pointer: 'ports', components: ['digitron-orchestrator'] }] },
    debug: { name: 'debug', targets: [{ pointer: 'debug', components: ['digitron-orchestrator'] }], default: false },
    zones: { name: 'zones', targets: [{ pointer: 'zones', components: ['digitron-orchestrator'] }] },
    apiPassword: { name: 'apiPassword', targets: [{ pointer: 'pw', components: ['digitron-orchestrator'] }] },
  },
  configuration: {
    sections: [
      ...(description.configuration?.sections ?? []),
      {
        name: 'Extras',
        settings: [
          { parameter: 'mode', name: 'Mode', immutable: false, schema: 'modes' },
          { parameter: 'ports', name: 'Ports', immutable: false, schema: 'portList' },
          { parameter: 'debug', name: 'Debug', immutable: false, schema: 'flag' },
          { parameter: 'zones', name: 'Zones', immutable: false, schema: 'zoneChoice' },
          { parameter: 'apiPassword', name: 'API password', immutable: false, schema: 'requiredText' },
        ],
      },
    ],
    schema: [
      ...(description.configuration?.schema ?? []),
      { name: 'modes', dataType: 'string', options: ['fast', 'slow'] },
      { name: 'portList', dataType: 'array[integer]', minValue: 1, maxValue: 65535, allowEmpty: true },
      { name: 'flag', dataType: 'boolean' },
      { name: 'zoneChoice', dataType: 'string', options: ['a', 'b', 'c'], multiselect: true, allowEmpty: true },
    ],
  },
});

describe('buildForm', () => {
  it('groups settings by section in order, with labels, help, defaults and required marks', () => {
    const description = digitron();
    const form = buildForm(description, { profile: profile(description, 'helm') });
    expect(form.sections.map((section) => section.name)).toEqual([
      'General',
      'Identity Provider',
      'Administrator',
      'Resource Limits',
    ]);
    const byName = fields(form);
    const poll = byName.get('pollFrequency')!;
    expect(poll).toMatchObject({ label: 'Poll Frequency', widget: 'number', required: true, min: 30, max: 360 });
    expect(poll.step).toBe('1');
    expect(poll.value).toBe('30');
    expect(poll.help).toBe('How often the service polls for updated data in seconds');
    expect(byName.get('siteId')).toMatchObject({ widget: 'text', required: false, minLength: 5, value: '' });
    expect(byName.get('idpName')).toMatchObject({ maxLength: 45, required: true, readOnly: false });
    expect(byName.get('cpuLimit')).toMatchObject({ widget: 'number', step: '0.1', min: 0.5, value: '1' });
    expect(byName.get('idpUrl')?.pattern).toContain('http(s)');
  });

  it('hides settings whose parameter targets none of the chosen profile components', () => {
    const description = digitron();
    const form = buildForm(description, { profile: profile(description, 'compose') });
    expect(form.hidden.sort()).toEqual(['cpuLimit', 'memoryLimit']);
    expect(form.sections.map((section) => section.name)).not.toContain('Resource Limits');
  });

  it('picks the widget from the schema: select, multiselect, checkbox, list editor', () => {
    const description = extras(digitron());
    const byName = fields(buildForm(description, { profile: profile(description, 'helm') }));
    expect(byName.get('mode')).toMatchObject({ widget: 'select', value: 'fast' });
    expect(byName.get('mode')?.options?.map((option) => option.value)).toEqual(['fast', 'slow']);
    expect(byName.get('ports')).toMatchObject({ widget: 'list', itemType: 'integer', value: [] });
    expect(byName.get('debug')).toMatchObject({ widget: 'checkbox', value: 'false' });
    expect(byName.get('zones')).toMatchObject({ widget: 'multiselect', value: [] });
    expect(byName.get('apiPassword')?.sensitive).toBe(true);
    expect(byName.get('mode')?.sensitive).toBe(false);
  });

  it('locks immutable settings on updates and pre-fills the current values', () => {
    const description = digitron();
    const previous = { idpName: 'corp', pollFrequency: 60 };
    const byName = fields(buildForm(description, { profile: profile(description, 'helm'), previous }));
    expect(byName.get('idpName')).toMatchObject({ readOnly: true, value: 'corp' });
    expect(byName.get('pollFrequency')).toMatchObject({ readOnly: false, value: '60' });
    // Immutable but never set before (A-29a): still editable.
    expect(byName.get('idpProvider')?.readOnly).toBe(false);
    // Not installed yet: the current value is shown, the setting stays editable.
    const proposed = fields(
      buildForm(description, { profile: profile(description, 'helm'), previous, lockImmutable: false }),
    );
    expect(proposed.get('idpName')).toMatchObject({ readOnly: false, value: 'corp' });
  });

  it('re-shows what was typed, list lines and unticked boxes included', () => {
    const description = extras(digitron());
    const entered = { pollFrequency: '5000', ports: '80\r\n\r\n443', siteId: 'abc', debug: 'false' };
    const byName = fields(buildForm(description, { profile: profile(description, 'helm'), entered }));
    expect(byName.get('pollFrequency')?.value).toBe('5000');
    expect(byName.get('ports')?.value).toEqual(['80', '443']);
    expect(byName.get('siteId')?.value).toBe('abc');
    expect(byName.get('mode')?.value).toBe('');
  });
});

describe('readForm', () => {
  it('turns a posted form into values validateValues judges with the description rules', () => {
    const description = extras(digitron());
    const form = buildForm(description, { profile: profile(description, 'helm') });
    const posted = {
      pollFrequency: '400',
      siteId: '',
      idpName: 'corp',
      idpProvider: 'oidc',
      idpClientId: 'client',
      idpUrl: 'https://login.example.com',
      adminName: 'Ada',
      adminPrincipalName: 'ada@example.com',
      cpuLimit: '1.25',
      memoryLimit: '16384',
      mode: 'slow',
      ports: '80\n443',
      debug: ['false', 'true'],
      zones: ['a', 'c'],
      apiPassword: 'x',
      sensitive: ['apiPassword', 'unknown'],
    };
    const values = readForm(form, posted);
    expect(values).toMatchObject({ debug: 'true', ports: ['80', '443'], zones: ['a', 'c'], cpuLimit: '1.25' });
    const result = validateValues(description, values);
    expect(result.issues.map((issue) => `${issue.parameter} ${issue.code}`).sort()).toEqual([
      'cpuLimit VALUE_PRECISION',
      'pollFrequency VALUE_RANGE',
    ]);
    expect(readSensitive(form, posted)).toEqual(['apiPassword']);
  });

  it('keeps read-only values whatever is posted, and reads absent fields as empty', () => {
    const description = extras(digitron());
    const form = buildForm(description, { profile: profile(description, 'helm'), previous: { idpName: 'corp' } });
    const values = readForm(form, { idpName: 'changed' });
    expect(values.idpName).toBe('corp');
    expect(values.zones).toEqual([]);
    expect(values.debug).toBe('false');
    expect(values.adminName).toBe('');
  });
});
