/**
 * The whole scenario inside workerd: registry → tag → signed webhook → version → deployment →
 * proposal, with the real test Git server and the fake GitHub on the Node side
 * (test/support/workerd-setup.ts), run by the Worker's Durable Object and Queue.
 */
import { describe, expect, inject, it } from 'vitest';
import { addRegistry, api, catalogueVersions, publish, sendTagPush, waitFor } from './support.js';

const APPLICATION = 'com-northstartida-hello-world';

type Pull = { number: number; head: { ref: string; sha: string }; state: string };

describe('inside workerd: from a tag to a pull request on GitHub', () => {
  it('deploys v1.0.0 as a pull request, and moves it to v1.1.0 after a signed tag push', async () => {
    const git = inject('gitServer');
    const github = inject('fakeGitHub');
    const auth = { authorization: `token ${github.token}` };
    const openPulls = async (): Promise<Pull[]> =>
      (await (await fetch(`${github.apiUrl}/repos/acme/fleet/pulls?state=open`, { headers: auth })).json()) as Pull[];

    await addRegistry('scenario', git.scenarioUrl);
    await waitFor(async () => (await catalogueVersions(APPLICATION)).includes('1.0.0'), 20_000);

    const repository = await api('POST', '/api/v1/deployment-repositories', {
      name: 'fleet',
      provider: 'github',
      format: 'flux',
      github: { owner: 'acme', repo: 'fleet', apiUrl: github.apiUrl, auth: { type: 'token', token: github.token } },
    });
    expect(repository.status, JSON.stringify(repository.body)).toBe(201);

    const deployment = await api<{ id: string }>('POST', '/api/v1/deployments', {
      repository: 'fleet',
      applicationId: APPLICATION,
      version: '1.0.0',
      profile: 'helm',
      target: 'plant-w',
      values: { greeting: 'Hallo', greetingAddressee: 'Workers' },
    });
    expect(deployment.status, JSON.stringify(deployment.body)).toBeLessThan(300);

    // The pull request as GitHub (the fake, on the Node side) has it, with the rendered files.
    let pulls: Pull[] = [];
    await waitFor(async () => {
      pulls = await openPulls();
      return pulls.length > 0;
    }, 20_000);
    expect(pulls).toHaveLength(1);
    const first = pulls[0]!;
    const tree = (await (
      await fetch(`${github.apiUrl}/repos/acme/fleet/git/trees/${first.head.sha}?recursive=1`, { headers: auth })
    ).json()) as { tree: { path: string; type: string }[] };
    const paths = tree.tree.filter((entry) => entry.type === 'blob').map((entry) => entry.path);
    expect(paths.some((path) => path.startsWith('plant-w/') && path.endsWith('.yaml'))).toBe(true);
    await waitFor(async () => {
      const current = await api<{ proposal: { number: number } | null }>(
        'GET',
        `/api/v1/deployments/${deployment.body.id}`,
      );
      return current.body.proposal?.number === first.number;
    }, 10_000);

    // A new tag, announced by a signed delivery, becomes a version; the deployment moves to it.
    await publish(git.controlUrl, 'scenario', '1.1.0');
    const delivered = await sendTagPush(git.scenarioUrl, `${git.baseUrl}/scenario`, 'v1.1.0', 'workerd-scenario-1');
    expect(delivered.status).toBe(202);
    await delivered.text();
    await waitFor(async () => (await catalogueVersions(APPLICATION)).includes('1.1.0'), 20_000);
    const upgraded = await api<{ version: string }>('PATCH', `/api/v1/deployments/${deployment.body.id}`, {
      version: '1.1.0',
    });
    expect(upgraded.status, JSON.stringify(upgraded.body)).toBeLessThan(300);
    expect(upgraded.body.version).toBe('1.1.0');
    await waitFor(async () => {
      const now = await openPulls();
      return now.length === 1 && now[0]!.number === first.number && now[0]!.head.sha !== first.head.sha;
    }, 20_000);
  }, 90_000);
});
