/**
 * `WWW-Authenticate` of an OCI registry: `Bearer realm="…",service="…",scope="…"` starts the token
 * flow (docs.docker.com/registry/spec/auth/token); `Basic realm="…"` asks for the credentials.
 */
export interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

/** The first challenge of the header (registries send one); quoted values may contain commas. */
export function parseChallenge(header: string | undefined): Challenge | undefined {
  if (!header) return undefined;
  const scheme = /^\s*([A-Za-z][\w-]*)/.exec(header);
  if (!scheme) return undefined;
  const params: Record<string, string> = {};
  const rest = header.slice(scheme[0].length);
  for (const match of rest.matchAll(/([A-Za-z][\w-]*)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))/g)) {
    params[match[1]!.toLowerCase()] = (match[2] ?? match[3] ?? '').replace(/\\(.)/g, '$1');
  }
  return { scheme: scheme[1]!.toLowerCase(), params };
}
