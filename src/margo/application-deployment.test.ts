/** Reading ApplicationDeployment files (§5.1, shapes D1–D5). */
import { describe, expect, it } from 'vitest';
import { Document } from 'yaml';
import { codes, validateEdited } from '../../test/support/margo-fixture.js';

const UUID = '3f0c8a52-6a7e-4c1b-9d3e-0b6f5d2a9c11';

function d1() {
  return {
    apiVersion: 'application.margo.org/v1alpha1',
    kind: 'ApplicationDeployment',
    metadata: {
      annotations: { applicationId: 'com-example-app', id: UUID },
      name: 'app-deployment',
      namespace: 'margo',
    },
    spec: {
      deploymentProfile: {
        type: 'helm.v3',
        components: [{ name: 'chart', properties: { repository: 'oci://x/chart', revision: '1.0.0', wait: true } }],
      },
      parameters: { greeting: { value: 'hi', targets: [{ pointer: 'app.greeting', components: ['chart'] }] } },
    },
  };
}

function check(change: (document: Document) => void) {
  return validateEdited(new Document(d1()), change);
}

describe('ApplicationDeployment shapes', () => {
  it('D1: annotations.id and annotations.applicationId', () => {
    expect(check(() => {})).toMatchObject({ kind: 'deployment', shape: 'D1', valid: true, errors: [] });
  });

  it('D3: top-level id; annotations.id, if present, must be the same (A-40)', () => {
    const moved = check((d) => {
      d.set('id', UUID);
      d.deleteIn(['metadata', 'annotations', 'id']);
    });
    expect(moved).toMatchObject({ shape: 'D3', valid: true });
    const different = check((d) => {
      d.set('id', '4f0c8a52-6a7e-4c1b-9d3e-0b6f5d2a9c11');
    });
    expect(codes(different.errors)).toEqual(['RULE /metadata/annotations/id']);
  });

  it('D4: top-level id and spec.applicationId', () => {
    const report = check((d) => {
      d.set('id', UUID);
      d.set('metadata', { name: 'x' });
      d.setIn(['spec', 'applicationId'], 'com-example-app');
    });
    expect(report).toMatchObject({ shape: 'D4', valid: true });
  });

  it('D5: no apiVersion/kind; namespace and deviceId required, deviceId pattern', () => {
    const d5 = (deviceId?: string) =>
      check((d) => {
        d.delete('apiVersion');
        d.delete('kind');
        d.set('id', UUID);
        d.set('metadata', { name: 'x', namespace: 'margo', ...(deviceId ? { deviceId } : {}) });
        d.setIn(['spec', 'applicationId'], 'com-example-app');
      });
    expect(d5('gateway-01/edge-01')).toMatchObject({ shape: 'D5', valid: true });
    expect(d5('gateway-01/*').valid).toBe(true);
    expect(codes(d5().errors)).toEqual(['REQUIRED /metadata/deviceId']);
    expect(codes(d5('bad id').errors)).toEqual(['PATTERN /metadata/deviceId']);
  });

  it('checks ids, the profile, parameters and package locations', () => {
    const report = check((d) => {
      d.setIn(['metadata', 'annotations', 'id'], 'not-a-uuid');
      d.setIn(['metadata', 'annotations', 'applicationId'], 'Com.Example');
      d.setIn(['spec', 'deploymentProfile', 'type'], 'quadlet');
      d.setIn(['spec', 'deploymentProfile', 'components', 0, 'properties', 'packageLocation'], '/var/lib/compose.yaml');
      d.setIn(['spec', 'parameters', 'greeting', 'targets', 0, 'components'], ['other']);
    });
    expect(codes(report.errors)).toEqual([
      'PATTERN /metadata/annotations/id',
      'PATTERN /metadata/annotations/applicationId',
      'ENUM /spec/deploymentProfile/type',
      'PATTERN /spec/deploymentProfile/components/0/properties/packageLocation',
      'REFERENCE /spec/parameters/greeting/targets/0/components/0',
    ]);
    expect(codes(check((d) => d.deleteIn(['spec', 'parameters'])).errors)).toEqual(['REQUIRED /spec/parameters']);
    expect(codes(check((d) => d.setIn(['spec', 'parameters'], {})).errors)).toEqual([]);
  });
});
