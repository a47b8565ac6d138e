/** The validate, check-values and schema commands: a stable contract for Application Developers' scripts. */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCli } from '../src/cli/run.js';

const fixtures = fileURLToPath(new URL('fixtures/margo/', import.meta.url));
const examples = fileURLToPath(new URL('../../shared/margo-examples/', import.meta.url));
const root = fileURLToPath(new URL('..', import.meta.url));

async function cli(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, {
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
    cwd: fixtures,
    env: {},
  });
  return { code, stdout, stderr };
}

const PROBLEM_LINE = /^[^:\n]+:\d+:\d+: (error|warning) [A-Z_]+: .+$/;

describe('margo-bridge validate', () => {
  it('exits 0 and prints no problem lines for a valid description', async () => {
    const result = await cli('validate', 'base.yaml');
    expect(result).toMatchObject({ code: 0, stdout: '' });
    expect(result.stderr).toContain('1 checked, 0 invalid');
  });

  it('exits 1 with file:line:column lines for an invalid one', async () => {
    const result = await cli('validate', `${examples}third-party_rok-dukec_test_margo.yaml`, 'base.yaml');
    expect(result.code).toBe(1);
    const lines = result.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(PROBLEM_LINE);
    expect(lines[0]).toContain('third-party_rok-dukec_test_margo.yaml:3:1: error REQUIRED: ');
  });

  it('prints the JSON array of reports with --json', async () => {
    const result = await cli(
      'validate',
      '--json',
      'base.yaml',
      `${examples}margo-sandbox_poc-tests-artefacts_nextcloud-compose_margo.yaml`,
    );
    expect(result.code).toBe(1);
    const reports = JSON.parse(result.stdout);
    expect(reports).toHaveLength(2);
    expect(reports[0]).toEqual({ file: 'base.yaml', valid: true, shape: 'V5', errors: [], warnings: [] });
    expect(reports[1]).toMatchObject({ valid: false, shape: null, errors: [{ code: 'PARSE', line: 28, column: 24 }] });
  });

  it('takes a package root: margo.yaml, else the one description among its YAML files', async () => {
    const withMargo = JSON.parse((await cli('validate', '--json', 'package')).stdout);
    expect(withMargo[0]).toMatchObject({ file: 'package/margo.yaml', valid: true });
    // catalog files are looked up in the package; a missing one is a warning.
    expect(withMargo[0].warnings).toEqual([
      expect.objectContaining({ code: 'CATALOG_FILE', path: 'metadata.catalog.application.icon' }),
    ]);
    const picked = JSON.parse((await cli('validate', '--json', 'package-no-margo-yaml')).stdout);
    expect(picked[0]).toMatchObject({ file: 'package-no-margo-yaml/app-description.yaml', valid: true });
  });

  it('fails a package root with several descriptions, listing them', async () => {
    const result = await cli('validate', 'package-two');
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^package-two:0:0: error NO_DESCRIPTION: .*a\.yaml, b\.yml/);
  });

  it('exits 2 on usage errors', async () => {
    expect((await cli('validate')).code).toBe(2);
    expect((await cli('validate', '--strict', 'base.yaml')).code).toBe(2);
    const missing = await cli('validate', 'missing.yaml');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('missing.yaml: no such file or directory');
  });

  it('prints help', async () => {
    const result = await cli('validate', '--help');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Usage: margo-bridge validate');
  });
});

describe('margo-bridge check-values', () => {
  it('exits 0 for good values', async () => {
    expect(await cli('check-values', 'base.yaml', 'values-good.yaml')).toMatchObject({ code: 0, stdout: '' });
  });

  it('exits 1 and prints { valid, errors } with --json', async () => {
    const result = await cli('check-values', '--json', 'base.yaml', 'values-bad.yaml');
    expect(result.code).toBe(1);
    const body = JSON.parse(result.stdout);
    expect(body.valid).toBe(false);
    // Sorted by position in the values file, each with its line and column.
    expect(
      body.errors.map(
        (e: { parameter: string; code: string; line: number; column: number }) =>
          `${e.line}:${e.column} ${e.parameter} ${e.code}`,
      ),
    ).toEqual([
      '1:11 greeting VALUE_LENGTH',
      '2:7 port VALUE_TYPE',
      '3:8 ratio VALUE_PRECISION',
      '4:9 colour VALUE_UNKNOWN',
    ]);
    expect(Object.keys(body.errors[0]).sort()).toEqual([
      'code',
      'column',
      'file',
      'line',
      'message',
      'parameter',
      'path',
    ]);
  });

  it('prints one line per problem without --json', async () => {
    const result = await cli('check-values', 'base.yaml', 'values-bad.yaml');
    const lines = result.stdout.trim().split('\n');
    expect(lines).toHaveLength(4);
    for (const line of lines) expect(line).toMatch(PROBLEM_LINE);
    expect(lines[3]).toMatch(/^values-bad\.yaml:4:9: error VALUE_UNKNOWN: .* \(at colour\)$/);
  });

  it('rejects an invalid description before looking at values', async () => {
    const result = await cli(
      'check-values',
      '--json',
      `${examples}third-party_rok-dukec_test_margo.yaml`,
      'values-good.yaml',
    );
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout).errors[0]).toMatchObject({ parameter: '', code: 'REQUIRED', line: 3, column: 1 });
  });

  it('says so when the values file is an application description', async () => {
    const result = await cli('check-values', 'base.yaml', 'base.yaml');
    expect(result.code).toBe(1);
    expect(result.stdout).toBe(
      'base.yaml:1:1: error NOT_VALUES: this is an application description, not a values file; a values file maps parameter names to values (parameter: value)\n',
    );
  });

  it('takes a package directory as the description, like validate', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'margo-package-'));
    copyFileSync(join(fixtures, 'base.yaml'), join(dir, 'margo.yaml'));
    expect(await cli('check-values', dir, 'values-good.yaml')).toMatchObject({ code: 0, stdout: '' });
    expect((await cli('check-values', dir, 'values-bad.yaml')).code).toBe(1);
  });

  it('exits 2 on usage errors and prints help', async () => {
    expect((await cli('check-values', 'base.yaml')).code).toBe(2);
    expect((await cli('check-values', 'base.yaml', 'nope.yaml')).code).toBe(2);
    expect((await cli('check-values', '--help')).stdout).toContain('Usage: margo-bridge check-values');
  });
});

describe('margo-bridge schema', () => {
  it('prints the JSON Schema', async () => {
    const result = await cli('schema');
    expect(result.code).toBe(0);
    const schema = JSON.parse(result.stdout);
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema.required).toEqual(expect.arrayContaining(['apiVersion', 'metadata', 'deploymentProfiles']));
    expect((await cli('schema', 'extra')).code).toBe(2);
    const deployment = JSON.parse((await cli('schema', '--kind', 'deployment')).stdout);
    expect(deployment).toMatchObject({ title: 'Margo ApplicationDeployment', required: ['metadata', 'spec'] });
    expect(JSON.parse((await cli('schema', '--kind=description')).stdout)).toEqual(schema);
  });
});

describe('the real executable', () => {
  it('returns exit codes 0, 1 and 2 from a real process', () => {
    const run = (...args: string[]) =>
      spawnSync(process.execPath, ['bin/margo-bridge.js', ...args], { cwd: root, encoding: 'utf8', timeout: 20_000 });
    const valid = run('validate', `${fixtures}base.yaml`);
    expect(valid.status).toBe(0);
    const invalid = run('validate', `${examples}third-party_rok-dukec_test_margo.yaml`);
    expect(invalid.status).toBe(1);
    expect(invalid.stdout).toMatch(/:3:1: error REQUIRED: /);
    expect(run('validate').status).toBe(2);
  });
});
