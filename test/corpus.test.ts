/**
 * The example corpus (shared/margo-examples and its INDEX.tsv): every file of INDEX.tsv gets
 * its verdict, its classification and each expected finding (code and path, not wording).
 */
import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { type DocumentReport, descriptionJsonSchema, validateDocument } from '../src/margo/index.js';

const corpus = new URL('../../shared/margo-examples/', import.meta.url);
const read = (file: string) => readFileSync(new URL(file, corpus), 'utf8');

/** A placeholder file validated with each `{{NAME}}` (its first occurrence) replaced by a real value. */
function validateRepaired(file: string, values: Record<string, string>): DocumentReport {
  let text = read(file);
  for (const [name, value] of Object.entries(values)) text = text.replace(`{{${name}}}`, value);
  return validateDocument(text);
}

interface Row {
  file: string;
  docType: string;
  parses: boolean;
  expected: string;
}

const rows: Row[] = read('INDEX.tsv')
  .trim()
  .split('\n')
  .slice(1)
  .map((line) => {
    const [file = '', docType = '', , parses = '', expected = ''] = line.split('\t');
    return { file, docType, parses: parses === 'yes', expected };
  });

type Finding = { code: string; pointer?: string; severity?: 'error' | 'warning'; line?: number; column?: number };

/** Expected findings by a unique part of the file name (§8.2, §8.3); parse positions are this parser's. */
const findings: Record<string, Finding[]> = {
  'e9e2e23-2024-05_application-package-definition_nginx': [{ code: 'UNSUPPORTED_SHAPE', pointer: '' }],
  'invalid_ApplicationDescription-001@48653287': [
    { code: 'PATTERN', pointer: '/id' },
    { code: 'LEGACY_SPELLING', pointer: '/deploymentProfiles/0/type', severity: 'warning' },
    {
      code: 'LEGACY_SPELLING',
      pointer: '/deploymentProfiles/1/components/0/properties/packageLocation',
      severity: 'warning',
    },
  ],
  'invalid_ApplicationDescription-002@0496e042': [{ code: 'PATTERN', pointer: '/id' }],
  'helm_and_compose@3924f4e8': [
    { code: 'ENUM', pointer: '/deploymentProfiles/0/requiredResources/cpu/architectures/1' },
  ],
  'Application-Supplier_margo-package': [
    { code: 'REQUIRED', pointer: '/apiVersion' },
    { code: 'UNKNOWN_KEY', pointer: '/apiVersions', severity: 'warning' },
  ],
  'rok-dukec_test': [{ code: 'REQUIRED', pointer: '/metadata/catalog' }],
  SENSOR_DASHBOARD_APP_YAML: [
    { code: 'ENUM', pointer: '/deploymentProfiles/4/type' },
    { code: 'ENUM', pointer: '/deploymentProfiles/5/type' },
    { code: 'ENUM', pointer: '/deploymentProfiles/6/type' },
    { code: 'PLACEHOLDER', pointer: '/metadata/version' },
    ...[
      [0, 0],
      [1, 0],
      [2, 0],
      [3, 0],
      [3, 1],
      [3, 2],
      [4, 0],
      [5, 0],
      [6, 0],
      [6, 1],
      [6, 2],
    ].map(([p, c]) => ({
      code: 'PLACEHOLDER',
      pointer: `/deploymentProfiles/${p}/components/${c}/properties/revision`,
    })),
  ],
  VALID_APP_YAML: [
    { code: 'REQUIRED', pointer: '/deploymentProfiles/0/components/0/properties/revision' },
    { code: 'POINTER_NAMESPACE', pointer: '/parameters/testParam/targets/0/pointer', severity: 'warning' },
  ],
  WRONG_KIND_APP_YAML: [{ code: 'NOT_MARGO', pointer: '' }],
  'MARGO_YAML_build-config': [{ code: 'NOT_MARGO', pointer: '' }],
  'invalid_DesiredState-001@145da991': [{ code: 'NOT_MARGO', pointer: '' }],
  'invalid_DesiredState-002@145da991': [{ code: 'PATTERN', pointer: '/metadata/annotations/applicationId' }],
  'invalid_DesiredState-003@145da991': [{ code: 'PATTERN', pointer: '/metadata/annotations/applicationId' }],
  'invalid_DesiredState-004@145da991': [{ code: 'PATTERN', pointer: '/id' }],
  'multi-component-app-deployment': [
    { code: 'UNSUPPORTED_SHAPE', pointer: '/spec/appPackageRef' },
    { code: 'REQUIRED', pointer: '/metadata/annotations/applicationId' },
    { code: 'REQUIRED', pointer: '/spec/parameters' },
    { code: 'PATTERN', pointer: '/metadata/annotations/id' },
  ],
  'mock-wfm_mock-data_deployments_compose-sample': [
    { code: 'UNSUPPORTED_SHAPE', pointer: '/spec/appPackageRef' },
    { code: 'REQUIRED', pointer: '/metadata/annotations/applicationId' },
    { code: 'REQUIRED', pointer: '/spec/parameters' },
    { code: 'PATTERN', pointer: '/spec/deploymentProfile/components/0/properties/packageLocation' },
  ],
  // §8.3: not valid YAML; positions pinned for the `yaml` package plus the key rule.
  'valid_ApplicationDescription-002@aae95624': [{ code: 'PARSE', line: 58, column: 33 }],
  'template.ApplicationDeployment': [{ code: 'PARSE', line: 20, column: 19 }],
  'FLECS-Technologies': [{ code: 'PARSE', line: 10, column: 1 }],
  'nextcloud-compose_margo': [{ code: 'PARSE', line: 28, column: 24 }],
  'custom-otel-helm-app_margo': [{ code: 'PARSE', line: 27, column: 24 }],
  'deployment-template-app-a': [{ code: 'PARSE', line: 4, column: 10 }],
};

function expectedFindings(file: string): Finding[] {
  const keys = Object.keys(findings).filter((key) => file.includes(key));
  expect(keys.length, `one expectation entry matches ${file}`).toBeLessThanOrEqual(1);
  return keys[0] ? (findings[keys[0]] ?? []) : [];
}

function hasFinding(report: DocumentReport, finding: Finding): boolean {
  const pool = finding.severity === 'warning' ? report.warnings : report.errors;
  return pool.some(
    (issue) =>
      issue.code === finding.code &&
      (finding.pointer === undefined || issue.pointer === finding.pointer) &&
      (finding.line === undefined || issue.line === finding.line) &&
      (finding.column === undefined || issue.column === finding.column),
  );
}

describe('the example corpus (INDEX.tsv)', () => {
  it('lists the 40 files of the reference', () => {
    expect(rows).toHaveLength(40);
  });

  for (const row of rows) {
    it(`${row.expected}: ${row.file}`, () => {
      const report = validateDocument(read(row.file));
      const accepted = ['valid', 'legacy-valid', 'mostly'].includes(row.expected);
      if (accepted) {
        expect(report.errors).toEqual([]);
        expect(report.valid).toBe(true);
      } else {
        expect(report.valid).toBe(false);
        expect(report.errors.length).toBeGreaterThan(0);
      }
      const expected = expectedFindings(row.file);
      if (!accepted) expect(expected.length, 'every rejected file has expected findings').toBeGreaterThan(0);
      for (const finding of expected) {
        expect(
          hasFinding(report, finding),
          `${JSON.stringify(finding)} in ${JSON.stringify(report.errors.concat(report.warnings))}`,
        ).toBe(true);
      }
      if (!row.parses) {
        expect(report.kind).toBe('unparseable');
        expect(report.errors[0]?.line).toBeGreaterThan(0);
      } else if (expected.some((finding) => finding.code === 'NOT_MARGO') || row.docType === 'other') {
        expect(report.kind).toBe('not-margo');
      } else {
        expect(report.kind).toBe(row.docType);
      }
      if (report.kind === 'description' && report.shape !== null) expect(report.description).not.toBeNull();
      for (const issue of report.errors.concat(report.warnings)) expect(issue.line).toBeGreaterThan(0);
    });
  }

  it('accepts the intended-valid V5 file once line 59 loses its two extra spaces', () => {
    const lines = read('margo-specification_src-applications_valid_ApplicationDescription-002@aae95624.yaml').split(
      '\n',
    );
    expect(lines[58]).toMatch(/^ {24}values: \["NVIDIA"\]$/);
    lines[58] = (lines[58] ?? '').replace('  values:', 'values:');
    const report = validateDocument(lines.join('\n'));
    expect(report.errors).toEqual([]);
    expect(report.shape).toBe('V5');
    expect(report.description?.profiles.map((profile) => profile.id)).toEqual([
      'com-northstartida-digitron-orchestrator-helm-a',
      'com-northstartida-digitron-orchestrator-compose-a',
    ]);
  });

  it('still rejects the placeholder files once repaired, for their remaining faults (§8.3)', () => {
    const report = validateRepaired('margo-sandbox_poc-tests-artefacts_nextcloud-compose_margo.yaml', {
      NEXTCLOUD_COMPOSE_REPOSITORY: 'oci://registry.example.com/nextcloud',
      NEXTCLOUD_COMPOSE_REVISION: '1.0.0',
    });
    expect(
      hasFinding(report, { code: 'PATTERN', pointer: '/deploymentProfiles/0/components/0/properties/timeout' }),
    ).toBe(true);
    expect(report.warnings.some((issue) => issue.code === 'POINTER_NAMESPACE')).toBe(true);

    const otelReport = validateRepaired('margo-sandbox_poc-tests-artefacts_custom-otel-helm-app_margo.yaml', {
      HELM_REPOSITORY: 'oci://registry.example.com/otel',
      HELM_REVISION: '0.1.0',
    });
    expect(
      hasFinding(otelReport, { code: 'REFERENCE', pointer: '/parameters/otlpEndpoint/targets/0/components/0' }),
    ).toBe(true);
    expect(
      hasFinding(otelReport, { code: 'ENUM', pointer: '/deploymentProfiles/0/requiredResources/cpu/architectures/1' }),
    ).toBe(true);
  });

  it('reads V1 version 1.0 (a YAML float) as the text 1.0', () => {
    const report = validateDocument(
      read('margo-specification_pre-draft_application-package-definition_hello-world.margo.yaml'),
    );
    expect(report.shape).toBe('V1');
    expect(report.description?.metadata.version).toBe('1.0');
    expect(report.description?.profiles[0]).toMatchObject({ id: 'helm', type: 'helm', typeAsWritten: 'helm.v3' });
  });
});

describe('the JSON Schema (checked with ajv, draft 2020-12)', () => {
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  const check = ajv.compile(descriptionJsonSchema());
  const descriptions = rows.filter((row) => row.parses && row.docType !== 'deployment');

  for (const row of descriptions) {
    const accepted = ['valid', 'legacy-valid', 'mostly'].includes(row.expected);
    it(`${accepted ? 'accepts' : 'rejects'} ${row.file}`, () => {
      expect(check(parse(read(row.file))), JSON.stringify(check.errors)).toBe(accepted);
    });
  }

  it('is generated, draft 2020-12, and allows x-…-extensions by pattern', () => {
    const schema = descriptionJsonSchema();
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    const document = parse(read('third-party_nhat-14_gh-actions-test_margo.yaml'));
    expect(check({ ...document, 'x-acme-extensions': { a: 1 } })).toBe(true);
    expect(check({ ...document, 'x-acme-extensions': 'text' })).toBe(false);
  });
});
