/** `margo-bridge render` end to end through the command table, on real files in a temporary folder. */
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { runCli } from '../src/cli/run.js';
import { kustomize } from './support/kustomize.js';
import { examplesDir } from './support/registries.js';
import { DIGITRON } from './support/render.js';

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

/** Every file under `root`, relative and sorted. */
function filesUnder(root: string): string[] {
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(root, join(entry.parentPath, entry.name)))
    .sort();
}

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
        'kustomization.yaml',
        'margo-bridge.json',
        'values/database-services.yaml',
        'values/digitron-orchestrator.yaml',
      ]
        .map((file) => join(dir, 'out', deploymentPath, file))
        .concat(['kustomization.yaml', 'namespaces.yaml'].map((file) => join(dir, 'out', 'plant-a/line-3', file))),
    );
    const deployment = parse(readFileSync(printed[0] as string, 'utf8'));
    expect(deployment.metadata.namespace).toBe('margo-poc');
    expect(deployment.spec.parameters.pollFrequency.value).toBe(120);
  });

  it.each([
    ['--previous', ['--previous', 'previous.yaml']],
    ['the ApplicationDeployment already in --out', []],
  ])('%s keeps the id of the existing deployment and refuses an immutable change', async (_, previous) => {
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
    const again = await cli([...args, ...previous], dir);
    expect(again.code).toBe(0);
    expect(parse(readFileSync(file, 'utf8')).metadata.annotations.id).toBe(id);

    writeFileSync(join(dir, 'values.yaml'), goodValues.replace('idpName: Azure AD', 'idpName: Okta'));
    const changed = await cli([...args, ...previous], dir);
    expect(changed.code).toBe(1);
    expect(changed.stderr).toContain('IMMUTABLE_SETTING');
    expect(changed.stderr).toContain('idpName');
  });

  it('--out removes the files it wrote before and no longer renders, and only those', async () => {
    const dir = workspace();
    const folder = join(dir, 'out', deploymentPath);
    const flux = renderArgs('helm', 'plant-a/line-3', '--namespace', 'margo-poc', '--format', 'flux', '--out', 'out');
    expect((await cli(flux, dir)).code).toBe(0);
    writeFileSync(join(folder, 'values', 'notes.txt'), 'mine\n');
    writeFileSync(join(folder, 'README.md'), 'mine\n');
    const margo = renderArgs('compose', 'plant-a/line-3', '--namespace', 'margo-poc', '--out', 'out');
    const result = await cli(margo, dir);
    expect(result.code).toBe(0);
    expect(filesUnder(join(dir, 'out'))).toEqual([
      `${deploymentPath}/README.md`,
      `${deploymentPath}/application-deployment.yaml`,
      `${deploymentPath}/env/digitron-orchestrator-docker.env`,
      `${deploymentPath}/kustomization.yaml`,
      `${deploymentPath}/margo-bridge.json`,
      `${deploymentPath}/values/notes.txt`,
      'plant-a/line-3/kustomization.yaml',
    ]);
    expect(existsSync(join(folder, 'flux'))).toBe(false);
    expect(kustomize(join(dir, 'out', 'plant-a/line-3'))).toEqual([]);
  });

  it('--out keeps one target index for several deployments, which kubectl kustomize builds', async () => {
    const dir = workspace();
    const other = readFileSync(description, 'utf8').replaceAll(
      'com-northstartida-digitron-orchestrator',
      'com-example-other',
    );
    writeFileSync(join(dir, 'other.yaml'), other);
    const more = ['--namespace', 'margo-poc', '--format', 'argocd', '--out', 'out'];
    expect((await cli(renderArgs('helm', 'plant-a/line-3', ...more), dir)).code).toBe(0);
    const second = await cli(['other.yaml', ...renderArgs('helm', 'plant-a/line-3', ...more).slice(1)], dir);
    expect(second.stderr).toBe('');
    expect(second.code).toBe(0);
    const index = parse(readFileSync(join(dir, 'out', 'plant-a/line-3/kustomization.yaml'), 'utf8'));
    expect(index.resources).toEqual([
      'com-example-other-deployment',
      'com-northstartida-digitron-orchestrator-deployment',
    ]);
    const objects = kustomize(join(dir, 'out', 'plant-a/line-3'));
    expect(objects.map((object) => object.kind)).toEqual(['Application', 'Application', 'Application', 'Application']);
  });

  it('exits 1 with the validation errors for invalid values', async () => {
    const dir = workspace(goodValues.replace('pollFrequency: 120', 'pollFrequency: 12'));
    const result = await cli(renderArgs('helm', 't', '--out', 'out'), dir);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('INVALID_VALUES');
    // The finding format of validate, at the value's position in the values file.
    expect(result.stderr).toMatch(/^values\.yaml:9:16: error VALUE_\w+: Poll Frequency.* \(at pollFrequency\)$/m);
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
    [['--profile', 'helm', '--target', 't', '--out', 'o'], 'missing the description'],
    [[description, '--profile', 'helm', '--out', 'o'], 'missing --target'],
    [
      [description, '--profile', 'helm', '--target', 't', '--out', 'o', '--format', 'kustomize'],
      "unknown --format 'kustomize'",
    ],
    [[description, '--profile', 'helm', '--target', 't', '--out', 'o', '--colour'], "unknown option '--colour'"],
    [
      [description, '--profile', 'helm', '--profile', 'compose', '--target', 't', '--out', 'o'],
      '--profile is given more than once',
    ],
    [
      [description, '--profile', 'helm', '--target', 't', '--out', 'values.yaml'],
      '--out values.yaml is a file; give a directory',
    ],
    [[description, '--profile', 'helm', '--target', '../escape', '--out', 'o'], 'INVALID_TARGET'],
    [[description, '--profile', 'quadlet', '--target', 't', '--out', 'o'], 'PROFILE_NOT_FOUND'],
    [['missing.yaml', '--profile', 'helm', '--target', 't', '--out', 'o'], 'missing.yaml: no such file or directory'],
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
