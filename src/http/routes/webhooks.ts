/**
 * POST /webhooks/github, /webhooks/gitea (Forgejo too), /webhooks/gitlab.
 *
 * Order of checks: JSON content type (415), declared body at most 25 MiB (413), what the headers
 * alone can refuse before any byte of the body is read (no secret configured, no or a malformed
 * signature, a wrong GitLab token: 401), room in the budget of unverified bodies (503 with
 * Retry-After), the signature computed while the body streams in (401, counted, nothing of the
 * body logged), then parsing. A verified delivery is stored
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
import type { IncomingDelivery, Receipt } from '../../services.js';
import { repositoryKey } from '../../urls.js';
import type { ByteBudget } from '../../webhooks/body-budget.js';
import type { Delivery, Forge } from '../../webhooks/delivery.js';
import { forges } from '../../webhooks/delivery.js';
import { deliveryIdOf, parseDelivery } from '../../webhooks/parse.js';
import {
  type BodyVerifier,
  type RejectReason,
  startVerification,
  type Verification,
  verifySignature,
} from '../../webhooks/verify.js';
import type { App, AppEnv } from '../env.js';
import { errorBody } from '../errors.js';
import { errorSchema, jsonContent } from '../schemas.js';

/** GitHub's own cap on webhook payloads. */
export const MAX_WEBHOOK_BYTES = 25 * 1024 * 1024;

/** Seconds a sender refused for the body budget is asked to wait; forges retry later anyway. */
const BUSY_RETRY_SECONDS = 5;

const answerSchema = z
  .object({
    status: z.enum(['pong', 'accepted', 'ignored', 'duplicate']),
    /** Internal id of the stored delivery (GET /api/v1/webhook-deliveries). */
    delivery: z.string(),
  })
  .openapi('WebhookAnswer');

const errorContent = { 'application/json': { schema: errorSchema } };

const forgeNames: Record<Forge, string> = {
  github: 'GitHub',
  gitea: 'Gitea or Forgejo',
  gitlab: 'GitLab',
  distribution: 'OCI registry (distribution notification)',
};

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
      503: {
        description: 'Too many unverified bytes are being received at once; retry after `Retry-After` seconds',
        content: errorContent,
      },
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
  const intake = services.webhooks;
  const metrics = services.metrics.webhooks;
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
  const declared = declaredLength(c);
  const headers = c.req.raw.headers;

  const now = services.clock.now();
  let precheck = await startVerification(forge, headers, await intake.secrets(), now);
  if (!precheck.ok && (precheck.reason === 'bad-signature' || precheck.reason === 'no-secret-configured')) {
    // A registry secret set moments ago is not in the cache yet.
    const fresh = await intake.refreshSecrets();
    if (fresh !== null) precheck = await startVerification(forge, headers, fresh, now);
  }
  if (!precheck.ok) return unauthorized(c, forge, precheck.reason);

  const read = await readAndVerify(c, declared, intake.bodyBudget, precheck.verifier);
  if (read === 'busy') {
    c.header('Retry-After', String(BUSY_RETRY_SECONDS));
    return c.json(errorBody('BUSY', 'too many unverified webhook bodies are being received; retry later'), 503);
  }
  const body = concatBytes(read.chunks);
  let verification = read.verification;
  if (!verification.ok && verification.reason === 'bad-signature') {
    const fresh = await intake.refreshSecrets();
    if (fresh !== null) verification = await verifySignature(forge, headers, body, fresh, now);
  }
  if (!verification.ok) return unauthorized(c, forge, verification.reason);

  let delivery: Delivery;
  try {
    delivery = await parseDelivery(forge, headers, body);
  } catch (error) {
    if (!isBridgeError(error, 'BAD_REQUEST')) throw error;
    const deliveryId = await deliveryIdOf(forge, headers, body);
    const receipt = await intake.receiver.receive({
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
  if (scope !== undefined) {
    if (delivery.cloneUrl === null || safeKey(delivery.cloneUrl) !== scope) {
      return unauthorized(c, forge, 'wrong-repository');
    }
    // What a registry's secret proves is its own repository: no other URL of the payload is acted on.
    delivery = { ...delivery, repositoryUrls: [delivery.cloneUrl] };
  }

  const receipt = await intake.receiver.receive(incoming(delivery));
  const status = answerStatus(delivery, receipt);
  metrics.received.inc({ forge, event: delivery.event, result: status === 'pong' ? 'accepted' : status });
  // Debug: at the default level the request line is the one line per delivery (volume, CPU).
  services.logger.debug(
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
  services.metrics.webhooks.badSignatures.inc({ forge, reason });
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

/** The declared Content-Length, refused at once when over MAX_WEBHOOK_BYTES; undefined for a chunked body. */
function declaredLength(c: Context<AppEnv>): number | undefined {
  const declared = c.req.header('content-length');
  if (declared === undefined) return undefined;
  if (!/^\d+$/.test(declared)) throw new BridgeError('BAD_REQUEST', 'Content-Length is not a number');
  if (Number(declared) > MAX_WEBHOOK_BYTES) throw tooLarge();
  return Number(declared);
}

function tooLarge(): BridgeError {
  return new BridgeError('PAYLOAD_TOO_LARGE', `webhook body larger than ${MAX_WEBHOOK_BYTES} bytes`);
}

/**
 * Reads the body (at most MAX_WEBHOOK_BYTES) as chunks, feeding each to the signature check, with
 * its bytes reserved in the budget of unverified bodies until the check is done: the declared
 * length up front, a chunked body as it grows. 'busy' when the budget has no room.
 */
async function readAndVerify(
  c: Context<AppEnv>,
  declared: number | undefined,
  budget: ByteBudget,
  verifier: BodyVerifier,
): Promise<{ chunks: Uint8Array[]; verification: Verification } | 'busy'> {
  let reserved = 0;
  const reserve = (bytes: number): boolean => {
    if (!budget.tryReserve(bytes)) return false;
    reserved += bytes;
    return true;
  };
  try {
    if (declared !== undefined && !reserve(declared)) return 'busy';
    const chunks: Uint8Array[] = [];
    const reader = c.req.raw.body?.getReader();
    let size = 0;
    while (reader) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.length;
      if (size > MAX_WEBHOOK_BYTES) {
        await reader.cancel();
        throw tooLarge();
      }
      if (size > reserved && !reserve(size - reserved)) {
        await reader.cancel();
        return 'busy';
      }
      verifier.update(value);
      chunks.push(value);
    }
    return { chunks, verification: await verifier.finish() };
  } finally {
    budget.release(reserved);
  }
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
