/**
 * The whole scenario inside workerd (test/support/scenario.ts, the same steps as on Node):
 * registry → tag → signed webhook → version → deployments → pull requests, upgraded in place by
 * later tags, with the real test Git server and the fake GitHub on the Node side
 * (test/support/workerd-setup.ts), run by the Worker's Durable Object and Queue.
 */
import { describe, expect, inject, it } from 'vitest';
import { runScenario } from '../support/scenario.js';
import { publish, serviceAt } from './support.js';

describe('inside workerd: from a tag to a pull request on GitHub', () => {
  it('deploys a signed tag push as a pull request and upgrades it in place after later tags', async () => {
    const git = inject('gitServer');
    const github = inject('fakeGitHub');
    const result = await runScenario({
      services: [serviceAt()],
      registry: { cloneUrl: git.scenarioUrl, htmlUrl: `${git.baseUrl}/scenario` },
      github: { apiUrl: github.apiUrl, token: github.token, owner: 'acme', repo: 'fleet' },
      publish: (version) => publish(git.controlUrl, 'scenario', version),
      // Each proposal's stand-by job is due one lease later and runs at a Cron Trigger's wake-up,
      // which the test does not send: the proposals themselves are made by the requests and jobs.
      idle: async () => undefined,
    });
    expect(result.deliveries).toEqual({
      'scenario-tag-1': [202],
      'scenario-tag-2': [202],
      'scenario-tag-3-1': [202],
    });
    expect(result.deployments.map((deployment) => deployment.proposal?.version)).toEqual(['1.3.0']);
  }, 120_000);
});
