import { describe, expect, it } from 'vitest';
import { fixture, githubExamples, jsonBody } from '../../test/support/webhooks.js';
import { isBridgeError } from '../errors.js';
import { parseDelivery } from './parse.js';

function github(event: string, payload: unknown, id = 'd1') {
  return parseDelivery('github', new Headers({ 'x-github-event': event, 'x-github-delivery': id }), jsonBody(payload));
}

describe('GitHub payloads from @octokit/webhooks-examples', () => {
  const repositoryUrls = ['https://github.com/Codertocat/Hello-World.git', 'https://github.com/Codertocat/Hello-World'];

  it('push to a tag is a tag delivery with clone and web URL; push to a branch is a branch push', async () => {
    const pushes = githubExamples('push');
    let tags = 0;
    let branches = 0;
    for (const payload of pushes) {
      const delivery = await github('push', payload);
      if (String(payload.ref).startsWith('refs/tags/')) {
        tags++;
        expect(delivery).toMatchObject({ kind: 'tag', ref: 'simple-tag', deleted: payload.deleted === true });
      } else {
        branches++;
        expect(delivery).toMatchObject({ kind: 'branch-push', ref: 'master' });
      }
      expect(delivery.repositoryUrls).toEqual(repositoryUrls);
      expect(delivery).toMatchObject({ forge: 'github', deliveryId: 'd1', event: 'push' });
    }
    expect(tags).toBeGreaterThan(0);
    expect(branches).toBeGreaterThan(0);
  });

  it('create with ref_type tag is a tag delivery', async () => {
    for (const payload of githubExamples('create')) {
      expect(await github('create', payload)).toMatchObject({ kind: 'tag', ref: 'simple-tag', deleted: false });
    }
  });

  it('release published (and released, prereleased) asks for a look; other release actions do not', async () => {
    const seen = new Set<string>();
    for (const payload of githubExamples('release')) {
      const delivery = await github('release', payload);
      const action = String(payload.action);
      seen.add(action);
      expect(delivery.action).toBe(action);
      expect(delivery.kind).toBe(['published', 'released', 'prereleased'].includes(action) ? 'release' : 'other');
      expect(delivery.ref).toBe((payload.release as { tag_name: string }).tag_name);
    }
    expect(seen).toContain('published');
    expect(seen).toContain('created');
  });

  it('ping is a ping, with or without a repository', async () => {
    for (const payload of githubExamples('ping')) {
      expect((await github('ping', payload)).kind).toBe('ping');
    }
  });

  it('every pull_request action is a pull-request delivery naming its number', async () => {
    for (const payload of githubExamples('pull_request')) {
      const delivery = await github('pull_request', payload);
      expect(delivery).toMatchObject({ kind: 'pull-request', ref: String(payload.number) });
      expect(delivery.repositoryUrls.length).toBeGreaterThan(0);
    }
  });

  it('an event margo-bridge does not act on is other', async () => {
    for (const payload of githubExamples('issues').slice(0, 3)) {
      expect((await github('issues', payload)).kind).toBe('other');
    }
  });
});

describe('Gitea and Forgejo payloads', () => {
  const urls = ['http://localhost:3000/gitea/webhooks.git', 'http://localhost:3000/gitea/webhooks'];
  const cases: [string, string, Record<string, unknown>][] = [
    ['push-tag.json', 'push', { kind: 'tag', ref: 'v1.2.0', deleted: false }],
    ['create-tag.json', 'create', { kind: 'tag', ref: 'v1.2.0', deleted: false }],
    ['delete-tag.json', 'delete', { kind: 'tag', ref: 'v1.1.0', deleted: true }],
    ['release-published.json', 'release', { kind: 'release', action: 'published', ref: 'v1.2.0' }],
    ['release-updated.json', 'release', { kind: 'other', action: 'updated' }],
    ['push-branch.json', 'push', { kind: 'branch-push', ref: 'develop' }],
    ['pull-request-opened.json', 'pull_request', { kind: 'pull-request', action: 'opened', ref: '1' }],
    ['issues-opened.json', 'issues', { kind: 'other' }],
  ];

  it.each(cases)('%s (X-Gitea-*)', async (file, event, expected) => {
    const headers = new Headers({ 'x-gitea-event': event, 'x-gitea-delivery': 'g1' });
    const delivery = await parseDelivery('gitea', headers, fixture(`gitea/${file}`));
    expect(delivery).toMatchObject({ forge: 'gitea', event, deliveryId: 'g1', repositoryUrls: urls, ...expected });
  });

  it('reads the X-Forgejo-* headers Forgejo sends', async () => {
    const headers = new Headers({ 'x-forgejo-event': 'push', 'x-forgejo-delivery': 'f1' });
    const delivery = await parseDelivery('gitea', headers, fixture('gitea/push-tag.json'));
    expect(delivery).toMatchObject({ deliveryId: 'f1', event: 'push', kind: 'tag' });
  });
});

describe('GitLab payloads', () => {
  const urls = ['http://example.com/mike/diaspora.git', 'http://example.com/mike/diaspora'];
  const cases: [string, string, Record<string, unknown>][] = [
    ['tag-push.json', 'Tag Push Hook', { kind: 'tag', ref: 'v1.0.0', deleted: false }],
    ['tag-delete.json', 'Tag Push Hook', { kind: 'tag', ref: 'v0.9.0', deleted: true }],
    ['release-create.json', 'Release Hook', { kind: 'release', action: 'create', ref: 'v1.1' }],
    ['release-update.json', 'Release Hook', { kind: 'other', action: 'update' }],
    ['push.json', 'Push Hook', { kind: 'branch-push', ref: 'master' }],
    ['merge-request.json', 'Merge Request Hook', { kind: 'pull-request', action: 'open', ref: '1' }],
    ['issue.json', 'Issue Hook', { kind: 'other' }],
  ];

  it.each(cases)('%s', async (file, event, expected) => {
    const headers = new Headers({ 'x-gitlab-event': event, 'idempotency-key': 'k1', 'x-gitlab-event-uuid': 'u1' });
    const delivery = await parseDelivery('gitlab', headers, fixture(`gitlab/${file}`));
    expect(delivery).toMatchObject({ forge: 'gitlab', event, deliveryId: 'k1', repositoryUrls: urls, ...expected });
  });

  it('falls back to X-Gitlab-Event-UUID when an older GitLab sends no Idempotency-Key', async () => {
    const headers = new Headers({ 'x-gitlab-event': 'Tag Push Hook', 'x-gitlab-event-uuid': 'u1' });
    expect((await parseDelivery('gitlab', headers, fixture('gitlab/tag-push.json'))).deliveryId).toBe('u1');
  });
});

describe('malformed verified deliveries', () => {
  it('without an id header get the body digest as id, the same for an identical redelivery', async () => {
    const headers = new Headers({ 'x-github-event': 'push' });
    const body = fixture('gitea/push-tag.json');
    const first = await parseDelivery('github', headers, body);
    expect(first.deliveryId).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect((await parseDelivery('github', headers, body)).deliveryId).toBe(first.deliveryId);
  });

  it('give a BAD_REQUEST error saying what is wrong', async () => {
    const cases: [Headers, Uint8Array<ArrayBuffer>, RegExp][] = [
      [new Headers({ 'x-github-event': 'push' }), new TextEncoder().encode('{"ref":'), /not valid JSON/],
      [new Headers({ 'x-github-event': 'push' }), new TextEncoder().encode('[1,2]'), /not a JSON object/],
      [new Headers({}), jsonBody({}), /Missing X-GitHub-Event/],
      [new Headers({ 'x-github-event': 'push' }), new Uint8Array([0xff, 0xfe, 0x7b]), /not valid JSON/],
    ];
    for (const [headers, body, message] of cases) {
      const error = await parseDelivery('github', headers, body).catch((caught: unknown) => caught);
      expect(isBridgeError(error, 'BAD_REQUEST'), String(error)).toBe(true);
      expect((error as Error).message).toMatch(message);
    }
  });

  it('of the wrong shape never crash: fields of other types are treated as absent', async () => {
    const delivery = await github('push', { ref: 42, repository: { clone_url: ['x'] }, deleted: 'yes' });
    expect(delivery).toMatchObject({ kind: 'other', repositoryUrls: [], deleted: false });
  });
});
