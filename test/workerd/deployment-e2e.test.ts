/**
 * End to end inside workerd: a deployment through to a pull request on the fake GitHub (started
 * on the Node side, test/support/workerd-setup.ts), with the version read from the real test Git
 * server: the same API calls as on Node, run by the Worker's Durable Object.
 */
import { SELF } from 'cloudflare:test';
import { describe, expect, inject, it } from 'vitest';
import { TEST_ADMIN_TOKEN } from './secrets.js';

const origin = 'https://bridge.test';
const APPLICATION = 'com-northstartida-hello-world';

async function api<T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const response = await SELF.fetch(`${origin}${path}`, {
    method,
    headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as T };
}

async function waitFor(condition: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > until) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('inside workerd: a deployment becomes a pull request on GitHub', () => {
  it('renders the deployment and opens a pull request with its files', async () => {
    const git = inject('gitServer');
    const github = inject('fakeGitHub');
    const registry = await api('POST', '/api/v1/registries', {
      name: 'hello-deploy',
      url: git.helloUrl,
      allowHttp: true,
    });
    expect(registry.status, JSON.stringify(registry.body)).toBe(201);
    await waitFor(async () => {
      const detail = await api<{ versions?: { version: string }[] }>('GET', `/api/v1/applications/${APPLICATION}`);
      return detail.status === 200 && (detail.body.versions ?? []).some((version) => version.version === '1.0.0');
    }, 20_000);

    const repository = await api('POST', '/api/v1/deployment-repositories', {
      name: 'fleet',
      provider: 'github',
      format: 'flux',
      github: { owner: 'acme', repo: 'fleet', apiUrl: github.apiUrl, auth: { type: 'token', token: github.token } },
    });
    expect(repository.status, JSON.stringify(repository.body)).toBe(201);

    const deployment = await api<{ id: string; proposal: { number: number; url: string } | null }>(
      'POST',
      '/api/v1/deployments',
      {
        repository: 'fleet',
        applicationId: APPLICATION,
        version: '1.0.0',
        profile: 'helm',
        target: 'plant-w',
        values: { greeting: 'Hallo', greetingAddressee: 'Workers' },
      },
    );
    expect(deployment.status, JSON.stringify(deployment.body)).toBeLessThan(300);

    // The pull request as GitHub (the fake, on the Node side) has it.
    let pulls: { number: number; head: { ref: string; sha: string }; state: string }[] = [];
    await waitFor(async () => {
      const response = await fetch(`${github.apiUrl}/repos/acme/fleet/pulls?state=open`, {
        headers: { authorization: `token ${github.token}` },
      });
      pulls = (await response.json()) as typeof pulls;
      return pulls.length > 0;
    }, 20_000);
    expect(pulls).toHaveLength(1);
    const files = await fetch(`${github.apiUrl}/repos/acme/fleet/git/trees/${pulls[0]!.head.sha}?recursive=1`, {
      headers: { authorization: `token ${github.token}` },
    });
    expect(files.status).toBe(200);
    const tree = (await files.json()) as { tree: { path: string; type: string }[] };
    const paths = tree.tree.filter((entry) => entry.type === 'blob').map((entry) => entry.path);
    expect(paths.some((path) => path.startsWith('plant-w/') && path.endsWith('.yaml'))).toBe(true);
    // The deployment records the pull request it opened.
    await waitFor(async () => {
      const current = await api<{ proposal: { number: number } | null }>(
        'GET',
        `/api/v1/deployments/${deployment.body.id}`,
      );
      return current.status === 200 && current.body.proposal?.number === pulls[0]!.number;
    }, 10_000);
  });
});
