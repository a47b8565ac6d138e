/**
 * The end-to-end scenario of issue 14, over HTTP only (fetch and WebCrypto, no Node built-ins, so
 * that every runtime's test can run it): a registry is created over the API, a tag is pushed and
 * announced by a signed GitHub delivery, the version is ingested, deployments are requested, and
 * each becomes one pull request on the fake GitHub holding exactly the rendered files; more tags
 * then upgrade the deployments (policy `minor`) in place, in the same pull requests.
 *
 * `runScenario(world)` drives any number of service instances sharing one database: the steps
 * alternate between them, and every delivery of the first tag goes to all of them at once (one
 * answers 202, the others 200: a duplicate). What is left to check per runtime (the jobs table,
 * processes) is up to the caller; `jobOutcomes` reads what each instance ran from its /metrics.
 */
import { fromBase64, toHex, utf8 } from '../../src/bytes.js';

/** The application of the scenario's registry (scenario-world.ts `scenarioRelease` gives it this id). */
export const SCENARIO_APPLICATION = 'com-northstartida-hello-scenario';
export const SCENARIO_REGISTRY = 'scenario';
export const SCENARIO_REPOSITORY = 'fleet';
/** The release every scenario registry starts with; `runScenario` publishes the later ones. */
export const FIRST_VERSION = '1.0.0';
const DEPLOYED_VERSION = '1.1.0';
const LATER_VERSIONS = ['1.2.0', '1.3.0'];

type Fetch = (input: string, init?: RequestInit) => Promise<Response>;

export interface ScenarioService {
  /** Base URL, without a trailing slash. */
  url: string;
  adminToken: string;
  webhookSecret: string;
  /** Default the global fetch (inside workerd: `SELF.fetch`). */
  fetch?: Fetch;
}

export interface FakeGitHubAccess {
  apiUrl: string;
  token: string;
  owner: string;
  repo: string;
}

export interface ScenarioWorld {
  services: ScenarioService[];
  /** The registry's clone URL and web address, as a forge's payload names them. */
  registry: { cloneUrl: string; htmlUrl: string };
  github: FakeGitHubAccess;
  /** Tags `v<version>` in the registry (the release's chart revision follows the version). */
  publish(version: string): Promise<void>;
  /**
   * Waits until the instances have nothing left to run. Default: no job pending or running
   * (`waitForIdleQueue`); on Workers a stand-by job waits for the next Cron Trigger instead.
   */
  idle?(): Promise<void>;
}

export interface DeploymentView {
  id: string;
  version: string;
  state: string;
  target: string;
  upgradePolicy: string;
  proposal: { id: string; number: number | null; state: string; version: string; commit: string | null } | null;
  files?: { path: string; sha256: string }[];
}

export interface ScenarioResult {
  deployments: DeploymentView[];
  /** Every delivery id sent, with the statuses the instances answered. */
  deliveries: Record<string, number[]>;
}

/** `what` may be a function: what was last seen, for the error. */
export async function waitFor(
  what: string | (() => string),
  condition: () => Promise<boolean>,
  timeoutMs = 30_000,
): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > until) throw new Error(`${typeof what === 'string' ? what : what()}: not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** An API call as the admin; the body is parsed when it is JSON. */
export async function api<T>(
  service: ScenarioService,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: T }> {
  const response = await (service.fetch ?? fetch)(`${service.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${service.adminToken}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: (text.startsWith('{') ? JSON.parse(text) : text) as T };
}

/** Adds a registry over the API (plain HTTP: the test Git server), polled hourly unless something asks. */
export async function addRegistry(service: ScenarioService, name: string, url: string): Promise<void> {
  const created = await api(service, 'POST', '/api/v1/registries', { name, url, allowHttp: true, pollInterval: 3600 });
  if (created.status !== 201)
    throw new Error(`adding registry ${name}: ${created.status} ${JSON.stringify(created.body)}`);
}

/** The versions the catalogue lists for `applicationId`. */
export async function catalogueVersions(service: ScenarioService, applicationId: string): Promise<string[]> {
  const detail = await api<{ versions?: { version: string }[] }>(
    service,
    'GET',
    `/api/v1/applications/${applicationId}`,
  );
  return detail.status === 200 ? (detail.body.versions ?? []).map((version) => version.version) : [];
}

/** A GitHub `push` of a tag, signed with the service's webhook secret, as GitHub sends it. */
export async function sendTagPush(
  service: ScenarioService,
  registry: ScenarioWorld['registry'],
  tag: string,
  deliveryId: string,
): Promise<number> {
  const body = JSON.stringify({
    ref: `refs/tags/${tag}`,
    deleted: false,
    repository: { full_name: 'acme/registry', clone_url: registry.cloneUrl, html_url: registry.htmlUrl },
  });
  const response = await (service.fetch ?? fetch)(`${service.url}/webhooks/github`, {
    method: 'POST',
    body,
    headers: {
      'content-type': 'application/json',
      'x-github-event': 'push',
      'x-github-delivery': deliveryId,
      'x-hub-signature-256': `sha256=${await hmacSha256(service.webhookSecret, body)}`,
    },
  });
  await response.text();
  return response.status;
}

/** Jobs the instance ran since it started, by kind and outcome (`margo_bridge_jobs_total`). */
export async function jobOutcomes(service: ScenarioService): Promise<Record<string, Record<string, number>>> {
  return metricByLabels(service, 'margo_bridge_jobs_total', 'kind', 'outcome');
}

/** Jobs in the queue by kind and state (`margo_bridge_jobs`, refreshed by the scrape). */
export async function queuedJobs(service: ScenarioService): Promise<Record<string, Record<string, number>>> {
  return metricByLabels(service, 'margo_bridge_jobs', 'kind', 'state');
}

/** Waits until no job is pending or running (a proposal's stand-by job waits one lease first). */
export async function waitForIdleQueue(service: ScenarioService, timeoutMs = 60_000): Promise<void> {
  let queued: Record<string, Record<string, number>> = {};
  await waitFor(
    () => `the job queue drained (queued: ${JSON.stringify(queued)})`,
    async () => {
      queued = await queuedJobs(service);
      return Object.values(queued).every((states) => !states.pending && !states.running);
    },
    timeoutMs,
  );
}

/** The files of a commit on the fake GitHub: path → SHA-256 of the content. */
export async function commitFiles(github: FakeGitHubAccess, commit: string): Promise<Record<string, string>> {
  const repo = `${github.apiUrl}/repos/${github.owner}/${github.repo}`;
  const headers = { authorization: `token ${github.token}` };
  const tree = (await (await fetch(`${repo}/git/trees/${commit}?recursive=1`, { headers })).json()) as {
    tree: { path: string; type: string; sha: string }[];
  };
  const files: Record<string, string> = {};
  for (const entry of tree.tree.filter((item) => item.type === 'blob')) {
    const blob = (await (await fetch(`${repo}/git/blobs/${entry.sha}`, { headers })).json()) as { content: string };
    const bytes = fromBase64(blob.content.replace(/\s/g, '')) ?? new Uint8Array();
    files[entry.path] = toHex(new Uint8Array(await crypto.subtle.digest('SHA-256', bytes)));
  }
  return files;
}

export interface PullRequest {
  number: number;
  state: string;
  head: { ref: string; sha: string };
}

export async function openPullRequests(github: FakeGitHubAccess): Promise<PullRequest[]> {
  const response = await fetch(`${github.apiUrl}/repos/${github.owner}/${github.repo}/pulls?state=all`, {
    headers: { authorization: `token ${github.token}` },
  });
  return (await response.json()) as PullRequest[];
}

/**
 * The whole chain, on every instance of `world.services` (one instance: a plain run). Throws with
 * what went wrong; answers the deployments as they ended, for the caller's own checks.
 */
export async function runScenario(world: ScenarioWorld): Promise<ScenarioResult> {
  const { services, github, registry } = world;
  const deliveries: Record<string, number[]> = {};
  const everyInstanceLists = (version: string) =>
    waitFor(`version ${version} in every instance's catalogue`, async () => {
      const lists = await Promise.all(services.map((service) => catalogueVersions(service, SCENARIO_APPLICATION)));
      return lists.every((versions) => versions.includes(version));
    });
  const deliver = async (service: ScenarioService, tag: string, deliveryId: string) => {
    const status = await sendTagPush(service, registry, tag, deliveryId);
    deliveries[deliveryId] = [...(deliveries[deliveryId] ?? []), status];
  };

  // The registry, created on the first instance; its first poll ingests the first release.
  await addRegistry(services[0]!, SCENARIO_REGISTRY, registry.cloneUrl);
  await everyInstanceLists(FIRST_VERSION);
  const repository = await api(services.at(-1)!, 'POST', '/api/v1/deployment-repositories', {
    name: SCENARIO_REPOSITORY,
    provider: 'github',
    format: 'flux',
    github: {
      owner: github.owner,
      repo: github.repo,
      apiUrl: github.apiUrl,
      auth: { type: 'token', token: github.token },
    },
  });
  check(repository.status === 201, 'deployment repository created', repository);

  // A tag, announced by one signed delivery sent to every instance at once.
  await world.publish(DEPLOYED_VERSION);
  await Promise.all(services.map((service) => deliver(service, `v${DEPLOYED_VERSION}`, 'scenario-tag-1')));
  await everyInstanceLists(DEPLOYED_VERSION);

  // One deployment requested on each instance; each is one pull request with the rendered files.
  const deployments: DeploymentView[] = [];
  for (const [index, service] of services.entries()) {
    const answer = await api<DeploymentView>(service, 'POST', '/api/v1/deployments', {
      repository: SCENARIO_REPOSITORY,
      applicationId: SCENARIO_APPLICATION,
      version: DEPLOYED_VERSION,
      profile: 'helm',
      target: `plant-${index + 1}`,
      values: { greeting: 'Hallo', greetingAddressee: `instance ${index + 1}` },
      upgradePolicy: 'minor',
    });
    check(answer.status === 201 && answer.body.state === 'proposed', 'deployment proposed', answer);
    await checkPullRequestFiles(github, answer.body);
    deployments.push(answer.body);
  }

  // More tags, published together; the first announced to every instance under one delivery id,
  // the second to each instance under its own. The upgrade jobs race across the instances.
  for (const version of LATER_VERSIONS) await world.publish(version);
  const [second, third] = LATER_VERSIONS.map((version) => `v${version}`);
  await Promise.all([
    ...services.map((service) => deliver(service, second!, 'scenario-tag-2')),
    ...services.map((service, index) => deliver(service, third!, `scenario-tag-3-${index + 1}`)),
  ]);
  const newest = LATER_VERSIONS.at(-1)!;
  await everyInstanceLists(newest);
  let views: { body: DeploymentView }[] = [];
  const seen = () => JSON.stringify(views.map(({ body }) => [body.state, body.version, body.proposal]));
  await waitFor(
    () => `every deployment proposed at the newest version (saw ${seen()})`,
    async () => {
      // Read from every instance in turn (they share the database).
      views = await Promise.all(
        deployments.map((deployment, index) =>
          api<DeploymentView>(services[index % services.length]!, 'GET', `/api/v1/deployments/${deployment.id}`),
        ),
      );
      return views.every(({ body }) => body.proposal?.version === newest && body.proposal.state === 'proposed');
    },
    // A proposal that found its deployment's other one being carried out follows at its job's
    // next run: one job lease later (30 s by default).
    90_000,
  );
  await (world.idle ? world.idle() : waitForIdleQueue(services[0]!));

  // Each deployment: still its first pull request, now holding the newest version's files.
  const ended: DeploymentView[] = [];
  for (const [index, deployment] of deployments.entries()) {
    const service = services[index % services.length]!;
    const now = await api<DeploymentView>(service, 'GET', `/api/v1/deployments/${deployment.id}`);
    check(now.body.proposal?.version === newest, 'still proposed at the newest version once the queue is idle', now);
    // The same request again is answered with the open proposal and its files, opening none.
    const repeat = await api<DeploymentView>(service, 'PATCH', `/api/v1/deployments/${deployment.id}`, {
      version: newest,
    });
    check(repeat.status === 200 && repeat.body.proposal?.id === now.body.proposal.id, 'repeat answered', repeat);
    check(repeat.body.proposal.number === deployment.proposal?.number, 'the same pull request', repeat);
    await checkPullRequestFiles(github, repeat.body);
    ended.push(repeat.body);
  }
  return { deployments: ended, deliveries };
}

/** The proposal's commit on GitHub holds every rendered file of `answer`, byte for byte. */
async function checkPullRequestFiles(github: FakeGitHubAccess, answer: DeploymentView): Promise<void> {
  const { proposal, files } = answer;
  check(proposal?.commit && files && files.length > 0, 'a proposal with files', answer);
  const onGitHub = await commitFiles(github, proposal.commit);
  const pulls = await openPullRequests(github);
  const pull = pulls.find((candidate) => candidate.number === proposal.number);
  check(pull?.state === 'open' && pull.head.sha === proposal.commit, 'the pull request shows the proposal', pulls);
  for (const file of files) {
    check(onGitHub[file.path] === file.sha256, `${file.path} on the pull request's branch as rendered`, onGitHub);
  }
}

function check(condition: unknown, what: string, seen: unknown): asserts condition {
  if (!condition) throw new Error(`scenario: ${what} failed; saw ${JSON.stringify(seen).slice(0, 2000)}`);
}

async function hmacSha256(secret: string, body: string): Promise<string> {
  const key = await crypto.subtle.importKey('raw', utf8(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  return toHex(new Uint8Array(await crypto.subtle.sign('HMAC', key, utf8(body))));
}

/** Prometheus text → value by two labels, for one metric family's series. */
async function metricByLabels(
  service: ScenarioService,
  name: string,
  outer: string,
  inner: string,
): Promise<Record<string, Record<string, number>>> {
  const response = await (service.fetch ?? fetch)(`${service.url}/metrics`);
  const result: Record<string, Record<string, number>> = {};
  for (const line of (await response.text()).split('\n')) {
    const match = new RegExp(`^${name}\\{([^}]*)\\} (\\S+)$`).exec(line);
    if (!match) continue;
    const labels = Object.fromEntries([...match[1]!.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    const a = labels[outer] ?? '';
    const b = labels[inner] ?? '';
    result[a] = { ...result[a], [b]: Number(match[2]) };
  }
  return result;
}
