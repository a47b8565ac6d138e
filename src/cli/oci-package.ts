/**
 * `oci://host[:port]/<name>:<tag>` references for `validate` and `fetch`: the package is read the
 * way the service reads it (the OCI reader: GET and HEAD only, digests verified, size limits).
 * Credentials come from the environment, never the command line: MARGO_BRIDGE_OCI_USERNAME with
 * MARGO_BRIDGE_OCI_PASSWORD (basic, or the token flow), or MARGO_BRIDGE_OCI_TOKEN (bearer).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Package, RegistryAuth } from '../registry/interface.js';
import { UsageError } from './args.js';
import type { CliIo } from './command.js';

export interface OciFetchOptions {
  plainHttp: boolean;
  caFile: string | undefined;
  allowPrivateNetworks: boolean;
}

/** The CLI options of an `oci://` read, for each command's option specs. */
export const ociOptionSpecs = {
  'plain-http': { type: 'boolean' },
  'ca-file': { type: 'string' },
  'allow-private-networks': { type: 'boolean' },
} as const;

export const ociHelp = `OCI references: oci://host[:port]/<name>:<tag> read the package from an OCI registry.
  --plain-http              http:// instead of https:// (local registries)
  --ca-file <pem>           extra CA certificates for the registry
  --allow-private-networks  allow loopback and private addresses (refused by default)
  Credentials from the environment: MARGO_BRIDGE_OCI_USERNAME and MARGO_BRIDGE_OCI_PASSWORD
  (basic auth or the registry's token flow), or MARGO_BRIDGE_OCI_TOKEN (bearer).
`;

export function isOciReference(target: string): boolean {
  return target.startsWith('oci://');
}

/** `oci://host/name:tag` → the registry URL and the tag. */
export function parseOciReference(reference: string, plainHttp: boolean): { url: string; tag: string } {
  const match = /^oci:\/\/([^/]+)\/(.+):([^:/]+)$/.exec(reference);
  if (!match) throw new UsageError(`'${reference}' is not an OCI reference: oci://host[:port]/<name>:<tag>`);
  return { url: `${plainHttp ? 'http' : 'https'}://${match[1]}/${match[2]}`, tag: match[3]! };
}

function authFromEnv(env: CliIo['env']): RegistryAuth {
  if (env.MARGO_BRIDGE_OCI_TOKEN) return { type: 'bearer', token: env.MARGO_BRIDGE_OCI_TOKEN };
  if (env.MARGO_BRIDGE_OCI_USERNAME && env.MARGO_BRIDGE_OCI_PASSWORD) {
    return { type: 'basic', username: env.MARGO_BRIDGE_OCI_USERNAME, password: env.MARGO_BRIDGE_OCI_PASSWORD };
  }
  return { type: 'none' };
}

/** Reads the package behind an `oci://` reference (the OCI reader is loaded only then). */
export async function readOciPackage(reference: string, options: OciFetchOptions, io: CliIo): Promise<Package> {
  const { url, tag } = parseOciReference(reference, options.plainHttp);
  const { createNodeRegistryReader } = await import('../registry/node/index.js');
  const reader = createNodeRegistryReader({
    storage: { kind: 'memory' },
    allowPrivateNetworks: options.allowPrivateNetworks,
  });
  const caCert = options.caFile ? readFileSync(path.resolve(io.cwd, options.caFile), 'utf8') : undefined;
  return reader.readRelease(
    {
      kind: 'oci',
      url,
      allowHttp: options.plainHttp,
      auth: authFromEnv(io.env),
      ...(caCert ? { tls: { caCert } } : {}),
    },
    tag,
  );
}

export function ociFetchOptions(options: {
  'plain-http': boolean;
  'ca-file': string | undefined;
  'allow-private-networks': boolean;
}): OciFetchOptions {
  return {
    plainHttp: options['plain-http'],
    caFile: options['ca-file'],
    allowPrivateNetworks: options['allow-private-networks'],
  };
}
