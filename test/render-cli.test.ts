/** `margo-bridge render` end to end through the command table, on real files in a temporary folder. */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { runCli } from '../src/cli/run.js';
import { DIGITRON } from './render-support.js';
import { examplesDir } from './support/registries.js';

const description = fileURLToPath(new URL(DIGITRON, examplesDir));
const goodValues = `adminName: Some One
adminPrincipalName: someone@somewhere.com
cpuLimit: 4
idpClientId: 123-ABC
idpName: Azure AD
idpProvider: aad
idpUrl: https://123-abc.com
memoryLimit: 16384
pollFrequency: 120
siteId: SID-123-ABC
`;

async function cli(args: string[], cwd: string) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(['render', ...args], {
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
    cwd,
    env: {},
  });
  return { code, stdout, stderr };
}

function workspace(values = goodValues): string {
  const dir = mkdtempSync(join(tmpdir(), 'margo-render-cli-'));
  writeFileSync(join(dir, 'values.yaml'), values);
  return dir;
}

/** Render arguments: the digitron description with the workspace's values.yaml, then `more`. */
function renderArgs(profile: string, target: string, ...more: string[]): string[] {
  return [description, '--values', 'values.yaml', '--profile', profile, '--target', target, ...more];
}

const deploymentPath = 'plant-a/line-3/com-northstartida-digitron-orchestrator-deployment';

describe('margo-bridge render', () => {
  it('writes the files and prints their paths', async () => {
    const dir = workspace();
    const result = await cli(
      renderArgs('helm', 'plant-a/line-3', '--namespace', 'margo-poc', '--format', 'flux', '--out', 'out'),
      dir,
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const printed = result.stdout.trim().split('\n');
    expect(printed).toEqual(
      [
        'application-deployment.yaml',
        'flux/database-services.helmrelease.yaml',
        'flux/database-services.source.yaml',
        'flux/digitron-orchestrator.helmrelease.yaml',
        'flux/digitron-orchestrator.source.yaml',
        'values/database-services.yaml',
        'values/digitron-orchestrator.yaml',
      ].map((file) => join(dir, 'out', deploymentPath, file)),
    );
    const deployment = parse(readFileSync(printed[0] as string, 'utf8'));
    expect(deployment.metadata.namespace).toBe('margo-poc');
    expect(deployment.spec.parameters.pollFrequency.value).toBe(120);
  });

  it('--previous keeps the id of the existing deployment and refuses an immutable change', async () => {
    const dir = workspace();
    const args = renderArgs('compose', 'edge-1', '--out', 'out');
    const first = await cli(args, dir);
    expect(first.code).toBe(0);
    const file = join(
      dir,
      'out',
      'edge-1',
      'com-northstartida-digitron-orchestrator-deployment',
      'application-deployment.yaml',
    );
    const id = parse(readFileSync(file, 'utf8')).metadata.annotations.id;
    writeFileSync(join(dir, 'previous.yaml'), readFileSync(file));
    const again = await cli([...args, '--previous', 'previous.yaml'], dir);
    expect(again.code).toBe(0);
    expect(parse(readFileSync(file, 'utf8')).metadata.annotations.id).toBe(id);

    writeFileSync(join(dir, 'values.yaml'), goodValues.replace('idpName: Azure AD', 'idpName: Okta'));
    const changed = await cli([...args, '--previous', 'previous.yaml'], dir);
    expect(changed.code).toBe(1);
    expect(changed.stderr).toContain('IMMUTABLE_SETTING');
    expect(changed.stderr).toContain('idpName');
  });

  it('exits 1 with the validation errors for invalid values', async () => {
    const dir = workspace(goodValues.replace('pollFrequency: 120', 'pollFrequency: 12'));
    const result = await cli(renderArgs('helm', 't', '--out', 'out'), dir);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('INVALID_VALUES');
    expect(result.stderr).toMatch(/pollFrequency: VALUE_\w+: Poll Frequency/);
    expect(result.stdout).toBe('');
  });

  it('exits 1 for a values file that does not parse, with its position', async () => {
    const dir = workspace('pollFrequency: [\n');
    const result = await cli(renderArgs('helm', 't', '--out', 'out'), dir);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/values\.yaml:\d+:\d+: error PARSE/);
  });

  it('exits 1 for a --previous file that is not an ApplicationDeployment', async () => {
    const dir = workspace();
    writeFileSync(join(dir, 'previous.yaml'), 'kind: Nothing\n');
    const result = await cli(renderArgs('helm', 't', '--previous', 'previous.yaml', '--out', 'o'), dir);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('the previous deployment is');
  });

  it('exits 1 for an invalid description', async () => {
    const dir = workspace();
    writeFileSync(join(dir, 'margo.yaml'), 'kind: SomethingElse\n');
    const result = await cli(['margo.yaml', '--profile', 'helm', '--target', 't', '--out', 'out'], dir);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('NOT_MARGO');
  });

  it.each([
    [['--profile', 'helm', '--target', 't', '--out', 'o'], 'exactly one description'],
    [[description, '--profile', 'helm', '--out', 'o'], 'missing --target'],
    [
      [description, '--profile', 'helm', '--target', 't', '--out', 'o', '--format', 'kustomize'],
      "unknown --format 'kustomize'",
    ],
    [[description, '--profile', 'helm', '--target', 't', '--out', 'o', '--colour'], "Unknown option '--colour'"],
    [[description, '--profile', 'helm', '--target', '../escape', '--out', 'o'], 'INVALID_TARGET'],
    [[description, '--profile', 'quadlet', '--target', 't', '--out', 'o'], 'PROFILE_NOT_FOUND'],
    [
      ['missing.yaml', '--profile', 'helm', '--target', 't', '--out', 'o'],
      'cannot read description missing.yaml (ENOENT)',
    ],
  ])('exits 2 for usage errors: %j', async (args, message) => {
    const result = await cli(args, workspace());
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
  });

  it('is listed in the command table with its help', async () => {
    const result = await cli(['--help'], tmpdir());
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('--format <f>');
  });
});
