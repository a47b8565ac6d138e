/**
 * What an unauthenticated sender can make the receiver hold (issue 10, item 3): nothing when no
 * secret could verify the delivery, and in total no more than the body budget over all unverified
 * requests (then 503 with Retry-After); the signature is computed while the body streams in.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/http/app.js';
import type { App } from '../src/http/env.js';
import { type TestServices, webhookTestServices } from './support/webhook-services.js';
import { forgeHeaders, hexHmac, jsonBody } from './support/webhooks.js';

const SECRET = 'limits-secret';
const MiB = 1024 * 1024;

/** A body stream that records how many bytes the receiver pulled, and can stall until released. */
function countingStream(total: number, options: { stallAfter?: number } = {}) {
  const chunk = new Uint8Array(256 * 1024).fill(0x20);
  let sent = 0;
  let release: (() => void) | null = null;
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (options.stallAfter !== undefined && sent >= options.stallAfter) await released;
      if (sent >= total) {
        controller.close();
        return;
      }
      const size = Math.min(chunk.length, total - sent);
      sent += size;
      controller.enqueue(chunk.subarray(0, size));
    },
  });
  return { stream, pulled: () => sent, release: () => release?.() };
}

async function post(app: App, body: BodyInit, headers: Record<string, string>): Promise<Response> {
  return app.request('/webhooks/github', { method: 'POST', body, headers, duplex: 'half' } as RequestInit);
}

describe('webhook receiver limits', () => {
  let open: TestServices;
  let noSecrets: TestServices;

  beforeAll(async () => {
    open = await webhookTestServices({
      config: { webhooks: { secrets: [SECRET], unverifiedBodyBudget: 30 * MiB } },
    });
    noSecrets = await webhookTestServices();
  });
  afterAll(async () => {
    await open?.close();
    await noSecrets?.close();
  });

  it('refuses at once, without reading the body, when no secret is configured', async () => {
    const body = countingStream(20 * MiB);
    const response = await post(createApp(noSecrets.services), body.stream, {
      'content-type': 'application/json',
      'x-github-event': 'push',
      'x-hub-signature-256': `sha256=${'0'.repeat(64)}`,
    });
    expect(response.status).toBe(401);
    expect(body.pulled()).toBeLessThan(MiB);
  });

  it('refuses at once, without reading the body, a delivery with no or a malformed signature', async () => {
    const app = createApp(open.services);
    for (const signature of [undefined, 'sha256=zz', 'sha1=abcd']) {
      const body = countingStream(20 * MiB);
      const headers: Record<string, string> = { 'content-type': 'application/json', 'x-github-event': 'push' };
      if (signature !== undefined) headers['x-hub-signature-256'] = signature;
      const response = await post(app, body.stream, headers);
      expect(response.status, signature).toBe(401);
      expect(body.pulled(), signature).toBeLessThan(MiB);
    }
  });

  it('answers 503 with Retry-After once unverified bodies in flight would pass the budget', async () => {
    const app = createApp(open.services);
    const headers = (size: number) => ({
      'content-type': 'application/json',
      'content-length': String(size),
      'x-github-event': 'push',
      'x-hub-signature-256': `sha256=${hexHmac('not-the-secret', new Uint8Array(0))}`,
    });
    const first = countingStream(20 * MiB, { stallAfter: MiB });
    const pending = post(app, first.stream, headers(20 * MiB));
    // Wait until the first request is being read, so its bytes are in flight.
    for (let i = 0; i < 200 && first.pulled() < MiB; i++) await new Promise((resolve) => setTimeout(resolve, 5));
    const second = countingStream(20 * MiB);
    const refused = await post(app, second.stream, headers(20 * MiB));
    expect(refused.status).toBe(503);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(second.pulled()).toBeLessThan(MiB);
    first.release();
    expect((await pending).status).toBe(401);
    // The budget is given back: a signed delivery of the same size now gets through.
    const payload = jsonBody({ zen: 'x'.repeat(20 * MiB), hook_id: 1 });
    const ok = await post(app, payload, forgeHeaders('github', payload, SECRET, { event: 'ping' }));
    expect(ok.status).toBe(200);
  });

  it('verifies a large chunked body signed with the secret while it streams, and refuses a tampered one', async () => {
    const app = createApp(open.services);
    const payload = jsonBody({ zen: 'y'.repeat(24 * MiB), hook_id: 2 });
    const signed = forgeHeaders('github', payload, SECRET, { event: 'ping' });
    const chunked = (bytes: Uint8Array) =>
      new ReadableStream<Uint8Array>({
        start(controller) {
          for (let offset = 0; offset < bytes.length; offset += 100_000) {
            controller.enqueue(bytes.slice(offset, offset + 100_000));
          }
          controller.close();
        },
      });
    open.logs.length = 0;
    expect((await post(app, chunked(payload), signed)).status).toBe(200);
    // One line per delivery at the default level (info): the request line, not two (item 17).
    const shown = open.logs.filter((entry) => entry.level !== 'debug' && entry.level !== 'trace');
    expect(shown.map((entry) => entry.message)).toHaveLength(1);
    expect(open.logs.filter((entry) => entry.message === 'webhook delivery received')).toHaveLength(1);
    const tampered = payload.slice();
    tampered[tampered.length - 3] = 0x7a;
    expect((await post(app, chunked(tampered), signed)).status).toBe(401);
  });
});
