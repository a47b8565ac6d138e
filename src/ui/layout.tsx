/** The page shell: skip link, header with navigation and sign-out, main content, and the asset links. */
import type { Context } from 'hono';
import type { Child, FC, PropsWithChildren } from 'hono/jsx';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { SessionRecord } from '../store/interface.js';
import { ASSET_PATH, assetVersion } from './assets/index.js';
import { hasRole, type UiEnv } from './env.js';

export type Section = 'catalogue' | 'deployments' | 'registries' | 'repositories' | 'none';

export interface LayoutProps {
  title: string;
  session: SessionRecord | undefined;
  section?: Section;
  /** A short confirmation shown at the top (after a redirect). */
  notice?: string | undefined;
}

const links: { section: Section; href: string; label: string }[] = [
  { section: 'catalogue', href: '/catalogue', label: 'Catalogue' },
  { section: 'deployments', href: '/deployments', label: 'Deployments' },
  { section: 'registries', href: '/registries', label: 'Registries' },
  { section: 'repositories', href: '/repositories', label: 'Repositories' },
];

export const Layout: FC<PropsWithChildren<LayoutProps>> = ({ title, session, section = 'none', notice, children }) => (
  <html lang="en">
    <head>
      <meta charset="utf-8" />
      <meta name="viewport" content="width=device-width, initial-scale=1" />
      <title>{`${title} · margo-bridge`}</title>
      <link rel="stylesheet" href={`${ASSET_PATH}/ui.css?v=${assetVersion}`} />
      <script src={`${ASSET_PATH}/ui.js?v=${assetVersion}`} defer />
    </head>
    <body>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <a class="brand" href="/">
          margo-bridge
        </a>
        {session && (
          <nav aria-label="Main">
            <ul>
              {links.map((link) => (
                <li>
                  <a href={link.href} aria-current={link.section === section ? 'page' : undefined}>
                    {link.label}
                  </a>
                </li>
              ))}
            </ul>
          </nav>
        )}
        {session && (
          <form class="who" method="post" action="/sign-out">
            <CsrfField session={session} />
            <span>
              {session.tokenName} <span class="role">({session.role})</span>
            </span>
            <button type="submit" class="link">
              Sign out
            </button>
          </form>
        )}
      </header>
      <main id="main" tabindex={-1}>
        {notice && (
          <p class="notice" role="status">
            {notice}
          </p>
        )}
        {children}
      </main>
    </body>
  </html>
);

export const CsrfField: FC<{ session: SessionRecord }> = ({ session }) => (
  <input type="hidden" name="_csrf" value={session.csrf} />
);

/** A POST button in its own small form (sync, remove, approve): works without JavaScript. */
export const ActionButton: FC<{
  session: SessionRecord;
  action: string;
  label: string;
  danger?: boolean;
  confirm?: string;
}> = ({ session, action, label, danger, confirm }) => (
  <form method="post" action={action} class="inline" data-confirm={confirm}>
    <CsrfField session={session} />
    <button type="submit" class={danger ? 'danger' : 'secondary'}>
      {label}
    </button>
  </form>
);

/** Shows `children` only to sessions with at least the role `atLeast`. */
export const IfRole: FC<PropsWithChildren<{ session: SessionRecord | undefined; atLeast: 'operator' | 'admin' }>> = ({
  session,
  atLeast,
  children,
}) => <>{hasRole(session, atLeast) ? children : null}</>;

/** Renders a full page with its doctype. */
export async function page(c: Context<UiEnv>, element: Child, status: ContentfulStatusCode = 200): Promise<Response> {
  const html = await (element as { toString(): string | Promise<string> }).toString();
  return c.html(`<!doctype html>${html}`, status);
}

/** Time as `2026-12-05 23:15 UTC`: the same for every viewer, readable without script. */
export function when(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return 'never';
  return `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}
