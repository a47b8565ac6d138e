/**
 * What an upgrade proposal says and when it is held back (issue 15), on the fake GitHub:
 * digitron 1.2.2 gives its immutable setting `idpName` a default; two deployments with policy
 * `patch` are live on it, one with `idpName` given, one on the default. 1.2.3 changes that
 * default, adds an optional parameter with a default and ships long release notes. The first
 * gets one pull request whose body shows the version change, a table of the values that change
 * (only those), and the release notes rendered as safe markdown (mentions, references, HTML, images
 * and headings made inert) cut between blocks with a link to the whole file; the second is blocked
 * with a reason naming the immutable setting (D-12: a first install that used the default has
 * set that value), and no pull request is opened for it. 1.2.4, before the merge, updates the
 * same pull request in place. A new secret-looking parameter is masked in the table, and the
 * repository's `allowPlaintextSecrets: true` is stated in the body.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDocument, type YAMLMap, type YAMLSeq } from 'yaml';
import { MASK } from '../src/flows/deployments/sensitive.js';
import {
  type DeploymentBody,
  DIGITRON_ID,
  digitronRequest,
  digitronValues,
  type GitHubWorld,
  gitHubWorld,
  githubDeploymentRepository,
} from './support/deployment-e2e.js';
import type { FakeGitHub } from './support/fake-github/index.js';
import { exampleText, publishRelease } from './support/registries.js';
import { DIGITRON } from './support/render.js';
import { runDueJobs } from './support/run-jobs.js';

const PUBLIC_URL = 'https://bridge.example';
const NOTES_HEAD = 'NOTES-START: what changed in 1.2.3';
const NOTES_TAIL = 'NOTES-TAIL-never-in-the-body';
const TOKEN_DEFAULT = 'tok-default-S3CRET';

let world: GitHubWorld;
let gh: FakeGitHub;
let base: string;

beforeAll(async () => {
  world = await gitHubWorld({ config: { publicUrl: PUBLIC_URL } });
  gh = world.gh;
  base = await exampleText(DIGITRON);
  await githubDeploymentRepository(world, gh, 'fleet', { settings: { allowPlaintextSecrets: true } });
}, 60_000);

afterAll(async () => {
  await world?.close();
});

const call = <T = DeploymentBody>(method: string, path: string, body?: unknown) =>
  world.harness.call<T>(method, path, body);

/** Digitron at `version` with a default for the immutable `idpName`; with `region`, two new parameters. */
function variant(version: string, idpDefault: string, region?: string): string {
  const document = parseDocument(base);
  document.setIn(['metadata', 'version'], version);
  document.setIn(['parameters', 'idpName', 'value'], idpDefault);
  if (region !== undefined) {
    document.setIn(['parameters', 'region'], {
      value: region,
      targets: [{ pointer: 'region', components: ['digitron-orchestrator'] }],
    });
    // A new parameter whose name says secret: masked in the table, stated as plaintext.
    document.setIn(['parameters', 'apiToken'], {
      value: TOKEN_DEFAULT,
      targets: [{ pointer: 'apiToken', components: ['digitron-orchestrator'] }],
    });
    const first = (document.getIn(['configuration', 'sections']) as YAMLSeq<YAMLMap>).items[0] as YAMLMap;
    for (const [parameter, name] of [
      ['region', 'Region'],
      ['apiToken', 'API token'],
    ]) {
      (first.get('settings') as YAMLSeq).add(document.createNode({ parameter, name, schema: 'optionalText' }));
    }
  }
  // The chart revisions follow the version, so that each version renders other files (versions
  // that render the same files are the same request: the open proposal answers it).
  return document.toString().replace(/revision: \S+/g, `revision: ${version}`);
}

async function release(version: string, margo: string, notes: string): Promise<void> {
  await publishRelease(world.registryRoot, 'digitron', `v${version}`, {
    'margo.yaml': margo,
    'resources/release-notes.md': notes,
  });
  await world.harness.poll();
  const stored = await world.harness.runtime.services.store.versions.get(DIGITRON_ID, version);
  expect(stored?.state, JSON.stringify(stored?.errors)).not.toBe('rejected');
  await runDueJobs(world.harness.runtime.services, ['upgrade', 'propose']);
}

const openPulls = () => gh.pulls('acme', 'fleet').filter((pull) => pull.state === 'open');

describe('upgrade proposal body and D-12 on upgrades', () => {
  it('shows the value changes and cut release notes with a link; blocks a changed immutable default', async () => {
    await release('1.2.2', variant('1.2.2', 'Azure AD'), '# 1.2.2\n\nFirst.\n');
    const { idpName: _given, ...withoutIdp } = digitronValues;
    const deployments: Record<'given' | 'defaulted', DeploymentBody> = {} as never;
    for (const [target, values] of [
      ['given', digitronValues],
      ['defaulted', withoutIdp],
    ] as const) {
      const created = await call(
        'POST',
        '/api/v1/deployments',
        digitronRequest('fleet', target, { version: '1.2.2', values, upgradePolicy: 'patch' }),
      );
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      deployments[target] = created.body;
    }
    for (const pull of openPulls()) {
      const merged = await fetch(`${gh.apiUrl}/repos/acme/fleet/pulls/${pull.number}/merge`, {
        method: 'PUT',
        headers: { authorization: `token ${gh.addToken()}`, 'content-type': 'application/json' },
        body: '{}',
      });
      expect(merged.status).toBe(200);
    }
    const services = world.harness.runtime.services;
    const repositoryId = (await services.store.deploymentRepositories.getByName('fleet'))!.id;
    await services.store.jobs.enqueue({ kind: 'track', payload: { repositoryId } });
    await runDueJobs(services, ['track']);
    for (const deployment of Object.values(deployments)) {
      expect((await call('GET', `/api/v1/deployments/${deployment.id}`)).body.state).toBe('merged');
    }

    const publisherText =
      '# Highlights\n\nThanks @maintainer for #42 <b>bold</b> ![pixel](https://tracker.example/p.png)\n\n';
    const notes = `${NOTES_HEAD}\n\n${publisherText}${'- a line of the release notes that goes on\n'.repeat(150)}${NOTES_TAIL}\n`;
    await release('1.2.3', variant('1.2.3', 'Okta', 'eu-west'), notes);

    // The deployment that gave `idpName` itself: one upgrade pull request.
    expect(openPulls()).toHaveLength(1);
    const [upgrade] = openPulls();
    const given = await call('GET', `/api/v1/deployments/${deployments.given.id}`);
    expect(given.body.proposal?.number).toBe(upgrade!.number);
    const body = upgrade!.body ?? '';
    expect(body).toContain('### Upgrade 1.2.2 → 1.2.3');
    // The table lists the values that change, and only those (carried-over values are not changes).
    const rows = body.split('\n').filter((line) => /^\| `[^`]+` \| .* \| .* \|$/.test(line));
    expect(rows).toEqual([`| \`apiToken\` | ${MASK} | ${MASK} |`, '| `region` | — | eu-west |']);
    expect(body).not.toContain(TOKEN_DEFAULT);
    expect(body).toMatch(
      /sensitive values \(`apiToken`\) are committed in \*\*plaintext\*\*.*allowPlaintextSecrets: true/,
    );
    // Release notes of the new version as markdown (no fence), made inert, cut between list items,
    // with a link to the whole file.
    expect(body).toContain('#### Release notes 1.2.3');
    expect(body).toContain(NOTES_HEAD);
    expect(body).not.toContain(NOTES_TAIL);
    expect(body).not.toMatch(/^(~~~|```)/m);
    expect(body).toContain('##### Highlights');
    expect(body).toContain(
      'Thanks @&#8203;maintainer for #&#8203;42 &lt;b>bold&lt;/b> [image: pixel](https://tracker.example/p.png)',
    );
    expect(body).toMatch(/- a line of the release notes that goes on\n\n\[Full release notes\]/);
    expect(body).toContain(
      `[Full release notes](${PUBLIC_URL}/api/v1/applications/${DIGITRON_ID}/versions/1.2.3/resources/releaseNotes)`,
    );
    const full = await call<string>('GET', `/api/v1/applications/${DIGITRON_ID}/versions/1.2.3/resources/releaseNotes`);
    expect(full.status).toBe(200);

    // The deployment installed with the default: its immutable value would change, so no proposal.
    const defaulted = await call('GET', `/api/v1/deployments/${deployments.defaulted.id}`);
    expect(defaulted.body.version).toBe('1.2.2');
    expect(defaulted.body.state).toBe('merged');
    expect(defaulted.body.failureReason).toMatch(/upgrade to 1\.2\.3 blocked/);
    expect(defaulted.body.failureReason).toContain('idpName');
    expect(defaulted.body.failureReason).toMatch(/immutable/);

    // A newer version before the merge: the same pull request is updated in place, never a second.
    await release('1.2.4', variant('1.2.4', 'Okta', 'eu-west'), '# 1.2.4\n\nShort notes.\n');
    expect(openPulls()).toHaveLength(1);
    expect(openPulls()[0]!.number).toBe(upgrade!.number);
    expect(openPulls()[0]!.body).toContain('### Upgrade 1.2.2 → 1.2.4');
    expect(openPulls()[0]!.body).not.toContain('Full release notes');
    const again = await call('GET', `/api/v1/deployments/${deployments.given.id}`);
    expect(again.body.proposal).toMatchObject({ number: upgrade!.number, version: '1.2.4', state: 'proposed' });
    expect((await call('GET', `/api/v1/deployments/${deployments.defaulted.id}`)).body.failureReason).toMatch(
      /upgrade to 1\.2\.4 blocked.*idpName/,
    );
  });
});
