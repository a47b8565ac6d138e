/**
 * GitHub App routes: installation access tokens (for a verified app JWT) and a repository's
 * installation.
 */
import { randomBytes } from 'node:crypto';
import { verifyAppJwt } from '../auth.js';
import { type BaseContext, docs, isRecord, notFound, type Route, unprocessable } from '../router.js';
import { simpleUser } from '../shapes.js';
import type { AppRecord, InstallationRecord, Permissions, TokenRecord } from '../state.js';

/** Lifetime of installation tokens; GitHub's is one hour. Tests shorten it through the fake's options. */
export interface AppSettings {
  installationTokenTtlMs: number;
}

function installationShape(context: BaseContext, app: AppRecord, installation: InstallationRecord) {
  return {
    id: installation.id,
    account: simpleUser(context.base, installation.account),
    repository_selection: installation.repositories === undefined ? 'all' : 'selected',
    access_tokens_url: `${context.base}/app/installations/${installation.id}/access_tokens`,
    repositories_url: `${context.base}/installation/repositories`,
    html_url: `${context.base}/organizations/${installation.account.login}/settings/installations/${installation.id}`,
    app_id: app.id,
    app_slug: app.slug,
    target_id: installation.account.id,
    target_type: installation.account.type,
    permissions: installation.permissions,
    events: ['pull_request', 'push'],
    created_at: installation.createdAt,
    updated_at: installation.createdAt,
    single_file_name: null,
    has_multiple_single_files: false,
    single_file_paths: [],
    suspended_by: null,
    suspended_at: null,
  };
}

export function appRoutes(settings: AppSettings): Route[] {
  async function createToken(context: BaseContext) {
    const app = verifyAppJwt(context.state, context.caller);
    const installation = app.installations.find((candidate) => String(candidate.id) === context.params.installation_id);
    if (!installation) throw notFound(docs.apps);
    const body = isRecord(context.body) ? context.body : {};
    let permissions: Permissions = installation.permissions;
    if (isRecord(body.permissions)) {
      // A token may ask for less than the installation has, never more.
      const asked = body.permissions as Permissions;
      for (const [name, access] of Object.entries(asked)) {
        const held = installation.permissions[name as keyof Permissions];
        if (!held || (access === 'write' && held !== 'write')) {
          throw unprocessable(`The permissions requested are not granted to this installation.`, docs.apps);
        }
      }
      permissions = asked;
    }
    let repositories = installation.repositories;
    if (Array.isArray(body.repositories)) {
      const owner = installation.account.login;
      repositories = body.repositories.map((name) => `${owner}/${String(name)}`);
    }
    const token: TokenRecord = {
      token: `ghs_${randomBytes(18).toString('base64url')}`,
      kind: 'installation',
      actor: context.state.account(`${app.slug}[bot]`, 'Bot'),
      permissions,
      repositories,
      expiresAt: Date.now() + settings.installationTokenTtlMs,
      installationId: installation.id,
    };
    context.state.tokens.set(token.token, token);
    return {
      status: 201,
      body: {
        token: token.token,
        expires_at: `${new Date(token.expiresAt ?? 0).toISOString().slice(0, 19)}Z`,
        permissions,
        repository_selection: repositories === undefined ? 'all' : 'selected',
      },
    };
  }

  async function repoInstallation(context: BaseContext) {
    const app = verifyAppJwt(context.state, context.caller);
    const name = `${context.params.owner}/${context.params.repo}`.toLowerCase();
    const installation = app.installations.find(
      (candidate) =>
        candidate.account.login.toLowerCase() === context.params.owner?.toLowerCase() &&
        (candidate.repositories === undefined || candidate.repositories.some((repo) => repo.toLowerCase() === name)),
    );
    if (!installation || !context.state.repo(context.params.owner ?? '', context.params.repo ?? '')) {
      throw notFound(docs.apps);
    }
    return { status: 200, body: installationShape(context, app, installation) };
  }

  async function getInstallation(context: BaseContext) {
    const app = verifyAppJwt(context.state, context.caller);
    const installation = app.installations.find((candidate) => String(candidate.id) === context.params.installation_id);
    if (!installation) throw notFound(docs.apps);
    return { status: 200, body: installationShape(context, app, installation) };
  }

  return [
    {
      method: 'GET',
      template: '/app/installations/{installation_id}',
      auth: { kind: 'app' },
      handler: getInstallation,
    },
    {
      method: 'POST',
      template: '/app/installations/{installation_id}/access_tokens',
      auth: { kind: 'app' },
      handler: createToken,
    },
    { method: 'GET', template: '/repos/{owner}/{repo}/installation', auth: { kind: 'app' }, handler: repoInstallation },
  ];
}
