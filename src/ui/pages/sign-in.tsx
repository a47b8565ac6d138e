/**
 * Sign-in with an API token. When a session ended while a form was being filled, the page carries
 * what was typed (hidden fields) and the session created at sign-in keeps it as a draft, which the
 * form's page shows again.
 */
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { PostedForm } from '../../margo/form.js';
import type { UiEnv } from '../env.js';
import { ErrorSummary, Input } from '../fields.js';
import { Layout, page } from '../layout.js';
import { signInToken } from '../session.js';

export interface SignInOptions {
  returnTo: string;
  carry?: PostedForm | undefined;
  expired?: boolean;
  error?: string;
}

export function signInPage(
  c: Context<UiEnv>,
  options: SignInOptions,
  status: ContentfulStatusCode = 200,
): Promise<Response> {
  const csrf = signInToken(c);
  const carried = options.carry !== undefined && Object.keys(options.carry).length > 0;
  return page(
    c,
    <Layout title="Sign in" session={undefined}>
      <h1>Sign in</h1>
      {options.expired && (
        <p class="notice" role="status">
          Your session has ended. Sign in again
          {carried ? '; what you typed is kept and shown again.' : '.'}
        </p>
      )}
      <ErrorSummary errors={options.error ? [{ name: 'token', label: 'API token', message: options.error }] : []} />
      <form method="post" action="/sign-in" novalidate>
        <input type="hidden" name="_csrf" value={csrf} />
        <input type="hidden" name="return" value={options.returnTo} />
        {carried && <input type="hidden" name="carry" value={JSON.stringify(options.carry)} />}
        <Input
          name="token"
          label="API token"
          type="password"
          required
          autocomplete="current-password"
          help="A token an administrator created for you (viewer, operator or admin). It is checked once; the browser then keeps only a session cookie."
          error={options.error}
        />
        <div class="actions">
          <button type="submit">Sign in</button>
        </div>
      </form>
    </Layout>,
    status,
  );
}
