/**
 * `GET /api/v1/deployments` and `GET /api/v1/deployment-repositories` page by key (issue 10,
 * item 6): `limit` + `cursor`, a `next` link that keeps the filters, every item once, on SQLite and
 * PostgreSQL.
 */
import { beforeAll, expect, it } from 'vitest';
import { createApp } from '../src/http/app.js';
import type { App } from '../src/http/env.js';
import { deploymentInput, repositoryInput } from '../src/store/deployments.contract.js';
import { describeOnEachDatabase } from './support/webhook-services.js';

const ADMIN = 'admin-token-for-deployment-pages';

describeOnEachDatabase('deployment lists page by key', (harness) => {
  let app: App;

  beforeAll(async () => {
    const { services } = harness();
    app = createApp(services);
    await services.store.tokens.create({ name: 'admin', role: 'admin', tokenHash: await services.hashToken(ADMIN) });
    for (const name of ['fleet-c', 'fleet-a', 'fleet-e', 'fleet-b', 'fleet-d']) {
      const repository = await services.store.deploymentRepositories.create(repositoryInput(name));
      // Two deployments per repository, on two targets; several share a creation millisecond.
      for (const target of ['plant-a', 'plant-b']) {
        await services.store.deployments.create(deploymentInput(repository.id, { target, name: `${name}-${target}` }));
      }
    }
  });

  async function get(path: string): Promise<{ status: number; body: Record<string, unknown> }> {
    const response = await app.request(path, { headers: { authorization: `Bearer ${ADMIN}` } });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  /** Follows `next` from `path` (bounded), returning each page's item names. */
  async function pages(path: string, key: string, nameOf: (item: Record<string, unknown>) => string) {
    const seen: string[][] = [];
    let next: string | null = path;
    for (let i = 0; next !== null && i < 20; i++) {
      const { status, body } = await get(next);
      expect(status, next).toBe(200);
      seen.push((body[key] as Record<string, unknown>[]).map(nameOf));
      next = body.next as string | null;
    }
    expect(next).toBeNull();
    return seen;
  }

  const deploymentName = (item: Record<string, unknown>) => item.name as string;

  it('pages deployments newest first, every one once, as the whole list orders them', async () => {
    const whole = await pages('/api/v1/deployments?limit=1000', 'deployments', deploymentName);
    expect(whole).toHaveLength(1);
    expect(whole[0]).toHaveLength(10);
    const paged = await pages('/api/v1/deployments?limit=3', 'deployments', deploymentName);
    expect(paged.map((page) => page.length)).toEqual([3, 3, 3, 1]);
    expect(paged.flat()).toEqual(whole[0]);
  });

  it('keeps the filters in the next link', async () => {
    const paged = await pages('/api/v1/deployments?target=plant-b&limit=2', 'deployments', deploymentName);
    expect(paged.map((page) => page.length)).toEqual([2, 2, 1]);
    expect(paged.flat().every((name) => name.endsWith('-plant-b'))).toBe(true);
    const first = await get('/api/v1/deployments?target=plant-b&limit=2');
    expect(first.body.next).toMatch(/^\/api\/v1\/deployments\?target=plant-b&limit=2&cursor=/);
  });

  it('pages deployment repositories by name', async () => {
    const paged = await pages('/api/v1/deployment-repositories?limit=2', 'deploymentRepositories', deploymentName);
    expect(paged).toEqual([['fleet-a', 'fleet-b'], ['fleet-c', 'fleet-d'], ['fleet-e']]);
  });

  it('follows a full last page with an empty one whose next is null', async () => {
    const paged = await pages('/api/v1/deployment-repositories?limit=5', 'deploymentRepositories', deploymentName);
    expect(paged).toEqual([['fleet-a', 'fleet-b', 'fleet-c', 'fleet-d', 'fleet-e'], []]);
  });

  it('documents limit, cursor and next in OpenAPI', async () => {
    const response = await app.request('/openapi.json');
    expect(response.status).toBe(200);
    const document = (await response.json()) as {
      paths: Record<
        string,
        {
          get: {
            parameters: { name: string; in: string }[];
            responses: { 200: { content: { 'application/json': { schema: { properties: object } } } } };
          };
        }
      >;
    };
    for (const path of ['/api/v1/deployments', '/api/v1/deployment-repositories']) {
      const list = document.paths[path]!.get;
      const query = list.parameters.filter((parameter) => parameter.in === 'query').map((parameter) => parameter.name);
      expect(query, path).toEqual(expect.arrayContaining(['limit', 'cursor']));
      expect(Object.keys(list.responses[200].content['application/json'].schema.properties), path).toContain('next');
    }
  });

  it('refuses a cursor it did not give with a 400 naming the field', async () => {
    const { status, body } = await get('/api/v1/deployments?cursor=not-a-cursor');
    expect(status).toBe(400);
    expect(body).toMatchObject({ error: { code: 'BAD_REQUEST' } });
    expect(JSON.stringify(body)).toContain('cursor');
    expect((await get('/api/v1/deployments?limit=0')).status).toBe(400);
  });
});
