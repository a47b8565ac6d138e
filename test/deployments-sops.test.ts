/**
 * Sensitive values end to end (issue 15) on the fake GitHub: a repository with age recipients
 * gets a pull request whose files carry the sensitive values SOPS-encrypted (ApplicationDeployment
 * entries, Helm values overlays, env files, Flux Secrets read by `valuesFrom`). Every encrypted
 * file decrypts with `sops-age` to exactly what `margo-bridge render` writes in plaintext, its MAC
 * verifies, a wrong key fails, and no sensitive value appears in plaintext in the repository's
 * objects, the pull request, the API answers or the log. Without recipients the request is
 * refused, unless the repository allows plaintext, which the pull request then says.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateIdentity, identityToRecipient } from 'age-encryption';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  cliRendering,
  type DeploymentBody,
  digitronRequest,
  digitronValues,
  type GitHubWorld,
  gitHubWorld,
  githubDeploymentRepository,
} from './support/deployment-e2e.js';
import type { FakeGitHub } from './support/fake-github/index.js';
import { kustomize, writeTree } from './support/kustomize.js';
import { nativeRepository } from './support/native-git.js';
import { sopsDecrypt, verifyDotenvMac, verifyYamlMac } from './support/sops-check.js';

/** Distinctive secrets: a plaintext occurrence anywhere is a leak. */
const SECRETS = { adminName: 'Adm1n-S3cret-Ω-value', siteId: 'S1TE-S3cret-4242' };
const values = { ...digitronValues, ...SECRETS };

let world: GitHubWorld;
let gh: FakeGitHub;
let identity: string;
let identity2: string;
let recipients: string[];
let repoCount = 0;

beforeAll(async () => {
  world = await gitHubWorld();
  gh = world.gh;
  identity = await generateIdentity();
  identity2 = await generateIdentity();
  recipients = [await identityToRecipient(identity), await identityToRecipient(identity2)];
}, 60_000);

afterAll(async () => {
  await world?.close();
});

const call = <T = DeploymentBody>(method: string, path: string, body?: unknown) =>
  world.harness.call<T>(method, path, body);

async function repository(format: string, extra: Record<string, unknown>): Promise<string> {
  const repo = `sops-${++repoCount}`;
  await githubDeploymentRepository(world, gh, repo, {
    permissions: { contents: 'write', pull_requests: 'write', metadata: 'read' },
    settings: { format, ...extra },
  });
  return repo;
}

const request = (repo: string, profile = 'helm', target = 'plant-a/line-3') =>
  digitronRequest(repo, target, { profile, values, sensitive: Object.keys(SECRETS) });

/** Every object of the bare repository, as git prints it (blobs, trees, commits uncompressed). */
function allObjects(gitDir: string): string {
  return execFileSync('git', ['--git-dir', gitDir, 'cat-file', '--batch-all-objects', '--batch'], {
    encoding: 'latin1',
    maxBuffer: 64 * 1024 * 1024,
  });
}

function expectNoSecret(text: string, where: string): void {
  for (const secret of Object.values(SECRETS)) expect(text.includes(secret), `${secret} in ${where}`).toBe(false);
}

/** Helm's merge of `valuesFrom` (first) and inline `values` (over it): deep for maps. */
function merged(base: unknown, over: unknown): unknown {
  if (base && over && typeof base === 'object' && typeof over === 'object' && !Array.isArray(over)) {
    const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
    for (const [key, value] of Object.entries(over)) out[key] = merged(out[key], value);
    return out;
  }
  return over ?? base;
}

describe('sensitive values with SOPS', () => {
  it('commits flux files whose sensitive values are SOPS-encrypted and decrypt to the plaintext rendering', async () => {
    const repo = await repository('flux', { sops: { ageRecipients: recipients } });
    const answer = await call('POST', '/api/v1/deployments', request(repo));
    expect(answer.status, JSON.stringify(answer.body)).toBe(201);
    expect(answer.body.state).toBe('proposed');
    expectNoSecret(JSON.stringify(answer.body), 'the create answer');

    const native = nativeRepository(gh.git('acme', repo).gitDir);
    const branch = (await native.files(answer.body.proposal!.branch))!;
    const folder = `plant-a/line-3/${answer.body.name}`;
    const deploymentFile = `${folder}/application-deployment.yaml`;
    const decryptedDeployment = await sopsDecrypt(branch[deploymentFile]!, identity, 'yaml');
    // The CLI renders the same request in plaintext, with the branch's id and name.
    const expected = await cliRendering({
      profile: 'helm',
      target: 'plant-a/line-3',
      namespace: 'margo-poc',
      format: 'flux',
      values,
      previousDeployment: JSON.stringify(decryptedDeployment),
    });

    // Every file with a secret is a SOPS file; each decrypts (both recipients) to the rendering.
    const sopsFiles = Object.keys(branch).filter((path) => /\bsops(:|_mac=)/.test(branch[path]!));
    expect(sopsFiles.sort()).toEqual(
      [
        deploymentFile,
        `${folder}/flux/database-services.secret.yaml`,
        `${folder}/flux/digitron-orchestrator.secret.yaml`,
        `${folder}/values/database-services.yaml`,
        `${folder}/values/digitron-orchestrator.yaml`,
      ].sort(),
    );
    for (const path of sopsFiles) {
      await verifyYamlMac(branch[path]!, identity);
      await verifyYamlMac(branch[path]!, identity2);
      const decrypted = await sopsDecrypt(branch[path]!, identity2, 'yaml');
      // The Secrets exist only here; every other SOPS file has its plaintext twin in the rendering.
      if (!path.endsWith('.secret.yaml')) expect(decrypted, path).toEqual(parse(expected[path]!));
    }
    expect(decryptedDeployment).toEqual(parse(expected[deploymentFile]!));
    // The release's values: Secret (valuesFrom) merged under the inline rest equal the plaintext ones.
    for (const component of ['database-services', 'digitron-orchestrator']) {
      const releasePath = `${folder}/flux/${component}.helmrelease.yaml`;
      const release = parse(branch[releasePath]!) as { spec: { values?: unknown; valuesFrom: unknown[] } };
      const secret = (await sopsDecrypt(branch[`${folder}/flux/${component}.secret.yaml`]!, identity, 'yaml')) as {
        metadata: { name: string };
        stringData: Record<string, string>;
      };
      expect(release.spec.valuesFrom).toEqual([
        { kind: 'Secret', name: secret.metadata.name, valuesKey: 'values.yaml' },
      ]);
      const plain = parse(expected[releasePath]!) as { spec: { values: unknown } };
      expect(merged(parse(secret.stringData['values.yaml']!), release.spec.values ?? {})).toEqual(plain.spec.values);
      const { values: _v, valuesFrom: _f, ...restSpec } = release.spec;
      const { values: _p, ...plainRest } = plain.spec as Record<string, unknown>;
      expect(restSpec).toEqual(plainRest);
    }
    // A wrong key opens nothing.
    const stranger = await generateIdentity();
    await expect(sopsDecrypt(branch[deploymentFile]!, stranger, 'yaml')).rejects.toThrow();
    await expect(verifyYamlMac(branch[deploymentFile]!, stranger)).rejects.toThrow();

    // .sops.yaml rules for both recipients; kustomize builds the folder with the Secrets listed.
    expect(parse(branch['.sops.yaml']!).creation_rules[0].age).toBe(recipients.join(','));
    const dir = mkdtempSync(join(tmpdir(), 'mb-sops-'));
    try {
      writeTree(
        dir,
        Object.entries(branch).map(([path, content]) => ({ path, content })),
      );
      const kinds = kustomize(join(dir, folder)).map((object) => object.kind);
      expect(kinds.filter((kind) => kind === 'Secret')).toHaveLength(2);
      expect(kinds.filter((kind) => kind === 'HelmRelease')).toHaveLength(2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }

    // No plaintext anywhere: repository objects, pull request, API answers, log.
    expectNoSecret(allObjects(gh.git('acme', repo).gitDir), 'the repository objects');
    const [pull] = gh.pulls('acme', repo);
    expectNoSecret(`${pull!.title}\n${pull!.body}`, 'the pull request');
    expect(pull!.body).toContain('SOPS-encrypted');
    const shown = await call('GET', `/api/v1/deployments/${answer.body.id}`);
    expectNoSecret(JSON.stringify(shown.body), 'GET deployment');
    const listed = await call('GET', '/api/v1/deployments');
    expectNoSecret(JSON.stringify(listed.body), 'the deployment list');
    expectNoSecret(JSON.stringify(world.harness.logs), 'the log');
  });

  it('encrypts every value of a compose env file, readable back with sops-age', async () => {
    const repo = await repository('margo', { sops: { ageRecipients: recipients } });
    const answer = await call('POST', '/api/v1/deployments', request(repo, 'compose', 'plant-c'));
    expect(answer.status, JSON.stringify(answer.body)).toBe(201);
    const branch = (await nativeRepository(gh.git('acme', repo).gitDir).files(answer.body.proposal!.branch))!;
    const envPath = Object.keys(branch).find((path) => path.endsWith('.env'))!;
    await verifyDotenvMac(branch[envPath]!, identity);
    const env = (await sopsDecrypt(branch[envPath]!, identity, 'env')) as Record<string, string>;
    expect(env.SITE_ID).toBe(`'${SECRETS.siteId}'`);
    expect(env.ADMIN_NAME).toBe(`'${SECRETS.adminName}'`);
    expectNoSecret(allObjects(gh.git('acme', repo).gitDir), 'the repository objects');
  });

  it('refuses sensitive values without recipients, naming the parameters and the fix', async () => {
    const repo = await repository('flux', {});
    const refused = await call('POST', '/api/v1/deployments', request(repo));
    expect(refused.status).toBe(400);
    const message = refused.body.error!.message;
    expect(message).toContain("'adminName', 'siteId'");
    expect(message).toContain('sops.ageRecipients');
    expect(message).toContain('allowPlaintextSecrets');
    expectNoSecret(JSON.stringify(refused.body), 'the refusal');
    expect(gh.pulls('acme', repo)).toHaveLength(0);
  });

  it('refuses sensitive values for argocd even with recipients (Argo CD cannot decrypt SOPS)', async () => {
    const repo = await repository('argocd', { sops: { ageRecipients: recipients } });
    const refused = await call('POST', '/api/v1/deployments', request(repo));
    expect(refused.status).toBe(400);
    expect(refused.body.error!.message).toContain('argocd');
  });

  it('writes plaintext when the repository allows it, and the pull request says so', async () => {
    const repo = await repository('flux', { allowPlaintextSecrets: true });
    const answer = await call('POST', '/api/v1/deployments', request(repo));
    expect(answer.status, JSON.stringify(answer.body)).toBe(201);
    const [pull] = gh.pulls('acme', repo);
    expect(pull!.body).toMatch(/plaintext.*allowPlaintextSecrets: true/);
    expectNoSecret(pull!.body ?? '', 'the pull request body');
  });

  it('rejects a bad age recipient when the repository is saved', async () => {
    const bad = await call('POST', '/api/v1/deployment-repositories', {
      name: 'bad-recipient',
      provider: 'local',
      sops: { ageRecipients: ['age1notakey'] },
    });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('sops.ageRecipients[0]');
  });
});
