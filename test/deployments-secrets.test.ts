/**
 * Deployment-repository credentials (a GitHub App's private key, tokens, a Git password, a TLS
 * client key, a forge token) are sealed at rest and never come back: not in any API answer
 * (create, list, get, change, a failed connection test), not in a log line, and in no file of
 * the data directory in clear (the SQLite database, its WAL, the key file aside).
 */
import { generateKeyPairSync } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from './support/service-harness.js';

let harness: Harness;
let github: Server;
let apiUrl: string;
const privateKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({
  type: 'pkcs8',
  format: 'pem',
}) as string;
// A line from inside the key: what a leak of any part of it would show.
const keyLine = privateKey.split('\n')[5] as string;
const secrets = {
  keyLine,
  githubToken: 'ghp_review-secret-github-token',
  password: 'review-secret-git-password',
  clientKeyLine: 'review-secret-client-key-body',
  forgeToken: 'review-secret-forge-token',
};

beforeAll(async () => {
  harness = await startHarness();
  // A GitHub that refuses every credential: connection tests fail at once, with GitHub's message.
  github = createServer((_request, response) => {
    response.writeHead(401, { 'content-type': 'application/json' });
    response.end('{"message":"Bad credentials"}');
  });
  await new Promise<void>((resolve) => github.listen(0, '127.0.0.1', resolve));
  apiUrl = `http://127.0.0.1:${(github.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await harness?.close();
  await new Promise((resolve) => github?.close(resolve));
});

function expectNoSecret(text: string): void {
  for (const [name, secret] of Object.entries(secrets)) expect(text, name).not.toContain(secret);
}

async function filesBelow(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name));
}

describe('deployment repository credentials', () => {
  it('are never answered, logged or stored in clear', { timeout: 60_000 }, async () => {
    const app = {
      name: 'app-fleet',
      provider: 'github',
      // The connection test fails (401), and its message must not carry the key.
      github: {
        owner: 'acme',
        repo: 'fleet',
        apiUrl,
        auth: { type: 'app', appId: 42, installationId: 7, privateKey },
      },
    };
    const failed = await harness.call('POST', '/api/v1/deployment-repositories', app);
    expect(failed.status).toBeGreaterThanOrEqual(400);
    expectNoSecret(JSON.stringify(failed.body));

    const answers: unknown[] = [failed.body];
    answers.push((await harness.call('POST', '/api/v1/deployment-repositories?force=true', app)).body);
    const token = {
      name: 'token-fleet',
      provider: 'github',
      github: { owner: 'acme', repo: 'fleet2', apiUrl, auth: { type: 'token', token: secrets.githubToken } },
    };
    answers.push((await harness.call('POST', '/api/v1/deployment-repositories?force=true', token)).body);
    const git = {
      name: 'git-fleet',
      provider: 'git',
      git: {
        url: 'https://git.example.invalid/acme/fleet.git',
        auth: { type: 'basic', username: 'bot', password: secrets.password },
        clientCert: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n',
        clientKey: `-----BEGIN PRIVATE KEY-----\n${secrets.clientKeyLine}\n-----END PRIVATE KEY-----\n`,
        forge: {
          type: 'gitea',
          apiUrl: 'https://git.example.invalid/api/v1',
          repository: 'acme/fleet',
          token: secrets.forgeToken,
        },
      },
    };
    const created = await harness.call<{ id: string }>('POST', '/api/v1/deployment-repositories?force=true', git);
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    answers.push(created.body);
    answers.push((await harness.call('GET', '/api/v1/deployment-repositories')).body);
    answers.push((await harness.call('GET', `/api/v1/deployment-repositories/${created.body.id}`)).body);
    answers.push(
      (await harness.call('PATCH', `/api/v1/deployment-repositories/${created.body.id}`, { labels: ['x'] })).body,
    );
    expectNoSecret(JSON.stringify(answers));
    expectNoSecret(JSON.stringify(harness.logs));

    // At rest: sealed, so no file of the data directory holds a credential in clear.
    const dataDir = harness.runtime.services.config.dataDir;
    const files = await filesBelow(dataDir);
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) expectNoSecret((await readFile(file)).toString('latin1'));
    // The provider still gets them: the sealed settings open to what was given.
    const record = await harness.runtime.services.store.deploymentRepositories.getByName('git-fleet');
    const opened = await harness.runtime.services.secretBox.open(record!.secretsCiphertext as string);
    expect(opened).toContain(secrets.password);
    expect(opened).toContain(secrets.forgeToken);
  });
});
