/**
 * Shape detection (D-1), normalisation (§1.2) and the rules R1–R10 of docs/specification.md §2–§3.
 * Over 400 lines: one group of cases per rule (R1–R10), each small; split by rule if it grows further.
 */
import { describe, expect, it } from 'vitest';
import { type Document, isSeq } from 'yaml';
import { baseText, codes, validateVariant } from '../../test/support/margo-fixture.js';
import { validateDocument } from './index.js';

const errorsOf = (change: (document: Document) => void) => codes(validateVariant(change).errors);
const warningsOf = (change: (document: Document) => void) => codes(validateVariant(change).warnings);

describe('the base fixture', () => {
  it('is a valid V5 description without warnings', () => {
    const report = validateDocument(baseText);
    expect(report).toMatchObject({ kind: 'description', shape: 'V5', valid: true, errors: [], warnings: [] });
    expect(report.description?.parameters.ratio).toMatchObject({ default: 1.5, defaultText: '1.50' });
    expect(report.description?.configuration?.sections[0]?.settings[1]).toMatchObject({
      parameter: 'port',
      immutable: true,
    });
  });
});

describe('shape detection (§1.1, D-1)', () => {
  it.each([
    [
      'V1',
      (d: Document) => {
        d.set('kind', 'application');
        d.setIn(['metadata', 'id'], d.get('id'));
      },
    ],
    ['V4', (d: Document) => d.set('kind', 'ApplicationDescription')],
  ])('detects %s', (shape, change) => {
    const report = validateVariant((d) => {
      change(d);
      if (shape === 'V1') d.delete('id');
    });
    expect(report.shape).toBe(shape);
  });

  it('A-6: a V1 document with a top-level id is read with a warning', () => {
    const report = validateVariant((d) => {
      d.set('kind', 'application');
    });
    expect(report.shape).toBe('V1');
    expect(report.description?.id).toBe('com-example-sensor');
    expect(report.warnings.map((issue) => `${issue.code} ${issue.pointer}`)).toContain('LEGACY_SPELLING /id');
  });

  it('detects V3 (profile ids) and V2 (none), both with metadata.id', () => {
    const v3 = validateVariant((d) => {
      d.set('kind', 'ApplicationDescription');
      d.setIn(['metadata', 'id'], d.get('id'));
      d.delete('id');
    });
    expect(v3.shape).toBe('V3');
    expect(v3.errors).toEqual([]);
    const v2 = validateVariant((d) => {
      d.set('kind', 'ApplicationDescription');
      d.setIn(['metadata', 'id'], d.get('id'));
      d.delete('id');
      const profiles = d.get('deploymentProfiles');
      for (const index of isSeq(profiles) ? profiles.items.keys() : []) d.deleteIn(['deploymentProfiles', index, 'id']);
    });
    expect(v2.shape).toBe('V2');
    expect(v2.errors).toEqual([]);
    // V1/V2 synthesise profile ids from the normalised type.
    expect(v2.description?.profiles.map((p) => p.id)).toEqual(['helm', 'compose']);
  });

  it('synthesises numbered ids for repeated types in V1/V2', () => {
    const report = validateVariant((d) => {
      d.set('kind', 'application');
      d.setIn(['metadata', 'id'], d.get('id'));
      d.delete('id');
      d.set('deploymentProfiles', [
        { type: 'helm.v3', components: [{ name: 'a', properties: { repository: 'oci://x/a', revision: '1.0.0' } }] },
        { type: 'helm.v3', components: [{ name: 'b', properties: { repository: 'oci://x/b', revision: '1.0.0' } }] },
      ]);
      d.set('parameters', {});
      d.delete('configuration');
    });
    expect(report.description?.profiles.map((p) => p.id)).toEqual(['helm', 'helm-2']);
  });

  it('names a V0 document, a Kubernetes Deployment and a foreign YAML file', () => {
    const v0 = validateDocument('apiVersion: margo.dev/v1\nkind: application\nspec:\n  helm-chart: {url: x}\n');
    expect(v0.errors[0]).toMatchObject({ code: 'UNSUPPORTED_SHAPE' });
    expect(v0.errors[0]?.message).toMatch(/V0/);
    const k8s = validateDocument('apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\n');
    expect(k8s).toMatchObject({ kind: 'not-margo' });
    expect(k8s.errors[0]?.message).toMatch(/kind Deployment/);
    const other = validateDocument('steps:\n  - run: make\non: push\n');
    expect(other.errors[0]?.message).toMatch(/top-level keys steps, on/);
  });

  it('recognises a deployment without kind by spec.deploymentProfile (D5)', () => {
    const report = validateDocument(
      'id: 3f0c8a52-6a7e-4c1b-9d3e-0b6f5d2a9c11\nmetadata: {name: a, namespace: b, deviceId: gateway-01/*}\nspec:\n  applicationId: app\n  deploymentProfile: {type: helm, components: [{name: c, properties: {repository: oci://x, revision: 1.0.0}}]}\n  parameters: {}\n',
    );
    expect(report).toMatchObject({ kind: 'deployment', shape: 'D5', valid: true });
  });
});

describe('normalisation and spellings (§1.2, A-5, A-6)', () => {
  it('warns LEGACY_SPELLING for helm.v3 and docker-compose in V5 and normalises them', () => {
    const report = validateVariant((d) => {
      d.setIn(['deploymentProfiles', 0, 'type'], 'helm.v3');
    });
    expect(report.errors).toEqual([]);
    expect(codes(report.warnings)).toEqual(['LEGACY_SPELLING /deploymentProfiles/0/type']);
    expect(report.description?.profiles[0]).toMatchObject({ type: 'helm', typeAsWritten: 'helm.v3' });
  });

  it('A-6: accepts metadata.id in V5 with a warning, rejects two different ids', () => {
    expect(
      warningsOf((d) => {
        d.setIn(['metadata', 'id'], d.get('id'));
        d.delete('id');
      }),
    ).toEqual(['LEGACY_SPELLING /metadata/id']);
    expect(
      errorsOf((d) => {
        d.setIn(['metadata', 'id'], 'other-id');
      }),
    ).toEqual(['RULE /metadata/id']);
    expect(
      errorsOf((d) => {
        d.delete('id');
      }),
    ).toEqual(['REQUIRED /id']);
  });

  it('D-10: metadata.version and numeric revisions keep their source text', () => {
    const report = validateDocument(
      baseText
        .replace('version: 1.2.0', 'version: 1.10')
        .replace('revision: 1.2.0\n          wait', 'revision: 2.10\n          wait'),
    );
    expect(report.description?.metadata.version).toBe('1.10');
    expect(report.description?.profiles[0]?.components[0]?.properties.revision).toBe('2.10');
  });

  it('A-15: reads datatype as dataType with a warning', () => {
    const report = validateVariant((d) => {
      d.setIn(['configuration', 'schema', 0, 'datatype'], d.getIn(['configuration', 'schema', 0, 'dataType']));
      d.deleteIn(['configuration', 'schema', 0, 'dataType']);
    });
    expect(report.errors).toEqual([]);
    expect(codes(report.warnings)).toEqual(['LEGACY_SPELLING /configuration/schema/0/datatype']);
  });

  it('A-1: an unknown apiVersion is a warning', () => {
    expect(
      warningsOf((d) => {
        d.set('apiVersion', 'margo.org/v2');
      }),
    ).toEqual(['VERSION /apiVersion']);
  });

  it('A-33: unknown keys are warnings, x-…-extensions are kept silently', () => {
    const report = validateVariant((d) => {
      d.setIn(['configuration', 'schema', 0, 'sensitive'], true);
      d.set('x-acme-extensions', { tier: 'gold' });
      d.setIn(['deploymentProfiles', 0, 'x-device-extensions'], { gpu: true });
    });
    expect(report.errors).toEqual([]);
    expect(codes(report.warnings)).toEqual(['UNKNOWN_KEY /configuration/schema/0/sensitive']);
    expect(report.description?.extensions).toEqual({ 'x-acme-extensions': { tier: 'gold' } });
    expect(report.description?.profiles[0]?.extensions).toEqual({ 'x-device-extensions': { gpu: true } });
    expect(errorsOf((d) => d.set('x-acme-extensions', 'text'))).toEqual(['TYPE /x-acme-extensions']);
  });
});

describe('field constraints (R10)', () => {
  it('REQUIRED, TYPE, PATTERN, ENUM with dotted paths and positions', () => {
    const report = validateVariant((d) => {
      d.deleteIn(['metadata', 'name']);
      d.setIn(['metadata', 'catalog', 'organization'], 'Example');
      d.setIn(['deploymentProfiles', 0, 'components', 0, 'properties', 'timeout'], '5m');
      d.setIn(['deploymentProfiles', 1, 'type'], 'quadlet');
    });
    expect(codes(report.errors).sort()).toEqual([
      'ENUM /deploymentProfiles/1/type',
      'PATTERN /deploymentProfiles/0/components/0/properties/timeout',
      'REQUIRED /metadata/name',
      'TYPE /metadata/catalog/organization',
    ]);
    const timeout = report.errors.find((issue) => issue.code === 'PATTERN');
    expect(timeout?.path).toBe('deploymentProfiles[0].components[0].properties.timeout');
    expect(timeout?.line).toBeGreaterThan(1);
  });

  it('an empty value (null) for a required field is REQUIRED, not TYPE', () => {
    expect(
      errorsOf((d) => {
        d.setIn(['metadata', 'catalog'], null);
      }),
    ).toEqual(['REQUIRED /metadata/catalog']);
  });

  it('checks ids, component names, memory and architectures', () => {
    expect(
      errorsOf((d) => {
        d.set('id', 'Com.Example');
        d.setIn(['deploymentProfiles', 0, 'components', 0, 'name'], 'Sensor_Chart');
        d.setIn(['deploymentProfiles', 0, 'components', 0, 'properties'], { repository: 'oci://x', revision: '1.0.0' });
        d.setIn(['deploymentProfiles', 0, 'deviceConstraints'], {
          capacityRequirements: { memory: '1GB', cpu: { cores: 1, architectures: ['x86_64'] } },
        });
      }),
    ).toEqual(
      expect.arrayContaining([
        'PATTERN /id',
        'PATTERN /deploymentProfiles/0/components/0/name',
        'PATTERN /deploymentProfiles/0/deviceConstraints/capacityRequirements/memory',
        'ENUM /deploymentProfiles/0/deviceConstraints/capacityRequirements/cpu/architectures/0',
      ]),
    );
  });

  it('profile id is required from V3 on; profiles and components need at least one entry', () => {
    expect(
      errorsOf((d) => {
        d.deleteIn(['deploymentProfiles', 1, 'id']);
      }),
    ).toEqual(['REQUIRED /deploymentProfiles/1/id']);
    expect(
      errorsOf((d) => {
        d.set('deploymentProfiles', []);
        d.set('parameters', {});
        d.delete('configuration');
      }),
    ).toEqual(['REQUIRED /deploymentProfiles']);
  });

  it('component properties per type: helm needs repository and revision; compose one form', () => {
    expect(
      errorsOf((d) => {
        d.deleteIn(['deploymentProfiles', 0, 'components', 0, 'properties', 'revision']);
      }),
    ).toEqual(['REQUIRED /deploymentProfiles/0/components/0/properties/revision']);
    expect(
      errorsOf((d) => {
        d.setIn(['deploymentProfiles', 1, 'components', 0, 'properties'], {});
      }),
    ).toEqual(['REQUIRED /deploymentProfiles/1/components/0/properties/packageLocation']);
    expect(
      errorsOf((d) => {
        d.setIn(
          ['deploymentProfiles', 1, 'components', 0, 'properties', 'packageLocation'],
          'https://example.com/a.tar.gz',
        );
      }),
    ).toEqual(['RULE /deploymentProfiles/1/components/0/properties']);
    expect(
      errorsOf((d) => {
        d.setIn(['deploymentProfiles', 1, 'components', 0, 'properties'], {
          packageLocation: './local/compose.tar.gz',
        });
      }),
    ).toEqual(['PATTERN /deploymentProfiles/1/components/0/properties/packageLocation']);
  });

  it('A-9/A-10: oci:// and SemVer are errors in V5, warnings before', () => {
    const change = (d: Document) => {
      d.setIn(
        ['deploymentProfiles', 0, 'components', 0, 'properties', 'repository'],
        'registry.example.com/charts/sensor',
      );
      d.setIn(['deploymentProfiles', 0, 'components', 0, 'properties', 'revision'], 'v1.2');
    };
    expect(errorsOf(change)).toEqual([
      'PATTERN /deploymentProfiles/0/components/0/properties/repository',
      'PATTERN /deploymentProfiles/0/components/0/properties/revision',
    ]);
    const v4 = validateVariant((d) => {
      change(d);
      d.set('kind', 'ApplicationDescription');
    });
    expect(v4.errors).toEqual([]);
    expect(codes(v4.warnings)).toEqual([
      'PATTERN /deploymentProfiles/0/components/0/properties/repository',
      'PATTERN /deploymentProfiles/0/components/0/properties/revision',
    ]);
    expect(
      errorsOf((d) => {
        d.setIn(['deploymentProfiles', 0, 'components', 0, 'properties', 'revision'], '1.0.0-rc.1_build.123');
      }),
    ).toEqual([]);
  });
});

describe('cross-references and rules (R1–R9)', () => {
  it('R1/R2: a setting names a parameter and a schema entry', () => {
    expect(
      errorsOf((d) => {
        d.setIn(['configuration', 'sections', 1, 'settings', 0, 'parameter'], 'missing');
        d.setIn(['configuration', 'sections', 0, 'settings', 0, 'schema'], 'nope');
      }),
    ).toEqual([
      'REFERENCE /configuration/sections/0/settings/0/schema',
      'REFERENCE /configuration/sections/1/settings/0/parameter',
    ]);
  });

  it('R3: target components name components, not profiles', () => {
    expect(
      errorsOf((d) => {
        d.setIn(['parameters', 'greeting', 'targets', 0, 'components'], ['sensor-helm']);
      }),
    ).toEqual(['REFERENCE /parameters/greeting/targets/0/components/0']);
  });

  it('R4: duplicate schema names, profile ids and component names in a profile', () => {
    expect(
      errorsOf((d) => {
        d.addIn(['configuration', 'schema'], d.getIn(['configuration', 'schema', 0]));
        d.setIn(['deploymentProfiles', 1, 'id'], 'sensor-helm');
        d.addIn(['deploymentProfiles', 0, 'components'], d.getIn(['deploymentProfiles', 0, 'components', 0]));
      }),
    ).toEqual([
      'DUPLICATE /deploymentProfiles/0/components/1/name',
      'DUPLICATE /deploymentProfiles/1/id',
      'DUPLICATE /configuration/schema/7/name',
    ]);
  });

  it('A-32: two settings for one parameter', () => {
    expect(
      errorsOf((d) => {
        d.setIn(['configuration', 'sections', 1, 'settings', 2, 'parameter'], 'greeting');
      }),
    ).toEqual(['DUPLICATE /configuration/sections/1/settings/2/parameter']);
  });

  it('R5: select options must match the dataType (D-5)', () => {
    expect(
      errorsOf((d) => {
        d.setIn(['configuration', 'schema', 1, 'options'], [1024, 8080, 'http']);
      }),
    ).toEqual(['TYPE /configuration/schema/1/options/2']);
    expect(
      errorsOf((d) => {
        d.setIn(['configuration', 'schema', 4, 'options'], []);
      }),
    ).toEqual(['REQUIRED /configuration/schema/4/options']);
  });

  it('R6: lengths and precisions are non-negative whole numbers, min ≤ max', () => {
    expect(
      errorsOf((d) => {
        d.setIn(['configuration', 'schema', 0, 'minLength'], 20);
        d.setIn(['configuration', 'schema', 2, 'maxPrecision'], -1);
        d.setIn(['configuration', 'schema', 1, 'minValue'], 1.5);
      }),
    ).toEqual(
      expect.arrayContaining([
        'RULE /configuration/schema/0/minLength',
        'RULE /configuration/schema/2/maxPrecision',
        'RULE /configuration/schema/1/minValue',
      ]),
    );
  });

  it('A-56: a rule that does not fit the dataType is a warning', () => {
    expect(
      warningsOf((d) => {
        d.setIn(['configuration', 'schema', 1, 'minLength'], 3);
      }),
    ).toEqual(['RULE /configuration/schema/1/minLength']);
  });

  it('R7: regexMatch must compile in RE2 (no look-around, no back-references), naming the entry (D-4)', () => {
    const report = validateVariant((d) => {
      d.setIn(['configuration', 'schema', 0, 'regexMatch'], '^(?=a)b$');
    });
    expect(codes(report.errors)).toEqual(['REGEX_COMPILE /configuration/schema/0/regexMatch']);
    expect(report.errors[0]?.message).toContain('schema text');
    expect(errorsOf((d) => d.setIn(['configuration', 'schema', 0, 'regexMatch'], '(a)\\1'))).toHaveLength(1);
    expect(errorsOf((d) => d.setIn(['configuration', 'schema', 0, 'regexMatch'], '(?P<name>a+)'))).toEqual([]);
  });

  it('R8: two Helm targets writing one path, or a path and its prefix, in one component (D-8)', () => {
    expect(
      errorsOf((d) => {
        d.setIn(['parameters', 'port', 'targets', 0, 'pointer'], 'app.greeting');
      }),
    ).toEqual(['POINTER_CONFLICT /parameters/port/targets/0/pointer']);
    expect(
      errorsOf((d) => {
        d.setIn(['parameters', 'port', 'targets', 0, 'pointer'], 'app');
      }),
    ).toEqual(['POINTER_CONFLICT /parameters/port/targets/0/pointer']);
    // Escaped dots make a different key: no conflict.
    expect(
      errorsOf((d) => {
        d.setIn(['parameters', 'port', 'targets', 0, 'pointer'], 'app\\.greeting');
      }),
    ).toEqual([]);
    expect(
      errorsOf((d) => {
        d.setIn(['parameters', 'port', 'targets', 0, 'pointer'], 'app.a=b');
      }),
    ).toEqual(['PATTERN /parameters/port/targets/0/pointer']);
  });

  it('D-7: a compose pointer with an unknown namespace is a warning; ENV. and env. are stripped', () => {
    expect(
      warningsOf((d) => {
        d.setIn(['parameters', 'port', 'targets', 1, 'pointer'], 'PORTS.80');
      }),
    ).toEqual(['POINTER_NAMESPACE /parameters/port/targets/1/pointer']);
    expect(
      errorsOf((d) => {
        d.setIn(['parameters', 'port', 'targets', 1, 'pointer'], 'env.GREETING');
      }),
    ).toEqual(['POINTER_CONFLICT /parameters/port/targets/1/pointer']);
    expect(
      errorsOf((d) => {
        d.setIn(['parameters', 'port', 'targets', 1, 'pointer'], '1PORT');
      }),
    ).toEqual(['PATTERN /parameters/port/targets/1/pointer']);
  });

  it('R9/D-11: placeholders in concrete places are errors, free text is not checked', () => {
    const report = validateVariant((d) => {
      d.setIn(['metadata', 'version'], '{{VERSION}}');
      d.setIn(['deploymentProfiles', 1, 'id'], '<profile>');
      d.setIn(['parameters', 'greeting', 'targets', 0, 'pointer'], '<pointer>');
      d.setIn(['metadata', 'catalog', 'application', 'icon'], '{{ICON}}');
      d.setIn(['metadata', 'description'], 'Uses <angle> brackets and {{braces}} in prose');
      d.setIn(['configuration', 'schema', 0, 'regexMatch'], '(?P<word>\\w+)');
    });
    expect(codes(report.errors)).toEqual([
      'PLACEHOLDER /metadata/version',
      'PLACEHOLDER /metadata/catalog/application/icon',
      'PLACEHOLDER /deploymentProfiles/1/id',
      'PLACEHOLDER /parameters/greeting/targets/0/pointer',
    ]);
  });

  it('A-53: a default that fails its own schema is a warning', () => {
    const report = validateVariant((d) => {
      d.setIn(['parameters', 'port', 'value'], 80);
    });
    expect(report.errors).toEqual([]);
    expect(codes(report.warnings)).toEqual(['VALUE_RANGE /parameters/port/value']);
  });

  it('A-28: a list setting may not target a compose component', () => {
    expect(
      errorsOf((d) => {
        d.addIn(['parameters', 'features', 'targets'], { pointer: 'FEATURES', components: ['sensor-compose'] });
      }),
    ).toEqual(['RULE /parameters/features/targets/1']);
  });

  it('A-58: catalog files must be in the package (warnings, only when a file lookup is given)', () => {
    const files = new Set(['resources/icon.png']);
    const report = validateDocument(
      baseText.replace(
        'icon: ./resources/icon.png',
        'icon: ./resources/icon.png\n      licenseFile: ../LICENSE\n      releaseNotes: notes.md',
      ),
      { fileExists: (path) => files.has(path) },
    );
    expect(report.errors).toEqual([]);
    expect(codes(report.warnings)).toEqual([
      'CATALOG_FILE /metadata/catalog/application/licenseFile',
      'CATALOG_FILE /metadata/catalog/application/releaseNotes',
    ]);
    expect(validateDocument(baseText.replace('./resources/icon.png', 'gone.png')).warnings).toEqual([]);
  });

  it('A-30: a parameter without a setting and without a default is a warning', () => {
    expect(
      warningsOf((d) => {
        d.setIn(['parameters', 'orphan'], { targets: [{ pointer: 'x.y', components: ['sensor-chart'] }] });
      }),
    ).toEqual(['UNREFERENCED /parameters/orphan']);
  });
});
