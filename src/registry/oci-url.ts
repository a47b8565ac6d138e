/**
 * Where an OCI registry's repository is: the URL `https://host[:port]/<name>` split into the
 * registry origin and the repository name (OCI Distribution grammar). Beside the readers so that
 * flows can check a URL when a registry is saved without loading the OCI reader.
 */
import { BridgeError } from '../errors.js';
import { redactUrl } from '../urls.js';
import type { RegistryConnection } from './interface.js';

/** An OCI repository: its registry's origin and its name. */
export interface OciTarget {
  origin: string;
  name: string;
}

/** The repository name grammar of the OCI Distribution specification. */
const repositoryName = /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*)*$/;

export function ociTarget(registry: Pick<RegistryConnection, 'url' | 'allowHttp'>): OciTarget {
  let parsed: URL;
  try {
    parsed = new URL(registry.url);
  } catch {
    throw new BridgeError('CONFIG_INVALID', `registry URL "${redactUrl(registry.url)}" is not a valid URL`);
  }
  if (parsed.username || parsed.password || parsed.search || parsed.hash) {
    throw new BridgeError(
      'CONFIG_INVALID',
      `registry URL ${redactUrl(registry.url)} must not contain credentials, a query or a fragment`,
    );
  }
  if (parsed.protocol !== 'https:' && !(parsed.protocol === 'http:' && registry.allowHttp)) {
    throw new BridgeError(
      'CONFIG_INVALID',
      `registry URL ${redactUrl(registry.url)} must use https (http only with allowHttp)`,
    );
  }
  const name = parsed.pathname.replace(/^\/+|\/+$/g, '');
  if (!repositoryName.test(name)) {
    throw new BridgeError(
      'CONFIG_INVALID',
      `"${name}" in ${redactUrl(registry.url)} is not an OCI repository name (lower-case path components: https://registry.example.com/<name>)`,
    );
  }
  return { origin: parsed.origin, name };
}
