/**
 * A fake GitHub for tests (README.md beside this file): real bare Git repositories over smart HTTP
 * plus a stateful subset of GitHub's REST API computed from them, on 127.0.0.1, port 0.
 *
 *   const gh = await startFakeGitHub();
 *   await gh.createRepo({ owner: 'acme', repo: 'deploy', files: { 'README.md': '# deploy\n' } });
 *   const token = gh.addToken({ permissions: { contents: 'write', pull_requests: 'write' } });
 *   const octokit = new Octokit({ baseUrl: gh.apiUrl, auth: token });
 *   ...
 *   await gh.stop();
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FaultInjector, type FaultRule } from './faults.js';
import type { BareRepository } from './git.js';
import { openApiProblems } from './openapi.js';
import { compileRoute } from './router.js';
import { appRoutes } from './routes/app.js';
import { gitDataRoutes } from './routes/git-data.js';
import { labelRoutes } from './routes/labels.js';
import { pullRoutes } from './routes/pulls.js';
import { repoRoutes } from './routes/repos.js';
import { createListener, type RequestRecord, type ResponseRecord } from './server.js';
import type { PullRecord } from './shapes.js';
import { type CreateRepoOptions, FakeState, nowIso, type Permissions, type RepoState } from './state.js';
import { type Delivery, pullRequestPayload, sendDelivery, type WebhookTarget } from './webhooks.js';

export type { Fault, FaultRule } from './faults.js';
export type { RequestRecord, ResponseRecord } from './server.js';
export type { CreateRepoOptions, Permissions } from './state.js';
export type { Delivery, WebhookTarget } from './webhooks.js';

export interface FakeGitHubOptions {
  /** Directory for the bare repositories; a temporary one (removed by stop) when absent. */
  root?: string;
  /** Requests per hour per token before GitHub's primary limit answers (403, remaining 0). Default 5000. */
  rateLimit?: number;
  /** Lifetime of installation tokens. Default one hour, as GitHub. */
  installationTokenTtlMs?: number;
  /**
   * stop() fails when any REST answer departs from GitHub's OpenAPI description (openapi.ts).
   * Default: on when the environment sets FAKE_GITHUB_CHECK_OPENAPI=1, so any suite can be run so.
   */
  checkOpenApi?: boolean;
  /** Keep every REST answer in `responses` (for OpenAPI checks). Default true; benchmarks turn it off. */
  recordResponses?: boolean;
}

export interface TokenOptions {
  /** Default: a random `ghp_…` value. */
  token?: string;
  /** Default contents write, pull requests write, metadata read. */
  permissions?: Permissions;
  /** `owner/repo` names the token sees; every repository when absent. */
  repositories?: string[];
  /** Login of the token's user. Default `octocat`. */
  login?: string;
  /** Epoch ms after which the token answers 401 "Bad credentials". */
  expiresAt?: number;
}

export interface AppOptions {
  /** Default: a fresh id. */
  appId?: number;
  /** PEM (SPKI) public key of the app; default: a key pair is generated and its private key returned. */
  publicKey?: string;
  slug?: string;
  installations: { id?: number; owner: string; repositories?: string[]; permissions?: Permissions }[];
}

export interface FakeApp {
  appId: number;
  /** PKCS#8 PEM, only when the fake generated the key pair. */
  privateKey: string | undefined;
  installationIds: number[];
}

export interface FakeGitHub {
  /** Octokit's `baseUrl`: REST at the root (`/repos/…`, `/app/…`). */
  apiUrl: string;
  /** Clone URL `…/<owner>/<repo>.git`; authenticate with Basic `x-access-token:<token>`. */
  gitUrl(owner: string, repo: string): string;
  createRepo(options: CreateRepoOptions): Promise<RepoState>;
  /** Native git on a repository's bare directory (for test assertions). */
  git(owner: string, repo: string): BareRepository;
  /**
   * Commits files (content, or null to delete) on a branch straight into the repository, outside the
   * API and the request log: a test's starting state, a base branch that moves meanwhile. Answers the commit.
   */
  commitFiles(
    owner: string,
    repo: string,
    change: { branch: string; files: Record<string, string | Buffer | null>; message?: string; parent?: string },
  ): Promise<string>;
  addToken(options?: TokenOptions): string;
  /** Makes every token (installation tokens included) expire now. */
  expireTokens(): void;
  addApp(options: AppOptions): FakeApp;
  injectFault(rule: FaultRule): void;
  clearFaults(): void;
  /** Injected faults that have not fired yet. */
  pendingFaults(): number;
  /** Every request, REST and Git, in order. */
  readonly requests: RequestRecord[];
  /** Requests per `METHOD route`, e.g. `{ 'POST /repos/{owner}/{repo}/pulls': 1 }`. REST only unless `git` is set. */
  routeCounts(options?: { git?: boolean }): Record<string, number>;
  clearRequests(): void;
  /** Every REST response (status, headers, JSON body) for OpenAPI checks (see openapi.ts). */
  readonly responses: ResponseRecord[];
  /** Pull requests of a repository as the fake holds them. */
  pulls(owner: string, repo: string): PullRecord[];
  /** Deliver `pull_request` events (closed, merged) to this receiver after every close or merge in the repository. */
  addWebhook(owner: string, repo: string, target: WebhookTarget): void;
  /** Sends one signed `pull_request` delivery now (any action, e.g. `closed`). */
  sendPullRequestEvent(
    owner: string,
    repo: string,
    number: number,
    action: string,
    target: WebhookTarget,
  ): Promise<Delivery>;
  /** Deliveries made so far (after awaiting the ones in flight). */
  deliveries(): Promise<Delivery[]>;
  stop(): Promise<void>;
}

export async function startFakeGitHub(options: FakeGitHubOptions = {}): Promise<FakeGitHub> {
  const state = await FakeState.create(options.root);
  const faults = new FaultInjector();
  const requests: RequestRecord[] = [];
  const responses: ResponseRecord[] = [];
  const hooks: { repo: string; target: WebhookTarget }[] = [];
  const delivered: Delivery[] = [];
  const inFlight = new Set<Promise<unknown>>();
  let baseUrl = '';
  const routes = [
    ...gitDataRoutes,
    ...repoRoutes,
    ...pullRoutes,
    ...labelRoutes,
    ...appRoutes({ installationTokenTtlMs: options.installationTokenTtlMs ?? 3_600_000 }),
  ].map(compileRoute);

  const repoOf = (owner: string, repo: string): RepoState => {
    const found = state.repo(owner, repo);
    if (!found) throw new Error(`fake GitHub: no repository ${owner}/${repo}`);
    return found;
  };

  async function deliver(repo: RepoState, pull: PullRecord, action: string, target: WebhookTarget) {
    const sender = pull.mergedBy ?? pull.user;
    const payload = await pullRequestPayload(baseUrl, repo, pull, action, sender, target.installationId);
    const delivery = await sendDelivery(target, 'pull_request', payload);
    delivered.push(delivery);
    return delivery;
  }

  const listener = createListener({
    state,
    routes,
    faults,
    requests,
    responses,
    rateLimit: options.rateLimit ?? 5000,
    recordResponses: options.recordResponses ?? true,
    baseUrl: () => baseUrl,
    pullClosed: (repo, pull) => {
      const name = `${repo.record.owner.login}/${repo.record.name}`.toLowerCase();
      for (const hook of hooks.filter((candidate) => candidate.repo === name)) {
        const promise = deliver(repo, pull, 'closed', hook.target).finally(() => inFlight.delete(promise));
        inFlight.add(promise);
      }
    },
  });
  const server = createServer(listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    apiUrl: baseUrl,
    gitUrl: (owner, repo) => `${baseUrl}/${owner}/${repo}.git`,
    createRepo: (repoOptions) => state.createRepo(repoOptions),
    git: (owner, repo) => repoOf(owner, repo).git,
    commitFiles: async (owner, repo, change) => {
      const found = repoOf(owner, repo);
      const author = { name: 'Fake GitHub', email: 'noreply@github.invalid', date: nowIso() };
      const sha = await found.git.commitFiles({ message: 'Change\n', ...change, author });
      found.pushedAt = nowIso();
      return sha;
    },
    addToken: (tokenOptions = {}) => {
      const token = tokenOptions.token ?? `ghp_${randomBytes(18).toString('base64url')}`;
      state.tokens.set(token, {
        token,
        kind: 'user',
        actor: state.account(tokenOptions.login ?? 'octocat', 'User'),
        permissions: tokenOptions.permissions ?? { contents: 'write', pull_requests: 'write', metadata: 'read' },
        repositories: tokenOptions.repositories,
        expiresAt: tokenOptions.expiresAt,
      });
      return token;
    },
    expireTokens: () => {
      for (const token of state.tokens.values()) token.expiresAt = Date.now() - 1;
    },
    addApp: (appOptions) => {
      let publicKey = appOptions.publicKey;
      let privateKey: string | undefined;
      if (!publicKey) {
        const pair = generateKeyPairSync('rsa', {
          modulusLength: 2048,
          publicKeyEncoding: { type: 'spki', format: 'pem' },
          privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
        });
        publicKey = pair.publicKey;
        privateKey = pair.privateKey;
      }
      const id = appOptions.appId ?? state.nextId();
      const slug = appOptions.slug ?? `fake-app-${id}`;
      const installations = appOptions.installations.map((installation) => ({
        id: installation.id ?? state.nextId(),
        account: state.account(installation.owner, 'Organization'),
        repositories: installation.repositories?.map((repo) => `${installation.owner}/${repo}`),
        permissions: installation.permissions ?? { contents: 'write', pull_requests: 'write', metadata: 'read' },
        createdAt: nowIso(),
      }));
      state.apps.set(id, { id, slug, publicKey, owner: state.account(`${slug}-owner`), installations });
      return { appId: id, privateKey, installationIds: installations.map((installation) => installation.id) };
    },
    injectFault: (rule) => faults.add(rule),
    clearFaults: () => faults.clear(),
    pendingFaults: () => faults.pending(),
    requests,
    routeCounts: (countOptions = {}) => {
      const counts: Record<string, number> = {};
      for (const record of requests) {
        const isGit = record.route?.startsWith('/{owner}/{repo}.git') ?? false;
        if (isGit && !countOptions.git) continue;
        const key = `${record.method} ${record.route ?? record.path}`;
        counts[key] = (counts[key] ?? 0) + 1;
      }
      return counts;
    },
    clearRequests: () => {
      requests.length = 0;
    },
    responses,
    pulls: (owner, repo) => repoOf(owner, repo).pulls,
    addWebhook: (owner, repo, target) => {
      hooks.push({ repo: `${owner}/${repo}`.toLowerCase(), target });
    },
    sendPullRequestEvent: (owner, repo, number, action, target) => {
      const found = repoOf(owner, repo);
      const pull = found.pulls.find((candidate) => candidate.number === number);
      if (!pull) throw new Error(`fake GitHub: no pull request #${number} in ${owner}/${repo}`);
      return deliver(found, pull, action, target);
    },
    deliveries: async () => {
      await Promise.allSettled([...inFlight]);
      return [...delivered];
    },
    stop: async () => {
      await Promise.allSettled([...inFlight]);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      if (!options.root) await state.dispose();
      if (options.checkOpenApi ?? process.env.FAKE_GITHUB_CHECK_OPENAPI === '1') {
        const problems = openApiProblems(responses);
        if (problems.length > 0)
          throw new Error(`fake GitHub answered outside GitHub's OpenAPI description:\n${problems.join('\n')}`);
      }
    },
  };
}
