/**
 * POST /webhooks/github, /webhooks/gitea (Forgejo too), /webhooks/gitlab.
 *
 * Order of checks: body at most 25 MiB (413), JSON content type (415), signature over the raw
 * body (401, counted, nothing of the body logged), then parsing. A verified delivery is stored
 * durably (group commit, flows/receive.ts) before the answer; the answer never waits for Git or
 * a forge: tags and releases are handled by the job queue afterwards.
 * Answers: ping 200; a new delivery 202; a redelivered id 200 (not handled twice); events and
 * actions margo-bridge does not act on 202 with nothing done (forges disable hooks that get 4xx).
 */
import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { concatBytes } from '../../bytes.js';
import { BridgeError, isBridgeError } from '../../errors.js';
import { hasDeliveryHandler } from '../../flows/deliveries.js';
import type { IncomingDelivery, Receipt } from '../../flows/receive.js';
import { webhookMetrics } from '../../flows/webhook-metrics.js';
import { webhookRuntime } from '../../flows/webhooks.js';
import { repositoryKey } from '../../registry/url.js';
import type { Delivery, Forge } from '../../webhooks/delivery.js';
import { forges } from '../../webhooks/delivery.js';
import { deliveryIdOf, parseDelivery } from '../../webhooks/parse.js';
import { type RejectReason, verifySignature } from '../../webhooks/verify.js';
import type { App, AppEnv } from '../env.js';
import { errorBody } from '../errors.js';
import { errorSchema, jsonContent } from '../schemas.js';

/** GitHub's own cap on webhook payloads. */
export const MAX_WEBHOOK_BYTES = 25 * 1024 * 1024;

const answerSchema = z
  .object({
    status: z.enum(['pong', 'accepted', 'ignored', 'duplicate']),
    /** Internal id of the stored delivery (GET /api/v1/webhook-deliveries). */
    delivery: z.string(),
  })
  .openapi('WebhookAnswer');

const errorContent = { 'application/json': { schema: errorSchema } };

const forgeNames: Record<Forge, string> = { github: 'GitHub', gitea: 'Gitea or Forgejo', gitlab: 'GitLab' };

function routeFor(forge: Forge) {
  return createRoute({
    method: 'post',
    path: `/webhooks/${forge}`,
    tags: ['webhooks'],
    security: [],
    summary: `Receive a ${forgeNames[forge]} webhook delivery (JSON, signed with a configured secret)`,
    responses: {
      200: jsonContent(answerSchema, 'ping, or a delivery id received before (not handled again)'),
      202: jsonContent(answerSchema, 'stored; tags and releases are handled shortly by the job queue'),
      400: { description: 'Verified, but the body is not a usable delivery', content: errorContent },
      401: { description: 'Missing or wrong signature', content: errorContent },
      413: { description: 'Body larger than 25 MiB', content: errorContent },
      415: { description: 'Content type is not JSON', content: errorContent },
    },
  });
}

export function registerWebhooks(app: App): void {
  for (const forge of forges) {
    // Registered as a plain route: the raw body must reach the signature check untouched.
    app.openAPIRegistry.registerPath(routeFor(forge));
    app.post(`/webhooks/${forge}`, (c) => receive(c, forge));
  }
}

async function receive(c: Context<AppEnv>, forge: Forge): Promise<Response> {
  const services = c.get('services');
  const runtime = webhookRuntime(services);
  const metrics = webhookMetrics(services.metrics);
  // Fields on the line itself, no child logger: pino's child() per request (its bindings and
  // redaction set-up) cost ~2.5% of intake CPU even when the line was below the level.
  const requestId = c.get('requestId');

  if (!isJson(c.req.header('content-type'))) {
    return c.json(
      errorBody(
        'UNSUPPORTED_MEDIA_TYPE',
        'webhook content type must be application/json (form-encoded payloads are not accepted: set the hook to JSON)',
      ),
      415,
    );
  }
  const body = await readBody(c);
  const headers = c.req.raw.headers;

  const now = services.clock.now();
  let verification = await verifySignature(forge, headers, body, await runtime.secrets(), now);
  if (!verification.ok && verification.reason === 'bad-signature') {
    // A registry secret set moments ago is not in the cache yet.
    const fresh = await runtime.refreshSecrets();
    if (fresh !== null) verification = await verifySignature(forge, headers, body, fresh, now);
  }
  if (!verification.ok) return unauthorized(c, forge, verification.reason);

  let delivery: Delivery;
  try {
    delivery = await parseDelivery(forge, headers, body);
  } catch (error) {
    if (!isBridgeError(error, 'BAD_REQUEST')) throw error;
    const deliveryId = await deliveryIdOf(forge, headers, body);
    const receipt = await runtime.receiver.receive({
      forge,
      deliveryId,
      event: 'unreadable',
      action: null,
      repositoryUrl: null,
      result: 'rejected',
      payload: { error: error.message },
    });
    metrics.received.inc({ forge, event: 'unreadable', result: 'rejected' });
    services.logger.warn(
      { requestId, forge, deliveryId, delivery: receipt.delivery.id },
      `webhook delivery rejected: ${error.message}`,
    );
    return c.json(errorBody('BAD_REQUEST', error.message), 400);
  }

  const scope = verification.secret.repositoryKey;
  if (scope !== undefined && !delivery.repositoryUrls.some((url) => safeKey(url) === scope)) {
    return unauthorized(c, forge, 'wrong-repository');
  }

  const receipt = await runtime.receiver.receive(incoming(delivery));
  const status = answerStatus(delivery, receipt);
  metrics.received.inc({ forge, event: delivery.event, result: status === 'pong' ? 'accepted' : status });
  services.logger.info(
    {
      requestId,
      forge,
      deliveryId: delivery.deliveryId,
      event: delivery.event,
      action: delivery.action,
      kind: delivery.kind,
      status,
      delivery: receipt.delivery.id,
    },
    'webhook delivery received',
  );
  const code = status === 'pong' || status === 'duplicate' ? 200 : 202;
  return c.json({ status, delivery: receipt.delivery.id }, code);
}

function incoming(delivery: Delivery): IncomingDelivery {
  const result = delivery.kind === 'ping' ? 'handled' : hasDeliveryHandler(delivery.kind) ? 'pending' : 'ignored';
  return {
    forge: delivery.forge,
    deliveryId: delivery.deliveryId,
    event: delivery.event,
    action: delivery.action,
    repositoryUrl: delivery.repositoryUrls[0] ?? null,
    result,
    payload: { ...delivery },
  };
}

function answerStatus(delivery: Delivery, receipt: Receipt): 'pong' | 'accepted' | 'ignored' | 'duplicate' {
  if (receipt.status === 'duplicate') return 'duplicate';
  if (delivery.kind === 'ping') return 'pong';
  return receipt.delivery.result === 'ignored' ? 'ignored' : 'accepted';
}

function unauthorized(c: Context<AppEnv>, forge: Forge, reason: RejectReason | 'wrong-repository'): Response {
  const services = c.get('services');
  webhookMetrics(services.metrics).badSignatures.inc({ forge, reason });
  services.logger.warn({ requestId: c.get('requestId'), forge, reason }, 'webhook signature refused');
  const messages: Record<RejectReason | 'wrong-repository', string> = {
    'no-secret-configured': 'no webhook secret is configured',
    'missing-signature': 'the delivery carries no signature or token',
    'bad-signature': 'the signature does not match any configured secret',
    'stale-timestamp': 'the signature timestamp is more than five minutes away from now',
    'wrong-repository': "the secret used belongs to another registry's repository",
  };
  return c.json(errorBody('UNAUTHORIZED', `webhook refused: ${messages[reason]}`), 401);
}

/**
 * The raw body, at most MAX_WEBHOOK_BYTES. With a Content-Length (what forges send) the declared
 * size is checked first and the body read in one go, on the Node adapter's fast path (Hono's
 * bodyLimit middleware would build a web Request and stream through it, which costs more than
 * the rest of the receipt); a chunked body is counted while it streams.
 */
async function readBody(c: Context<AppEnv>): Promise<Uint8Array<ArrayBuffer>> {
  const tooLarge = () => new BridgeError('PAYLOAD_TOO_LARGE', `webhook body larger than ${MAX_WEBHOOK_BYTES} bytes`);
  const declared = c.req.header('content-length');
  if (declared !== undefined) {
    if (!/^\d+$/.test(declared)) throw new BridgeError('BAD_REQUEST', 'Content-Length is not a number');
    if (Number(declared) > MAX_WEBHOOK_BYTES) throw tooLarge();
    return new Uint8Array(await c.req.arrayBuffer());
  }
  const reader = c.req.raw.body?.getReader();
  if (!reader) return new Uint8Array(0);
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.length;
    if (size > MAX_WEBHOOK_BYTES) {
      await reader.cancel();
      throw tooLarge();
    }
    chunks.push(value);
  }
  return concatBytes(chunks);
}

function isJson(contentType: string | undefined): boolean {
  if (contentType === undefined) return false;
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  return type === 'application/json' || /^application\/[\w.+-]+\+json$/.test(type);
}

function safeKey(url: string): string | null {
  try {
    return repositoryKey(url);
  } catch {
    return null;
  }
}
