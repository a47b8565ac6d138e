/**
 * URL text helpers every folder may use (a root module, like errors.ts): repository keys shared by
 * registries and webhooks, and credential redaction for messages, logs and stored errors.
 * `repositoryKey` makes the clone URL and the web URL of one repository compare equal
 * (scheme, host case, `.git` suffix, trailing slash, credentials and default ports ignored).
 */

export function repositoryKey(url: string): string {
  const trimmed = url.trim();
  const scpLike = /^(?:[\w.-]+@)?([\w.-]+):(?!\/)(.+)$/.exec(trimmed);
  let host: string;
  let path: string;
  if (scpLike && !/^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed)) {
    host = scpLike[1]!.toLowerCase();
    path = scpLike[2]!;
  } else {
    const parsed = new URL(trimmed);
    const defaultPort = { 'http:': '80', 'https:': '443', 'ssh:': '22', 'git:': '9418' }[parsed.protocol];
    host = parsed.hostname.toLowerCase() + (parsed.port && parsed.port !== defaultPort ? `:${parsed.port}` : '');
    path = decodeURIComponent(parsed.pathname);
  }
  path = path
    .replace(/\/+$/, '')
    .replace(/\.git$/i, '')
    .replace(/\/+$/, '')
    .replace(/^\/+/, '');
  return `${host}/${path}`;
}

/** Query parameters that carry credentials (e.g. a `postgres://…?password=` connection string). */
const secretParam = /pass|token|secret|key|auth|sig/i;

/** The URL without `user:password@` and with credential-like query values hidden, for messages and logs. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = '';
    parsed.password = '';
    for (const name of new Set(parsed.searchParams.keys())) {
      if (secretParam.test(name)) parsed.searchParams.set(name, 'redacted');
    }
    return parsed.toString();
  } catch {
    return url
      .replace(/\/\/[^/@\s]*@/, '//')
      .replace(/([?&][^=&#\s]*(?:pass|token|secret|key|auth|sig)[^=&#\s]*=)[^&#\s]*/gi, '$1redacted');
  }
}

/** `text` with the `user:password@` of every URL in it removed, for logs and stored messages. */
export function withoutUrlCredentials(text: string): string {
  return text.replace(/(\b[a-z][a-z0-9+.-]*:\/\/)[^\s/@]+@/gi, '$1');
}

/**
 * The web page of `path` at tag `tag` in a repository on a known forge, from its clone URL: GitHub
 * `…/blob/<tag>/<path>`, GitLab `…/-/blob/<tag>/<path>`, Gitea / Forgejo `…/src/tag/<tag>/<path>`.
 * Undefined for other hosts, whose page URLs cannot be told from the clone URL. No credentials.
 */
export function forgeFileUrl(repositoryUrl: string, tag: string, path: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(repositoryUrl.trim());
  } catch {
    return undefined;
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return undefined;
  const repository = parsed.pathname
    .replace(/\/+$/, '')
    .replace(/\.git$/i, '')
    .replace(/^\/+/, '');
  const forge = forgeOfHost(parsed.hostname.toLowerCase());
  if (!forge || !repository.includes('/')) return undefined;
  const segments = (text: string) => text.split('/').filter(Boolean).map(encodeURIComponent).join('/');
  const page = { github: 'blob', gitlab: '-/blob', gitea: 'src/tag' }[forge];
  const url = `${parsed.protocol}//${parsed.host}/${repository}/${page}/${segments(tag)}/${segments(path)}`;
  // Parentheses too, so that the URL can stand in a markdown link.
  return url.replace(/[()]/g, (char) => (char === '(' ? '%28' : '%29'));
}

function forgeOfHost(host: string): 'github' | 'gitlab' | 'gitea' | undefined {
  if (host === 'github.com' || host.startsWith('github.')) return 'github';
  if (host === 'gitlab.com' || host.startsWith('gitlab.')) return 'gitlab';
  if (host === 'codeberg.org' || host === 'gitea.com' || /^(gitea|forgejo)\./.test(host)) return 'gitea';
  return undefined;
}
