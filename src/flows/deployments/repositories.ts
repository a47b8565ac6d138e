/**
 * Deployment repositories: set up by admins through the API or pre-configured in
 * margo-bridge.yaml. Credentials are sealed with the secret box and never returned; the
 * connection test (`provider.check`) runs before a repository is stored unless `force` is given.
 */
import type {
  DeploymentRepositoryConfig,
  DeploymentRepositoryPatchConfig,
} from '../../config/deployment-repositories.js';
import type { DeploymentProvider } from '../../deploy/interface.js';
import { type DeploymentProviderSettings, localRepositoryName } from '../../deploy/settings.js';
import { BridgeError } from '../../errors.js';
import type { Services } from '../../services.js';
import type {
  CommitAuthorSettings,
  DeploymentRepositoryInput,
  DeploymentRepositoryRecord,
  KeysetPage,
  ProviderKind,
  RepositoryLayout,
} from '../../store/deployment-records.js';
import { repositoryKey } from '../../urls.js';
import { testConnection } from '../connection-test.js';
import { repositorySops, sopsSettingsOf } from './sops-settings.js';

export type DeploymentRepositorySettings = DeploymentRepositoryConfig;
export type DeploymentRepositoryPatch = DeploymentRepositoryPatchConfig;
export type GithubSettings = Extract<DeploymentRepositoryConfig, { provider: 'github' }>['github'];
export type GitSettings = Extract<DeploymentRepositoryConfig, { provider: 'git' }>['git'];

/** What a provider needs to be built (deploy/ factory): the repository's settings with secrets. */
export type ProviderConfig =
  | { provider: 'github'; github: GithubSettings }
  | { provider: 'git'; git: GitSettings }
  | { provider: 'local' };

/** The settings deploy/ takes, from a repository's name, base branch and provider settings. */
export function providerSettings(
  config: ProviderConfig,
  repository: { name: string; baseBranch: string },
): DeploymentProviderSettings {
  switch (config.provider) {
    case 'github':
      return { provider: 'github', ...config.github };
    case 'git': {
      const { auth, caCert, clientCert, clientKey, ...rest } = config.git;
      const tls =
        caCert !== undefined || clientCert !== undefined || clientKey !== undefined
          ? { caCert, clientCert, clientKey }
          : undefined;
      return {
        provider: 'git',
        ...rest,
        auth: auth ?? { type: 'none' },
        ...(tls ? { tls } : {}),
        baseBranch: repository.baseBranch,
      };
    }
    case 'local':
      return { provider: 'local', name: repository.name };
  }
}

export interface RepositorySaveOptions {
  /** Store even when the connection test fails. */
  force?: boolean;
  /** Pre-configured repositories are checked by their first proposal. */
  skipConnectionTest?: boolean;
  configured?: boolean;
}

export const DEFAULT_COMMIT_AUTHOR: CommitAuthorSettings = { name: 'margo-bridge', email: 'margo-bridge@localhost' };
const DEFAULT_LAYOUT: RepositoryLayout = { root: '', directory: '{target}/{name}' };

export async function createDeploymentRepository(
  services: Services,
  settings: DeploymentRepositorySettings,
  options: RepositorySaveOptions = {},
): Promise<DeploymentRepositoryRecord> {
  if (await services.store.deploymentRepositories.getByName(settings.name)) {
    throw new BridgeError('CONFLICT', `a deployment repository named '${settings.name}' exists already`);
  }
  const input = await toInput(services, settings, options.configured ?? false);
  await testRepositoryConnection(services, settings, input, options, 'created');
  const created = await services.store.deploymentRepositories.create(input);
  services.logger.info({ deploymentRepository: created.name, id: created.id }, 'deployment repository created');
  return created;
}

export async function updateDeploymentRepository(
  services: Services,
  id: string,
  patch: DeploymentRepositoryPatch,
  options: RepositorySaveOptions = {},
): Promise<DeploymentRepositoryRecord> {
  const current = await getDeploymentRepository(services, id);
  if (patch.name !== undefined && patch.name !== current.name) {
    if (await services.store.deploymentRepositories.getByName(patch.name)) {
      throw new BridgeError('CONFLICT', `a deployment repository named '${patch.name}' exists already`);
    }
  }
  const now = await providerConfigOf(services, current);
  const config = mergeProviderConfig(now, patch);
  const settings: DeploymentRepositorySettings = {
    ...config,
    name: patch.name ?? current.name,
    baseBranch: patch.baseBranch ?? current.baseBranch,
    format: patch.format ?? current.format,
    layout: { ...current.layout, ...patch.layout },
    commitAuthor: patch.commitAuthor ?? current.commitAuthor,
    labels: patch.labels ?? current.labels,
    titlePattern: patch.titlePattern === undefined ? current.titlePattern : patch.titlePattern,
    ...sopsSettingsOf(current.sops, patch),
  };
  const input = await toInput(services, settings, options.configured ?? current.configured);
  const reachesDifferently =
    patch.baseBranch !== undefined || ('github' in patch && patch.github) || ('git' in patch && patch.git);
  if (reachesDifferently) await testRepositoryConnection(services, settings, input, options, 'changed');
  const updated = await services.store.deploymentRepositories.update(id, input);
  services.logger.info({ deploymentRepository: updated.name, id }, 'deployment repository updated');
  return updated;
}

export async function getDeploymentRepository(services: Services, id: string): Promise<DeploymentRepositoryRecord> {
  const record = await services.store.deploymentRepositories.get(id);
  if (!record) throw new BridgeError('NOT_FOUND', `no deployment repository with id ${id}`);
  return record;
}

/** By id or by name, as API requests name it. */
export async function findDeploymentRepository(
  services: Services,
  idOrName: string,
): Promise<DeploymentRepositoryRecord> {
  const record =
    (await services.store.deploymentRepositories.getByName(idOrName)) ??
    (await services.store.deploymentRepositories.get(idOrName));
  if (!record) {
    throw new BridgeError('NOT_FOUND', `no deployment repository named '${idOrName}'`, { field: 'repository' });
  }
  return record;
}

/** By name; with `page`, one page of them (keyset: the names after `page.after`). */
export function listDeploymentRepositories(
  services: Services,
  page?: KeysetPage<string>,
): Promise<DeploymentRepositoryRecord[]> {
  return services.store.deploymentRepositories.list(page);
}

/** Refused (CONFLICT) while deployments use the repository. */
export async function deleteDeploymentRepository(services: Services, id: string): Promise<void> {
  const record = await getDeploymentRepository(services, id);
  const used = await services.store.deployments.countByRepository(id);
  if (used > 0) {
    throw new BridgeError(
      'CONFLICT',
      `deployment repository '${record.name}' is used by ${used} deployment(s); remove them first`,
    );
  }
  await services.store.deploymentRepositories.delete(id);
  services.logger.info({ deploymentRepository: record.name, id }, 'deployment repository deleted');
}

/** The provider of a stored repository, its secrets opened. */
export async function providerOf(services: Services, record: DeploymentRepositoryRecord): Promise<DeploymentProvider> {
  const config = await providerConfigOf(services, record);
  return services.deploymentProviders(providerSettings(config, record));
}

async function providerConfigOf(services: Services, record: DeploymentRepositoryRecord): Promise<ProviderConfig> {
  const secrets =
    record.secretsCiphertext === null
      ? {}
      : (JSON.parse(await services.secretBox.open(record.secretsCiphertext)) as Record<string, unknown>);
  switch (record.provider) {
    case 'github':
      return { provider: 'github', github: { ...record.settings, ...secrets } as unknown as GithubSettings };
    case 'git': {
      // The forge's token is sealed apart from its shown settings (type, apiUrl, repository).
      const forge = record.settings.forge as Record<string, unknown> | undefined;
      const forgeSecret = secrets.forge as Record<string, unknown> | undefined;
      const git = { ...record.settings, ...secrets, ...(forge ? { forge: { ...forge, ...forgeSecret } } : {}) };
      return { provider: 'git', git: git as unknown as GitSettings };
    }
    case 'local':
      return { provider: 'local' };
  }
}

function mergeProviderConfig(current: ProviderConfig, patch: DeploymentRepositoryPatch): ProviderConfig {
  if (current.provider === 'github' && 'github' in patch && patch.github) {
    return { provider: 'github', github: { ...current.github, ...patch.github } };
  }
  if (current.provider === 'git' && 'git' in patch && patch.git) {
    return { provider: 'git', git: { ...current.git, ...patch.git } };
  }
  return current;
}

/** Splits a provider's settings into what may be shown and what is sealed. */
function splitProviderConfig(config: ProviderConfig): {
  settings: Record<string, unknown>;
  secrets: Record<string, unknown>;
  summary: Record<string, unknown>;
  urlKey: string | null;
} {
  switch (config.provider) {
    case 'github': {
      const { auth, ...shown } = config.github;
      const apiUrl = (shown.apiUrl ?? 'https://api.github.com').replace(/\/+$/, '');
      const settings =
        auth.type === 'app'
          ? { ...shown, apiUrl, auth: { type: 'app', appId: auth.appId, installationId: auth.installationId } }
          : { ...shown, apiUrl, auth: { type: 'token' } };
      const secrets = auth.type === 'app' ? { auth: { ...auth } } : { auth: { ...auth } };
      return {
        settings,
        secrets,
        summary: { auth: auth.type, ...(auth.type === 'app' ? { appId: auth.appId } : {}) },
        urlKey: repositoryKey(`${githubWebOrigin(apiUrl)}/${shown.owner}/${shown.repo}`),
      };
    }
    case 'git': {
      const { auth, caCert, clientCert, clientKey, forge, ...shown } = config.git;
      const forgeToken = forge ? { forge: { token: forge.token } } : {};
      const secrets = Object.fromEntries(
        Object.entries({ auth, caCert, clientCert, clientKey, ...forgeToken }).filter(
          ([, value]) => value !== undefined,
        ),
      );
      const forgeShown = forge
        ? { forge: { type: forge.type, apiUrl: forge.apiUrl, repository: forge.repository } }
        : {};
      return {
        settings: { ...shown, ...forgeShown, url: checkedUrl(shown.url, shown.allowHttp ?? false) },
        secrets,
        summary: {
          auth: auth?.type ?? 'none',
          ...(auth?.type === 'basic' ? { username: auth.username } : {}),
          caCert: caCert !== undefined,
          clientCert: clientCert !== undefined,
        },
        urlKey: repositoryKey(shown.url),
      };
    }
    case 'local':
      return { settings: {}, secrets: {}, summary: { auth: 'none' }, urlKey: null };
  }
}

/** github.com's API lives on api.github.com; GitHub Enterprise Server's under `<host>/api/v3`. */
export function githubWebOrigin(apiUrl: string): string {
  const url = new URL(apiUrl);
  if (url.hostname === 'api.github.com') return 'https://github.com';
  return `${url.protocol}//${url.host}${url.pathname.replace(/\/api\/v3\/?$/, '').replace(/\/+$/, '')}`;
}

function checkedUrl(raw: string, allowHttp: boolean): string {
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new BridgeError('BAD_REQUEST', 'git.url is not an absolute URL', { field: 'git.url' });
  }
  if (parsed.username !== '' || parsed.password !== '' || parsed.search !== '' || parsed.hash !== '') {
    throw new BridgeError(
      'BAD_REQUEST',
      'git.url must not contain credentials, a query or a fragment; give credentials in git.auth',
      {
        field: 'git.url',
      },
    );
  }
  if (parsed.protocol === 'http:' && !allowHttp) {
    throw new BridgeError('BAD_REQUEST', 'git.url uses http://; use https:// or set allowHttp: true', {
      field: 'git.url',
    });
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new BridgeError('BAD_REQUEST', `git.url scheme ${parsed.protocol} is not supported; use https://`, {
      field: 'git.url',
    });
  }
  return parsed.toString();
}

async function toInput(
  services: Services,
  settings: DeploymentRepositorySettings,
  configured: boolean,
): Promise<DeploymentRepositoryInput> {
  // One rule for every provider: a local repository's name is a folder and a URL segment.
  if (!localRepositoryName.test(settings.name)) {
    throw new BridgeError(
      'BAD_REQUEST',
      `name '${settings.name}' must be at most 63 lower-case letters, digits, '-' or '_', starting with a letter or digit`,
      { field: 'name' },
    );
  }
  const split = splitProviderConfig(settings);
  const layout = { ...DEFAULT_LAYOUT, ...settings.layout };
  const secrets =
    Object.keys(split.secrets).length === 0 ? null : await services.secretBox.seal(JSON.stringify(split.secrets));
  return {
    name: settings.name,
    provider: settings.provider as ProviderKind,
    settings: split.settings,
    urlKey: split.urlKey,
    baseBranch: settings.baseBranch ?? 'main',
    format: settings.format ?? 'margo',
    layout,
    commitAuthor: settings.commitAuthor ?? DEFAULT_COMMIT_AUTHOR,
    labels: settings.labels ?? [],
    titlePattern: settings.titlePattern ?? null,
    secretsCiphertext: secrets,
    credentialSummary: split.summary,
    configured,
    sops: repositorySops(settings),
  };
}

/** The provider's check: repository, base branch and the permissions a proposal needs. */
function testRepositoryConnection(
  services: Services,
  settings: DeploymentRepositorySettings,
  input: DeploymentRepositoryInput,
  options: RepositorySaveOptions,
  outcome: 'created' | 'changed',
): Promise<void> {
  return testConnection(
    services,
    { kind: 'deployment repository', name: input.name },
    () => services.deploymentProviders(providerSettings(settings, input)).check(input.baseBranch),
    options,
    outcome,
  );
}
