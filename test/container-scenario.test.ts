/**
 * The end-to-end scenario (test/support/scenario.ts, as on Node and inside workerd) against the
 * built container image: scripts/container-test.sh starts the image's entrypoint on the host
 * network and runs this suite with its address, admin token and webhook secret. The registry (the
 * real test Git server) and the fake GitHub run here, on 127.0.0.1, where the image reaches them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runScenario, waitForIdleQueue } from './support/scenario.js';
import { type ScenarioParts, startScenarioParts } from './support/scenario-world.js';

const url = process.env.MB_CONTAINER_URL;
const adminToken = process.env.MB_CONTAINER_TOKEN ?? '';
const webhookSecret = process.env.MB_CONTAINER_WEBHOOK_SECRET ?? '';

describe.skipIf(!url)(
  `the end-to-end scenario inside the container image${url ? '' : ' (skipped: run by scripts/container-test.sh, which sets MB_CONTAINER_URL)'}`,
  () => {
    let parts: ScenarioParts;
    beforeAll(async () => {
      parts = await startScenarioParts();
    });
    afterAll(async () => {
      await parts?.close();
    });

    it('goes from a signed tag push to pull requests, upgraded in place', { timeout: 240_000 }, async () => {
      const service = { url: url!.replace(/\/+$/, ''), adminToken, webhookSecret };
      const result = await runScenario({
        ...parts,
        services: [service],
        // The image runs with the default job lease (30 s): stand-by jobs start that late.
        idle: () => waitForIdleQueue(service, 150_000),
      });
      expect(result.deployments.map((deployment) => deployment.proposal?.version)).toEqual(['1.3.0']);
      expect(parts.gitHub.pulls('acme', 'fleet')).toHaveLength(1);
    });
  },
);
