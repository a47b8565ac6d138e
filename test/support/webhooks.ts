/**
 * Signing webhook deliveries the way each forge does, for tests, the crash test and the benchmark.
 * Uses the production HMAC helpers' inverse (sign), not the verifier, so a verifier bug cannot hide.
 */
import { createHmac, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { WebhookDefinition } from '@octokit/webhooks-examples';
import type { Forge } from '../../src/webhooks/delivery.js';

/** The package's main is a JSON file; require reads it the same way under every module setting. */
const examples = createRequire(import.meta.url)('@octokit/webhooks-examples') as WebhookDefinition[];

/** GitHub's published example payloads of one event (`@octokit/webhooks-examples`). */
export function githubExamples(name: string): Record<string, unknown>[] {
  const definition = examples.find((entry) => entry.name === name);
  if (!definition) throw new Error(`no ${name} examples in @octokit/webhooks-examples`);
  return definition.examples as unknown as Record<string, unknown>[];
}

/** The first published example of an event matching `where`, as a copy the caller may change. */
export function githubExample(
  name: string,
  where: (payload: Record<string, unknown>) => boolean = () => true,
): Record<string, unknown> {
  const found = githubExamples(name).find(where);
  if (!found) throw new Error(`no matching ${name} example in @octokit/webhooks-examples`);
  return structuredClone(found);
}

export function fixture(path: string): Uint8Array<ArrayBuffer> {
  return new Uint8Array(readFileSync(new URL(`../fixtures/webhooks/${path}`, import.meta.url)));
}

export function jsonBody(value: unknown): Uint8Array<ArrayBuffer> {
  return new TextEncoder().encode(JSON.stringify(value));
}

export function hexHmac(secret: string, body: Uint8Array): string {
  return createHmac('sha256', secret).update(body).digest('hex');
}

/** Standard Webhooks signature (GitLab signing token): `v1,<base64>` over `${id}.${timestamp}.${body}`. */
export function standardSignature(
  signingToken: string,
  id: string,
  timestampSeconds: number,
  body: Uint8Array,
): string {
  const key = Buffer.from(signingToken.replace(/^whsec_/, ''), 'base64');
  const mac = createHmac('sha256', key).update(`${id}.${timestampSeconds}.`).update(body).digest('base64');
  return `v1,${mac}`;
}

export function newSigningToken(): string {
  return `whsec_${Buffer.from(Array.from({ length: 32 }, (_, i) => (i * 37 + 11) % 256)).toString('base64')}`;
}

export interface SignOptions {
  event: string;
  deliveryId?: string;
  /** GitLab: send the signing-token headers with this whsec_ secret instead of (or beside) X-Gitlab-Token. */
  signingToken?: string;
  /** GitLab: omit X-Gitlab-Token. */
  noToken?: boolean;
  timestampSeconds?: number;
}

/** Headers a forge would send with `body` signed by `secret`. */
export function forgeHeaders(
  forge: Forge,
  body: Uint8Array,
  secret: string,
  options: SignOptions,
): Record<string, string> {
  const id = options.deliveryId ?? randomUUID();
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  switch (forge) {
    case 'github':
      headers['x-github-event'] = options.event;
      headers['x-github-delivery'] = id;
      headers['x-hub-signature-256'] = `sha256=${hexHmac(secret, body)}`;
      break;
    case 'gitea':
      headers['x-gitea-event'] = options.event;
      headers['x-gitea-delivery'] = id;
      headers['x-gitea-signature'] = hexHmac(secret, body);
      break;
    case 'gitlab': {
      headers['x-gitlab-event'] = options.event;
      headers['x-gitlab-event-uuid'] = randomUUID();
      headers['idempotency-key'] = id;
      if (!options.noToken) headers['x-gitlab-token'] = secret;
      if (options.signingToken) {
        const timestamp = options.timestampSeconds ?? Math.floor(Date.now() / 1000);
        headers['webhook-id'] = id;
        headers['webhook-timestamp'] = String(timestamp);
        headers['webhook-signature'] = standardSignature(options.signingToken, id, timestamp, body);
      }
      break;
    }
  }
  return headers;
}
