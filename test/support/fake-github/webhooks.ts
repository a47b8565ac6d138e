/**
 * Signed `pull_request` webhook deliveries as GitHub sends them: the payload shape of
 * `@octokit/webhooks-examples` (action, number, pull_request, repository, sender, installation)
 * and GitHub's headers (X-GitHub-Event, X-GitHub-Delivery, X-Hub-Signature-256, ...).
 */
import { createHmac, randomUUID } from 'node:crypto';
import { pullLive, pullRequest } from './pull-shape.js';
import { type Account, type PullRecord, repository, simpleUser } from './shapes.js';
import type { RepoState } from './state.js';

export interface WebhookTarget {
  url: string;
  secret: string;
  /** Installation id put in the payload (deliveries of a GitHub App). */
  installationId?: number;
}

export interface Delivery {
  id: string;
  event: string;
  action: string;
  url: string;
  /** Answer of the receiver; 0 when it could not be reached. */
  status: number;
  payload: Record<string, unknown>;
}

export async function pullRequestPayload(
  base: string,
  repo: RepoState,
  pull: PullRecord,
  action: string,
  sender: Account,
  installationId?: number,
): Promise<Record<string, unknown>> {
  const openIssues = repo.pulls.filter((candidate) => candidate.state === 'open').length;
  return {
    action,
    number: pull.number,
    pull_request: pullRequest(base, repo, pull, await pullLive(repo, pull)),
    repository: repository(base, repo.record, repo.pushedAt, openIssues),
    sender: simpleUser(base, sender),
    ...(installationId !== undefined
      ? {
          installation: {
            id: installationId,
            node_id: Buffer.from(`0:Installation${installationId}`).toString('base64'),
          },
        }
      : {}),
  };
}

/** Sends one signed delivery and returns what the receiver answered. */
export async function sendDelivery(
  target: WebhookTarget,
  event: string,
  payload: Record<string, unknown>,
): Promise<Delivery> {
  const body = JSON.stringify(payload);
  const id = randomUUID();
  const sign = (algorithm: 'sha1' | 'sha256') => createHmac(algorithm, target.secret).update(body).digest('hex');
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'user-agent': 'GitHub-Hookshot/fake',
    'x-github-event': event,
    'x-github-delivery': id,
    'x-github-hook-id': '1',
    'x-github-hook-installation-target-type': target.installationId === undefined ? 'repository' : 'integration',
    'x-github-hook-installation-target-id': String(target.installationId ?? 1),
    'x-hub-signature': `sha1=${sign('sha1')}`,
    'x-hub-signature-256': `sha256=${sign('sha256')}`,
  };
  let status = 0;
  try {
    const response = await fetch(target.url, { method: 'POST', headers, body, signal: AbortSignal.timeout(10_000) });
    status = response.status;
    await response.arrayBuffer();
  } catch {
    status = 0;
  }
  return { id, event, action: String(payload.action), url: target.url, status, payload };
}
