/**
 * The CLI as a newcomer meets it (issue 12): one argument parser, one finding format, one exit
 * code map, one input rule for every command; every YAML error; no catalog warnings for lone
 * files; versioned format names; --version; a closed pipe; a stale build.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { chooseEntry } from '../bin/choose-entry.js';
import { runCli } from '../src/cli/run.js';

const fixtures = fileURLToPath(new URL('fixtures/margo/', import.meta.url));
const root = fileURLToPath(new URL('..', import.meta.url));
const base = readFileSync(join(fixtures, 'base.yaml'), 'utf8');
const FINDING = /^[^:\n]+:\d+:\d+: (error|warning) [A-Z_]+: .+$/;

async function cli(cwd: string, ...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, {
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

function workspace(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'margo-first-hour-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

/** A child process of the real executable, with a bounded wait. */
function runBin(args: string[], options: { closeStdout?: boolean } = {}) {
  return new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/margo-bridge.js', ...args], { cwd: root, stdio: 'pipe' });
    let stdout = '';
    let stderr = '';
    if (options.closeStdout) child.stdout.destroy();
    else child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error('the process did not end within 30 s'));
    }, 30_000);
    child.on('exit', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

describe('findings', () => {
  it('every YAML error the parser finds, over-indentation explained, a misspelt key matched', async () => {
    const dir = workspace({
      'indent.yaml': base
        .replace('  version: 1.2.0\n', '    version: 1.2.0\n')
        .replace('deploymentProfiles:', 'deploymentProfiles: [\n  x: "'),
      'typo.yaml': base.replace('apiVersion: v1', 'apiVersions: v1'),
    });
    const indent = await cli(dir, 'validate', 'indent.yaml');
    const lines = indent.stdout.trim().split('\n');
    expect(lines.length).toBeGreaterThanOrEqual(2);
    for (const line of lines) expect(line).toMatch(/^indent\.yaml:\d+:\d+: error PARSE: /);
    expect(lines[0]).toContain(
      "line 7 is indented more than 'description' on line 6 (column 5 instead of 3), so YAML reads it as a mapping nested inside the value of 'description'",
    );
    const typo = await cli(dir, 'validate', 'typo.yaml');
    expect(typo.stdout).toContain(
      "typo.yaml:2:1: warning UNKNOWN_KEY: unknown key 'apiVersions' is ignored; did you mean 'apiVersion'? (at apiVersions)",
    );
  });

  it('--json sorts warnings and errors by position, as the text output does', async () => {
    // UNKNOWN_KEY (found by the schema, at the end) comes before VERSION (found by a rule, at the top).
    const dir = workspace({ 'margo.yaml': `${base.replace('apiVersion: v1', 'apiVersion: v9')}colour: blue\n` });
    const [report] = JSON.parse((await cli(dir, 'validate', '--json', 'margo.yaml')).stdout);
    const lines = report.warnings.map((warning: { line: number }) => warning.line);
    expect(report.warnings.map((warning: { code: string }) => warning.code)).toEqual(['VERSION', 'UNKNOWN_KEY']);
    expect(lines).toEqual([...lines].sort((a, b) => a - b));
  });

  it('catalog files are checked in a package directory, not for a lone file', async () => {
    const dir = workspace({ 'pkg/margo.yaml': base });
    const lone = JSON.parse((await cli(dir, 'validate', '--json', 'pkg/margo.yaml')).stdout);
    expect(lone[0].warnings).toEqual([]);
    const asPackage = JSON.parse((await cli(dir, 'validate', '--json', 'pkg')).stdout);
    expect(asPackage[0].warnings.map((warning: { code: string }) => warning.code)).toEqual(['CATALOG_FILE']);
  });

  it('validate, check-values and render print findings in the same form', async () => {
    const broken = base.replace('dataType: integer', 'dataType: int');
    const dir = workspace({ 'margo.yaml': broken, 'values.yaml': 'port: 1\n', out: '' });
    const validate = (await cli(dir, 'validate', 'margo.yaml')).stdout.trim();
    const check = (await cli(dir, 'check-values', 'margo.yaml', 'values.yaml')).stdout.trim();
    const render = await cli(dir, 'render', 'margo.yaml', '--profile', 'helm', '--target', 't', '--out', 'o');
    for (const line of validate.split('\n')) expect(line).toMatch(FINDING);
    expect(validate).toContain('error ENUM');
    // check-values reports the description's errors (its warnings do not stop the check).
    expect(check).toBe(
      validate
        .split('\n')
        .filter((line) => line.includes(': error '))
        .join('\n'),
    );
    expect(render.code).toBe(1);
    expect(render.stderr.trim()).toBe(validate);
  });
});

describe('one argument parser and one exit-code map', () => {
  it.each([
    [['validate', '--jsno', 'a.yaml'], "margo-bridge validate: unknown option '--jsno'; did you mean --json?"],
    [['check-values', 'a.yaml'], 'margo-bridge check-values: missing the values file'],
    [['schema', '--kind', 'chart'], "margo-bridge schema: unknown --kind 'chart'; use description or deployment"],
    [['poll', '--registry'], 'margo-bridge poll: --registry needs a value'],
    [['serve', '--demo=yes'], 'margo-bridge serve: --demo takes no value'],
    [['render', 'margo.yaml', '--profile', 'helm', '--target', 't'], 'margo-bridge render: missing --out'],
  ])('%j exits 2 with one line and the synopsis', async (args, message) => {
    const dir = workspace({ 'margo.yaml': base });
    const result = await cli(dir, ...args);
    expect(result.code).toBe(2);
    expect(result.stderr.split('\n')[0]).toBe(message);
    expect(result.stderr).toContain(`Run 'margo-bridge ${args[0]} --help' for details.`);
  });

  it('render takes a package directory, as validate and check-values do', async () => {
    const dir = workspace({ 'pkg/margo.yaml': base });
    const result = await cli(dir, 'render', 'pkg', '--profile', 'helm', '--target', 'edge-01', '--out', 'out');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('com-example-sensor-deployment');
  });
});

describe('render --format names', () => {
  async function deploymentOf(format: string[], description = base) {
    const dir = workspace({ 'margo.yaml': description });
    const result = await cli(
      dir,
      'render',
      'margo.yaml',
      '--profile',
      'helm',
      '--target',
      'edge-01',
      '--out',
      'out',
      ...format,
    );
    expect(result.code).toBe(0);
    const file = result.stdout.split('\n').find((path) => /deployment\.yaml$|ApplicationDeployment/.test(path));
    return parse(readFileSync(file ?? '', 'utf8')) as Record<string, unknown>;
  }

  it('the default follows the description: the newest deployment for a V5 description', async () => {
    const newest = await deploymentOf([]);
    expect(newest.apiVersion).toBeUndefined();
    expect(newest.id).toBeDefined();
    expect(await deploymentOf(['--format', 'margo-v1'])).toEqual({ ...newest, id: expect.any(String) });
  });

  it('margo-v1alpha1 writes the Git-era deployment; margo is its old name', async () => {
    const gitEra = await deploymentOf(['--format', 'margo-v1alpha1']);
    expect(gitEra.apiVersion).toBe('application.margo.org/v1alpha1');
    expect(Object.keys(await deploymentOf(['--format', 'margo']))).toEqual(Object.keys(gitEra));
  });

  it('help and the unknown-format message name the versioned formats', async () => {
    expect((await cli(root, 'render', '--help')).stdout).toContain('margo-v1alpha1  the Git-era');
    const dir = workspace({ 'margo.yaml': base });
    const result = await cli(
      dir,
      'render',
      'margo.yaml',
      '--profile',
      'helm',
      '--target',
      't',
      '--out',
      'o',
      '--format',
      'x',
    );
    expect(result.stderr).toContain("unknown --format 'x'; use margo-v1, margo-v1alpha1, flux, argocd");
  });
});

describe('the executable', () => {
  it('--version says which code runs', async () => {
    const result = await runBin(['--version']);
    expect(result.status).toBe(0);
    const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
    expect(result.stdout).toMatch(
      new RegExp(`^margo-bridge ${version.replaceAll('.', '\\.')} \\(running the (sources in src/|build in dist/)`),
    );
  });

  it('stops quietly when the reader closes the pipe (| head)', async () => {
    const result = await runBin(['schema'], { closeStdout: true });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it('runs dist/ only when it is not older than src/', () => {
    const dir = workspace({ 'src/cli/main.ts': '', 'dist/cli/main.js': '' });
    const past = new Date(Date.now() - 60_000);
    utimesSync(join(dir, 'dist/cli/main.js'), past, past);
    expect(chooseEntry(dir)).toEqual({ entry: 'src', stale: true });
    const now = new Date();
    utimesSync(join(dir, 'dist/cli/main.js'), now, now);
    utimesSync(join(dir, 'src/cli/main.ts'), past, past);
    expect(chooseEntry(dir)).toEqual({ entry: 'dist', stale: false });
    expect(chooseEntry(workspace({ 'src/cli/main.ts': '' }))).toEqual({ entry: 'src', stale: false });
    const image = workspace({ 'dist/cli/main.js': '' });
    expect(chooseEntry(image)).toEqual({ entry: 'dist', stale: false });
  });
});
