/**
 * Two upgrade jobs for one deployment at the same time (two service processes, or two workers of
 * one, each ingesting one of two new versions): whichever records first, the deployment ends
 * proposed at the newest version, never moved back down by the other job's retry.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runProposal } from '../src/flows/deployments/propose.js';
import { proposeUpgrades } from '../src/flows/deployments/upgrade.js';
import {
  type CatalogueWorld,
  catalogueWorld,
  DIGITRON_ID,
  DIGITRON_VERSION,
  digitronValues,
} from './support/deployment-e2e.js';
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
