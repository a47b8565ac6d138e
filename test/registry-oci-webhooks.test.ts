/**
 * OCI registry notifications: the real registry's notification endpoint POSTs distribution
 * envelopes (with the configured `Authorization: Bearer <secret>` header) to margo-bridge's
 * `/webhooks/distribution`; a tagged manifest push becomes a poll of the matching OCI registry.
 */
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHandlers } from '../src/flows/handlers.js';
import { pushPackage } from './support/oci-push.js';
import { type OciRegistry, startOciRegistry } from './support/oci-registry.js';
import { helloPackage } from './support/registries.js';
import { type Harness, startHarness } from './support/service-harness.js';

const SECRET = 'distribution-notification-secret';

describe('OCI registry notifications', () => {
  let registry: OciRegistry;
  let harness: Harness;
  let front: Server;
  const answers: { status: number; body: string }[] = [];

  beforeAll(async () => {
    harness = await startHarness();
    // The registry posts to a real socket; this forwards each request to the service's app.
    front = createServer((request, response) => {
      const parts: Buffer[] = [];
      request.on('data', (chunk: Buffer) => parts.push(chunk));
      request.on('end', async () => {
        const answer = await harness.app.request(request.url ?? '/', {
          method: request.method ?? 'POST',
          headers: Object.fromEntries(
            Object.entries(request.headers).flatMap(([name, value]) =>
              typeof value === 'string' ? [[name, value]] : [],
            ),
          ),
          body: Buffer.concat(parts),
        });
        const body = await answer.text();
        answers.push({ status: answer.status, body });
        response.writeHead(answer.status, { 'content-type': 'application/json' }).end(body);
      });
    });
    await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve));
    const { port } = front.address() as { port: number };
    registry = await startOciRegistry({
      notify: { url: `http://127.0.0.1:${port}/webhooks/distribution`, secret: SECRET },
    });
  }, 30_000);
  afterAll(async () => {
    await registry.stop();
    await new Promise((resolve) => front.close(resolve));
    await harness.close();
  });

  it('a tag push notification for a registry with the secret requests its poll', async () => {
    const created = await harness.call<{ id: string }>(
      'POST',
      '/api/v1/registries',
      {
        name: 'notified',
        kind: 'oci',
        url: registry.url('apps/notified'),
        allowHttp: true,
        webhookSecret: SECRET,
      },
      undefined,
    );
    // The repository does not exist yet: stored anyway, its first push will be announced.
    const forced =
      created.status === 201
        ? created
        : await harness.call<{ id: string }>('POST', '/api/v1/registries?force=true', {
            name: 'notified',
            kind: 'oci',
            url: registry.url('apps/notified'),
            allowHttp: true,
            webhookSecret: SECRET,
          });
    expect(forced.status).toBe(201);

    await pushPackage(registry, 'apps/notified', '1.0.0', await helloPackage('1.0.0'));
    // The registry sends its notifications one by one (blob pushes first, kind `other`): wait for
    // the tagged manifest's, not for the first answer.
    const taggedDeliveries = async () => {
      const deliveries = await harness.call<{
        deliveries: { forge: string; kind: string; ref: string; result: string }[];
      }>('GET', '/api/v1/webhook-deliveries');
      return deliveries.body.deliveries.filter(
        (delivery) => delivery.forge === 'distribution' && delivery.kind === 'tag',
      );
    };
    let tagged = await taggedDeliveries();
    for (let attempt = 0; attempt < 200 && tagged.length === 0; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      tagged = await taggedDeliveries();
    }
    expect(answers.length).toBeGreaterThan(0);
    expect(answers.every((answer) => answer.status !== 401)).toBe(true);
    expect(tagged).toEqual([expect.objectContaining({ ref: '1.0.0' })]);
    // The delivery job matches the repository to the registry and asks for its poll.
    const { services } = harness.runtime;
    const job = await services.store.jobs.get((tagged[0] as unknown as { jobId: string }).jobId);
    expect(job?.kind).toBe('delivery');
    await createHandlers(services).delivery!(job!);
    const polls = await services.store.jobs.list({ kind: 'poll' });
    expect(polls.some((poll) => (poll.payload as { registryId?: string }).registryId === forced.body.id)).toBe(true);
  });

  it('refuses a notification without the secret', async () => {
    const refused = await harness.app.request('/webhooks/distribution', {
      method: 'POST',
      headers: { 'content-type': 'application/vnd.docker.distribution.events.v1+json', authorization: 'Bearer wrong' },
      body: JSON.stringify({ events: [] }),
    });
    expect(refused.status).toBe(401);
  });
});
