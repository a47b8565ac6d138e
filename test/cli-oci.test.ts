/** `margo-bridge fetch oci://…` and `margo-bridge validate oci://…` against the real registry. */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../src/cli/run.js';
import { pushPackage } from './support/oci-push.js';
import { OCI_PASSWORD, OCI_USER, type OciRegistry, startOciRegistry } from './support/oci-registry.js';
import { fixturePackage, helloPackage } from './support/registries.js';

describe('CLI over OCI registries', () => {
  let registry: OciRegistry;
  let dir: string;
  const env = { MARGO_BRIDGE_OCI_USERNAME: OCI_USER, MARGO_BRIDGE_OCI_PASSWORD: OCI_PASSWORD };
  const local = ['--plain-http', '--allow-private-networks'];

  async function cli(args: string[], withEnv: Record<string, string> = env) {
    let stdout = '';
    let stderr = '';
    const code = await runCli(args, {
      stdout: (text) => {
        stdout += text;
      },
      stderr: (text) => {
        stderr += text;
      },
      cwd: dir,
      env: withEnv,
    });
    return { code, stdout, stderr };
  }
  const reference = (name: string, tag: string) => `oci://${registry.origin.replace('http://', '')}/${name}:${tag}`;

  beforeAll(async () => {
    registry = await startOciRegistry({ auth: 'htpasswd' });
    dir = await mkdtemp(join(tmpdir(), 'mb-cli-oci-'));
    await pushPackage(registry, 'apps/hello', '1.0.0', {
      ...(await helloPackage('1.0.0')),
      ...(await fixturePackage('resources')),
    });
    await pushPackage(registry, 'apps/broken', '1.0.0', await helloPackage('1.0.0'), { withoutDescription: true });
  }, 30_000);
  afterAll(async () => {
    await registry.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('fetch writes the package directory, which validate then accepts', async () => {
    const fetched = await cli(['fetch', reference('apps/hello', '1.0.0'), 'hello', ...local]);
    expect(fetched.code, fetched.stderr).toBe(0);
    expect(fetched.stderr).toContain('5 files');
    const logo = await readFile(join(dir, 'hello/resources/hw-logo.png'));
    const resources = await fixturePackage('resources');
    expect(logo.equals(Buffer.from(resources['resources/hw-logo.png'] as Uint8Array))).toBe(true);
    expect((await cli(['validate', 'hello'])).code).toBe(0);
    const again = await cli(['fetch', reference('apps/hello', '1.0.0'), 'hello', ...local]);
    expect(again.code).toBe(2);
  });

  it('validate reads an oci:// reference; a package without description is invalid', async () => {
    const valid = await cli(['validate', reference('apps/hello', '1.0.0'), ...local, '--json']);
    expect(valid.code, valid.stderr).toBe(0);
    expect(JSON.parse(valid.stdout)).toMatchObject([{ valid: true, errors: [] }]);
    const broken = await cli(['validate', reference('apps/broken', '1.0.0'), ...local]);
    expect(broken.code).toBe(1);
    expect(broken.stdout).toContain('NO_DESCRIPTION');
  });

  it('takes credentials from the environment only and keeps the address guard by default', async () => {
    const anonymous = await cli(['validate', reference('apps/hello', '1.0.0'), ...local], {});
    expect(anonymous.code).toBe(1);
    expect(anonymous.stdout).toContain('REGISTRY_AUTH');
    const guarded = await cli(['validate', reference('apps/hello', '1.0.0'), '--plain-http']);
    expect(guarded.stdout).toContain('ADDRESS_REFUSED');
    expect((await cli(['fetch', 'https://example.com/x', 'out'])).code).toBe(2);
  });
});
