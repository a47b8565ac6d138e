/**
 * What the end-to-end suites inside workerd share: the scenario's API steps (test/support/scenario.ts)
 * aimed at the Worker of wrangler.toml (SELF) or at a Durable Object's stub, and publishing releases.
 */
import { SELF } from 'cloudflare:test';
import * as scenario from '../support/scenario.js';
import { TEST_ADMIN_TOKEN, TEST_WEBHOOK_SECRET } from './secrets.js';

export const origin = 'https://bridge.test';

/** Where requests go: the Worker of wrangler.toml (SELF), or a Durable Object's stub directly. */
export interface Target {
  fetch(url: string, init?: RequestInit): Promise<Response>;
}

/** The scenario's view of a target: the admin token and webhook secret of test/workerd/secrets.ts. */
export function serviceAt(target: Target = SELF): scenario.ScenarioService {
  return {
    url: origin,
    adminToken: TEST_ADMIN_TOKEN,
    webhookSecret: TEST_WEBHOOK_SECRET,
    fetch: (input, init) => target.fetch(input, init),
  };
}

export function api<T>(method: string, path: string, body?: unknown, target: Target = SELF) {
  return scenario.api<T>(serviceAt(target), method, path, body);
}

export function waitFor(condition: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  return scenario.waitFor('condition', condition, timeoutMs);
}

export function addRegistry(name: string, url: string, target: Target = SELF): Promise<void> {
  return scenario.addRegistry(serviceAt(target), name, url);
}

export function catalogueVersions(applicationId: string, target: Target = SELF): Promise<string[]> {
  return scenario.catalogueVersions(serviceAt(target), applicationId);
}

/** A signed GitHub `push` of a tag; the answer's status. */
export function sendTagPush(
  cloneUrl: string,
  htmlUrl: string,
  tag: string,
  deliveryId: string,
  target: Target = SELF,
): Promise<number> {
  return scenario.sendTagPush(serviceAt(target), { cloneUrl, htmlUrl }, tag, deliveryId);
}

/** Publishes a release on the Node side (test/support/workerd-setup.ts). */
export async function publish(controlUrl: string, repo: string, version: string): Promise<void> {
  const response = await fetch(`${controlUrl}/publish?repo=${repo}&tag=v${version}&version=${version}`, {
    method: 'POST',
  });
  await response.text();
  if (response.status !== 200) throw new Error(`publishing ${repo} v${version} failed: ${response.status}`);
}
