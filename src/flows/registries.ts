/**
 * Registry set-up shared by the API and the configuration file: input checks, sealing of
 * credentials and the connection test (the immediate poll after it: `requestPoll` in poll.ts).
 */
import semver from 'semver';
import { BridgeError } from '../errors.js';
import type { RegistryAuth, RegistryKind } from '../registry/interface.js';
import { ociTarget } from '../registry/oci-url.js';
import { compileTagFilter } from '../registry/tags.js';
import type { Services } from '../services.js';
import type { RegistryInput, RegistryRecord } from '../store/interface.js';
import { repositoryKey } from '../urls.js';
import { connectionOf, openSecrets, type RegistrySecrets, sealSecrets, summariseSecrets } from './connection.js';
import { testConnection } from './connection-test.js';

/** The shortest poll interval, for the API's input schema: the same bound as the configuration's. */
export { MAX_POLL_INTERVAL_SECONDS, MIN_POLL_INTERVAL_SECONDS } from '../config/schema.js';

export interface RegistrySettings {
  name: string;
  /** Default `git`; `oci`: an OCI repository, `https://registry.example.com/<name>`. */
  kind?: RegistryKind;
  url: string;
  subPath?: string;
  tagPattern?: string | null;
  semverRange?: string | null;
  strictVersion?: boolean;
  allowHttp?: boolean;
  pollInterval?: number;
  auth?: Exclude<RegistryAuth, { type: 'none' }> | null;
  caCert?: string | null;
  clientCert?: string | null;
  clientKey?: string | null;
  webhookSecret?: string | null;
}

const secretKeys = ['auth', 'caCert', 'clientCert', 'clientKey', 'webhookSecret'] as const;

export interface SaveOptions {
  /** Store even when the connection test fails. */
  force?: boolean;
  /** Skip the connection test (pre-configured registries are checked by their first poll). */
  skipConnectionTest?: boolean;
  configured?: boolean;
}

export async function createRegistry(
  services: Services,
  settings: RegistrySettings,
  options: SaveOptions = {},
): Promise<RegistryRecord> {
  if (await services.store.registries.getByName(settings.name)) {
    throw new BridgeError('CONFLICT', `a registry named '${settings.name}' exists already`);
  }
  const secrets = mergeSecrets({}, settings);
  const input = await toInput(services, settings, secrets, options.configured ?? false);
  await testRegistryConnection(services, input, secrets, options, 'created');
  const created = await services.store.registries.create({ ...input, nextPollAt: services.clock.now() });
  services.logger.info({ registry: created.name, registryId: created.id }, 'registry created');
  return created;
}

export async function updateRegistry(
  services: Services,
  id: string,
  patch: Partial<RegistrySettings>,
  options: SaveOptions = {},
): Promise<RegistryRecord> {
  const current = await getRegistry(services, id);
  if (patch.name !== undefined && patch.name !== current.name) {
    if (await services.store.registries.getByName(patch.name)) {
      throw new BridgeError('CONFLICT', `a registry named '${patch.name}' exists already`);
    }
  }
  const before = await openSecrets(services.secretBox, current);
  const secrets = mergeSecrets(before, patch);
  const settings: RegistrySettings = {
    name: patch.name ?? current.name,
    kind: patch.kind ?? current.kind,
    url: patch.url ?? current.url,
    subPath: patch.subPath ?? current.subPath,
    tagPattern: patch.tagPattern === undefined ? current.tagPattern : patch.tagPattern,
    semverRange: patch.semverRange === undefined ? current.semverRange : patch.semverRange,
    strictVersion: patch.strictVersion ?? current.strictVersion,
    allowHttp: patch.allowHttp ?? current.allowHttp,
    pollInterval: patch.pollInterval ?? current.pollInterval,
  };
  const input = await toInput(services, settings, secrets, options.configured ?? current.configured);
  const reachesDifferently =
    patch.url !== undefined ||
    patch.kind !== undefined ||
    patch.allowHttp !== undefined ||
    patch.subPath !== undefined ||
    secretKeys.some((key) => key !== 'webhookSecret' && patch[key] !== undefined);
  // Nothing new (a configured registry at each start): no write, so `updatedAt` keeps its meaning.
  if (sameSettings(current, input) && JSON.stringify(before) === JSON.stringify(secrets)) return current;
  if (reachesDifferently) await testRegistryConnection(services, input, secrets, options, 'changed');
  const updated = await services.store.registries.update(id, input);
  services.logger.info({ registry: updated.name, registryId: id }, 'registry updated');
  return updated;
}

const settingKeys = [
  'name',
  'kind',
  'url',
  'urlKey',
  'subPath',
  'tagPattern',
  'semverRange',
  'strictVersion',
  'allowHttp',
  'pollInterval',
  'configured',
] as const;

/** Whether saving `input` would change nothing of `current` (a key the input leaves out keeps its value). */
function sameSettings(current: RegistryRecord, input: RegistryInput): boolean {
  return settingKeys.every((key) => input[key] === undefined || input[key] === current[key]);
}

export async function getRegistry(services: Services, id: string): Promise<RegistryRecord> {
  const registry = await services.store.registries.get(id);
  if (!registry) throw new BridgeError('NOT_FOUND', `no registry with id ${id}`);
  return registry;
}

/**
 * The connection test alone (the web form shows its result before saving): the same checks as
 * `createRegistry`/`updateRegistry`, nothing stored. With `currentId`, secrets not given are the
 * stored registry's. Returns how many releases the registry lists.
 */
export async function tryRegistry(services: Services, settings: RegistrySettings, currentId?: string): Promise<number> {
  const current =
    currentId === undefined ? {} : await openSecrets(services.secretBox, await getRegistry(services, currentId));
  const secrets = mergeSecrets(current, settings);
  const input = await toInput(services, settings, secrets, false);
  return (await services.registryReader.listReleases(connectionOf(input, secrets))).length;
}

function mergeSecrets(current: RegistrySecrets, patch: Partial<RegistrySettings>): RegistrySecrets {
  const merged: RegistrySecrets = { ...current };
  for (const key of secretKeys) {
    const value = patch[key];
    if (value === null) delete merged[key];
    else if (value !== undefined) (merged as Record<string, unknown>)[key] = value;
  }
  return merged;
}

async function toInput(
  services: Services,
  settings: RegistrySettings,
  secrets: RegistrySecrets,
  configured: boolean,
): Promise<RegistryInput> {
  const kind = settings.kind ?? 'git';
  const url = checkUrl(settings.url, settings.allowHttp ?? false);
  if (kind === 'oci') checkOciUrl(url, settings);
  const semverRange = settings.semverRange ?? null;
  if (semverRange !== null && semver.validRange(semverRange) === null) {
    throw new BridgeError('BAD_REQUEST', `semverRange '${semverRange}' is not a valid semver range`, {
      field: 'semverRange',
    });
  }
  checkTagPattern(settings.tagPattern ?? null);
  const subPath = (settings.subPath ?? '').replace(/^\/+|\/+$/g, '');
  if (subPath.split('/').some((part) => part === '..')) {
    throw new BridgeError('BAD_REQUEST', `subPath '${subPath}' must stay inside the repository`, { field: 'subPath' });
  }
  return {
    name: settings.name,
    kind,
    url,
    urlKey: repositoryKey(url),
    subPath,
    tagPattern: settings.tagPattern ?? null,
    semverRange,
    strictVersion: settings.strictVersion ?? false,
    allowHttp: settings.allowHttp ?? false,
    pollInterval: settings.pollInterval ?? services.config.polling.interval,
    secretsCiphertext: await sealSecrets(services.secretBox, secrets),
    credentialSummary: summariseSecrets(secrets),
    configured,
  };
}

/** The same compilation a poll does, so a pattern that cannot work is a 400 now, not a failing poll later. */
function checkTagPattern(tagPattern: string | null): void {
  if (tagPattern === null) return;
  try {
    compileTagFilter({ tagPattern });
  } catch (error) {
    throw new BridgeError('BAD_REQUEST', (error as Error).message, { field: 'tagPattern' });
  }
}

function checkUrl(raw: string, allowHttp: boolean): string {
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new BridgeError('BAD_REQUEST', 'url is not an absolute URL', { field: 'url' });
  }
  if (parsed.username !== '' || parsed.password !== '') {
    throw new BridgeError('BAD_REQUEST', 'url must not contain credentials; give them in auth', { field: 'url' });
  }
  // A query string is never part of a clone URL and is where tokens hide (`?access_token=`): the
  // stored URL is shown to every viewer.
  if (parsed.search !== '' || parsed.hash !== '') {
    throw new BridgeError('BAD_REQUEST', 'url must not contain a query string or fragment; give credentials in auth', {
      field: 'url',
    });
  }
  if (parsed.protocol === 'http:' && !allowHttp) {
    throw new BridgeError('BAD_REQUEST', 'url uses http://; use https:// or set allowHttp: true', { field: 'url' });
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new BridgeError('BAD_REQUEST', `url scheme ${parsed.protocol} is not supported; use https://`, {
      field: 'url',
    });
  }
  return parsed.toString();
}

/** An OCI registry URL names a repository (`https://host/<name>`); a package is the whole artifact, no sub-path. */
function checkOciUrl(url: string, settings: RegistrySettings): void {
  try {
    ociTarget({ url, allowHttp: settings.allowHttp ?? false });
  } catch (error) {
    throw new BridgeError('BAD_REQUEST', (error as Error).message, { field: 'url' });
  }
  if ((settings.subPath ?? '').replace(/^\/+|\/+$/g, '') !== '') {
    throw new BridgeError('BAD_REQUEST', 'an OCI registry has no subPath: the artifact is the package', {
      field: 'subPath',
    });
  }
}

/** Lists releases once: checks address, credentials and TLS before the registry is stored. */
function testRegistryConnection(
  services: Services,
  input: RegistryInput,
  secrets: RegistrySecrets,
  options: SaveOptions,
  outcome: 'created' | 'changed',
): Promise<void> {
  return testConnection(
    services,
    { kind: 'registry', name: input.name },
    () => services.registryReader.listReleases(connectionOf(input, secrets)),
    options,
    outcome,
  );
}
