/**
 * Two changes of one deployment at the same time (two service processes, or two workers of one):
 * - two upgrade jobs, each for one of two new versions: whichever records first, the deployment
 *   ends proposed at the newest version, never moved back down by the other job's retry;
 * - two proposals carried out at once, the older one finishing last: they share a branch, so one
 *   at a time is carried out (the deployment's proposal lease), and the branch ends holding the
 *   newest proposal, which stays the open one.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeploymentProvider } from '../src/deploy/interface.js';
import { runProposal } from '../src/flows/deployments/propose.js';
import { proposeUpgrades } from '../src/flows/deployments/upgrade.js';
import {
  type CatalogueWorld,
  catalogueWorld,
  DIGITRON_ID,
  DIGITRON_VERSION,
  digitronValues,
} from './support/deployment-e2e.js';
import { nativeRepository } from './support/native-git.js';
import { exampleText, publishRelease, withVersion } from './support/registries.js';
import { DIGITRON } from './support/render.js';

let world: CatalogueWorld;

beforeAll(async () => {
  world = await catalogueWorld();
  const created = await world.harness.call('POST', '/api/v1/deployment-repositories', {
    name: 'fleet',
    provider: 'local',
    format: 'flux',
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const description = await exampleText(DIGITRON);
  for (const version of ['1.3.0', '1.4.0']) {
    // The chart revisions follow the version, so that each version renders other files.
    const text = withVersion(description, version).replace(/revision: \S+/g, `revision: ${version}`);
    await publishRelease(world.registryRoot, 'digitron', `v${version}`, { 'margo.yaml': text });
  }
  await world.harness.poll();
}, 60_000);

afterAll(async () => {
  await world?.close();
});

describe('upgrade jobs racing for one deployment', () => {
  // The newer job first: it records first, and the older one's retry must not undo it.
  for (const order of [
    ['1.4.0', '1.3.0'],
    ['1.3.0', '1.4.0'],
  ]) {
    it(`ends at the newest version when ${order.join(' and ')} are proposed at once`, async () => {
      const deployed = await world.harness.call<{ id: string; state: string }>('POST', '/api/v1/deployments', {
        repository: 'fleet',
        applicationId: DIGITRON_ID,
        version: DIGITRON_VERSION,
        profile: 'helm',
        target: `plant-${order[0]}`,
        values: digitronValues,
        upgradePolicy: 'minor',
      });
      expect(deployed.status, JSON.stringify(deployed.body)).toBe(201);
      const { services } = world.harness.runtime;
      const outcomes = await Promise.all(order.map((version) => proposeUpgrades(services, DIGITRON_ID, version)));
      const ofThis = outcomes.map((outcome) => outcome[deployed.body.id]);
      // A proposal that found the other one being carried out waits for its job: run it as the job would.
      for (const proposal of await services.store.proposals.listByDeployment(deployed.body.id)) {
        if (proposal.state === 'pending') await runProposal(services, proposal.id);
      }
      const view = await world.harness.call<{ version: string; proposal: { version: string; state: string } }>(
        'GET',
        `/api/v1/deployments/${deployed.body.id}`,
      );
      expect(view.body.proposal, JSON.stringify({ ofThis, view: view.body })).toMatchObject({
        version: '1.4.0',
        state: 'proposed',
      });
      expect(view.body.version).toBe('1.4.0');
      // The 1.4.0 job proposed; the 1.3.0 job either proposed first (then superseded) or stood aside.
      expect(ofThis[order.indexOf('1.4.0')]).toBe('proposed');
      const proposals = await services.store.proposals.listByDeployment(deployed.body.id);
      expect(proposals.filter((proposal) => proposal.version === '1.4.0')).toHaveLength(1);
      expect(proposals.filter((proposal) => proposal.state === 'proposed').map((proposal) => proposal.version)).toEqual(
        ['1.4.0'],
      );
    });
  }
});

describe('two proposals of one deployment carried out at once', () => {
  it('carries them out one at a time; the branch ends with the newest, which stays open', async () => {
    const { services } = world.harness.runtime;
    const deployed = await world.harness.call<{ id: string; proposal: { branch: string } }>(
      'POST',
      '/api/v1/deployments',
      {
        repository: 'fleet',
        applicationId: DIGITRON_ID,
        version: DIGITRON_VERSION,
        profile: 'helm',
        target: 'plant-gated',
        values: digitronValues,
      },
    );
    expect(deployed.status, JSON.stringify(deployed.body)).toBe(201);
    // The provider's pushes wait for the test: the first two in the order they arrive.
    const waiting: (() => void)[] = [];
    let gating = true;
    const original = services.deploymentProviders;
    services.deploymentProviders = (settings) => {
      const inner = original(settings);
      const gated: DeploymentProvider = Object.create(inner);
      gated.propose = async (input) => {
        if (gating && waiting.length < 2) await new Promise<void>((resolve) => waiting.push(resolve));
        return inner.propose(input);
      };
      return gated;
    };
    try {
      const patch = (version: string) =>
        world.harness.call('PATCH', `/api/v1/deployments/${deployed.body.id}`, { version });
      const older = patch('1.3.0');
      await until(() => waiting.length === 1);
      let newerDone = false;
      const newer = patch('1.4.0').finally(() => {
        newerDone = true;
      });
      await until(() => waiting.length === 2 || newerDone);
      // The newer push first, the older one last.
      waiting[1]?.();
      await newer;
      waiting[0]!();
      await older;
    } finally {
      gating = false;
      services.deploymentProviders = original;
    }
    // What the stand-by jobs do afterwards.
    for (const proposal of await services.store.proposals.listByDeployment(deployed.body.id)) {
      if (proposal.state === 'pending') await runProposal(services, proposal.id);
    }
    const [newest, ...rest] = await services.store.proposals.listByDeployment(deployed.body.id);
    expect(newest).toMatchObject({ version: '1.4.0', state: 'proposed' });
    expect(rest.map((proposal) => proposal.state)).not.toContain('proposed');
    const repo = nativeRepository(join(services.config.dataDir, 'deployments', 'fleet.git'));
    expect(await repo.head(deployed.body.proposal.branch)).toBe(newest!.commit);
  });
});

async function until(condition: () => boolean): Promise<void> {
  for (let tries = 0; tries < 200 && !condition(); tries++) await new Promise((resolve) => setTimeout(resolve, 10));
  expect(condition()).toBe(true);
}
