/**
 * The end-to-end scenario (test/support/scenario.ts, as on Node and inside workerd) against the
 * built container image: scripts/container-test.sh starts the image's entrypoint on the host
 * network and runs this suite with its address, admin token and webhook secret. The registry (the
 * real test Git server) and the fake GitHub run here, on 127.0.0.1, where the image reaches them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeGitHub, startFakeGitHub } from './support/fake-github/index.js';
import { type GitServer, startGitServer } from './support/git-server.js';
import { createRegistryRoot, publishRelease, removeRegistryRoot } from './support/registries.js';
import { FIRST_VERSION, runScenario, SCENARIO_REGISTRY, waitForIdleQueue } from './support/scenario.js';
import { scenarioRelease } from './support/scenario-world.js';

const url = process.env.MB_CONTAINER_URL;
const adminToken = process.env.MB_CONTAINER_TOKEN ?? '';
const webhookSecret = process.env.MB_CONTAINER_WEBHOOK_SECRET ?? '';

describe.skipIf(!url)(
  `the end-to-end scenario inside the container image${url ? '' : ' (skipped: run by scripts/container-test.sh, which sets MB_CONTAINER_URL)'}`,
  () => {
    let root: string;
    let gitServer: GitServer;
    let gitHub: FakeGitHub;
    beforeAll(async () => {
      root = await createRegistryRoot();
      await publishRelease(root, SCENARIO_REGISTRY, `v${FIRST_VERSION}`, await scenarioRelease(FIRST_VERSION));
      gitServer = await startGitServer({ root });
      gitHub = await startFakeGitHub();
      await gitHub.createRepo({
        owner: 'acme',
        repo: 'fleet',
        defaultBranch: 'main',
        files: { 'README.md': '# fleet\n' },
      });
    });
    afterAll(async () => {
      await gitHub?.stop();
      await gitServer?.stop();
      if (root) await removeRegistryRoot(root);
    });

    it('goes from a signed tag push to pull requests, upgraded in place', { timeout: 240_000 }, async () => {
      const service = { url: url!.replace(/\/+$/, ''), adminToken, webhookSecret };
      const result = await runScenario({
        services: [service],
        registry: { cloneUrl: gitServer.url(SCENARIO_REGISTRY), htmlUrl: `${gitServer.baseUrl}/${SCENARIO_REGISTRY}` },
        github: { apiUrl: gitHub.apiUrl, token: gitHub.addToken(), owner: 'acme', repo: 'fleet' },
        publish: async (version) => {
          await publishRelease(root, SCENARIO_REGISTRY, `v${version}`, await scenarioRelease(version));
        },
        // The image runs with the default job lease (30 s): stand-by jobs start that late.
        idle: () => waitForIdleQueue(service, 150_000),
      });
      expect(result.deployments.map((deployment) => deployment.proposal?.version)).toEqual(['1.3.0']);
      expect(gitHub.pulls('acme', 'fleet')).toHaveLength(1);
    });
  },
);
