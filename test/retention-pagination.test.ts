/**
 * Bounded tables and pageable lists (issue 10, item 6): deliveries, events and done jobs older than
 * their retention are purged (dead letters stay until acted on), and the deliveries, jobs and
 * registry events lists page with `limit` + `cursor`, answering a `next` link.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRegistry } from '../src/flows/registries.js';
import { purgeExpired } from '../src/flows/retention.js';
import { createApp } from '../src/http/app.js';
import type { App } from '../src/http/env.js';
import { type TestServices, tagDelivery, webhookTestServices } from './support/webhook-services.js';

const ADMIN = 'admin-token-for-retention-tests';
const DAY = 86_400_000;

describe('retention and pagination', () => {
  let harness: TestServices;
  let app: App;
  let registryId: string;

  beforeAll(async () => {
    harness = await webhookTestServices();
    app = createApp(harness.services);
    const { store } = harness.services;
    await store.tokens.create({ name: 'admin', role: 'admin', tokenHash: await harness.services.hashToken(ADMIN) });
    registryId = (
      await createRegistry(
        harness.services,
        { name: 'paged', url: 'https://git.example.com/paged.git' },
        { skipConnectionTest: true },
      )
    ).id;
    for (let i = 0; i < 5; i++) {
      await harness.services.webhooks.receiver.receive(tagDelivery(`paged-${i}`, 'https://git.example.com/paged.git'));
      await store.events.add({ registryId, kind: 'TAG_MOVED', tag: `v${i}`, detail: {} });
    }
  });
  afterAll(async () => {
    await harness?.close();
  });

  async function pages(path: string, key: string): Promise<string[][]> {
    const seen: string[][] = [];
    let next: string | null = `${path}${path.includes('?') ? '&' : '?'}limit=2`;
    for (let i = 0; next !== null && i < 10; i++) {
      const response = await app.request(next, { headers: { authorization: `Bearer ${ADMIN}` } });
      expect(response.status, next).toBe(200);
      const body = (await response.json()) as Record<string, { id: string }[]> & { next: string | null };
      seen.push(body[key]!.map((item) => item.id));
      next = body.next;
    }
    return seen;
  }

  /** Each list holds five items: pages of 2, 2 and 1, every item once. */
  async function expectFivePaged(lists: [path: string, key: string][]): Promise<void> {
    for (const [path, key] of lists) {
      const seen = await pages(path, key);
      expect(
        seen.map((page) => page.length),
        path,
      ).toEqual([2, 2, 1]);
      expect(new Set(seen.flat()).size, path).toBe(5);
    }
  }

  it('pages deliveries, jobs and events with limit, cursor and next', async () => {
    await expectFivePaged([
      ['/api/v1/webhook-deliveries', 'deliveries'],
      ['/api/v1/jobs?kind=delivery', 'jobs'],
      [`/api/v1/registries/${registryId}/events`, 'events'],
    ]);
  });

  it('pages the small lists read whole: registries, tokens', async () => {
    const { store } = harness.services;
    for (let i = 0; i < 4; i++) {
      await createRegistry(
        harness.services,
        { name: `more-${i}`, url: `https://git.example.com/more-${i}.git` },
        { skipConnectionTest: true },
      );
      await store.tokens.create({ name: `t${i}`, role: 'viewer', tokenHash: `${i}`.repeat(64) });
    }
    await expectFivePaged([
      ['/api/v1/registries', 'registries'],
      ['/api/v1/tokens', 'tokens'],
    ]);
    const stale = await app.request('/api/v1/tokens?cursor=nope', { headers: { authorization: `Bearer ${ADMIN}` } });
    expect(stale.status).toBe(400);
  });

  it('purges what is older than its retention and keeps dead letters', async () => {
    const { store } = harness.services;
    const dead = await store.jobs.enqueue({ kind: 'poll', payload: { registryId }, maxAttempts: 1 });
    const [claimed] = await store.jobs.claim('w', 10, 60_000, ['poll']);
    await store.jobs.fail(claimed!.id, 'gone', null, 'w');
    const [done] = await store.jobs.claim('w', 10, 60_000, ['delivery']);
    await store.jobs.complete(done!.id, 'w');

    const soon = await purgeExpired(harness.services, Date.now() + DAY);
    expect(soon).toEqual({ deliveries: 0, events: 0, jobs: 0 });
    const later = await purgeExpired(harness.services, Date.now() + 31 * DAY);
    expect(later).toMatchObject({ deliveries: 5, events: 5, jobs: 1 });
    expect(await store.jobs.get(dead.id)).toMatchObject({ state: 'dead' });
    expect(await store.deliveries.list(10)).toEqual([]);
  });
});
