/**
 * Deployment repositories pre-configured in margo-bridge.yaml: created at start (a local one is
 * checked, which creates its bare repository), updated to the file's settings at the next start,
 * reported (not deleted) once the file no longer lists them; secrets never shown.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reconcileDeploymentRepositories } from '../src/flows/deployments/reconcile.js';
import { type Harness, startHarness } from './support/service-harness.js';

let harness: Harness;
const token = 'ghp_configured-secret-token';

beforeAll(async () => {
  harness = await startHarness({
    config: {
      deploymentRepositories: [
        { name: 'fleet', provider: 'local', format: 'flux', labels: ['a'] },
        {
          name: 'remote',
          provider: 'github',
          github: { owner: 'acme', repo: 'fleet', auth: { type: 'token', token } },
        },
      ],
    },
  });
});
afterAll(async () => {
  await harness?.close();
});

interface RepositoryBody {
  name: string;
  configured: boolean;
  labels: string[];
  credentials: Record<string, unknown>;
  settings: Record<string, unknown>;
}

describe('configured deployment repositories', () => {
  it('creates them at start, without showing their secrets', async () => {
    const listed = await harness.call<{ deploymentRepositories: RepositoryBody[] }>(
      'GET',
      '/api/v1/deployment-repositories',
    );
    expect(listed.body.deploymentRepositories.map((r) => [r.name, r.configured])).toEqual([
      ['fleet', true],
      ['remote', true],
    ]);
    expect(JSON.stringify(listed.body)).not.toContain(token);
    expect(listed.body.deploymentRepositories[1]!.credentials).toEqual({ auth: 'token' });
    expect(listed.body.deploymentRepositories[1]!.settings).toMatchObject({ owner: 'acme', repo: 'fleet' });
    const dataDir = harness.runtime.services.config.dataDir;
    expect(existsSync(join(dataDir, 'deployments', 'fleet.git', 'HEAD'))).toBe(true);
  });

  it('updates them to the file at the next start and reports those that left it', async () => {
    const { services } = harness.runtime;
    const summary = await reconcileDeploymentRepositories(services, [
      { name: 'fleet', provider: 'local', format: 'margo', labels: ['b'] },
    ]);
    expect(summary).toEqual({ created: [], updated: ['fleet'], orphaned: ['remote'] });
    const fleet = await services.store.deploymentRepositories.getByName('fleet');
    expect(fleet).toMatchObject({ format: 'margo', labels: ['b'] });
    expect(await services.store.deploymentRepositories.getByName('remote')).toBeDefined();
  });
});
