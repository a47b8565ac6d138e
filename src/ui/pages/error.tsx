/** The error page: the status in plain words and what to do next, never a stack trace. */
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { UiEnv } from '../env.js';
import { Layout, page } from '../layout.js';

const titles: Partial<Record<number, string>> = {
  400: 'The request could not be used',
  403: 'Not allowed',
  404: 'Not found',
  409: 'Conflict',
  413: 'Too large',
  415: 'Unsupported form',
  422: 'Cannot be used',
  500: 'Something went wrong',
};

export function errorPage(c: Context<UiEnv>, status: ContentfulStatusCode, message: string): Promise<Response> {
  const title = titles[status] ?? 'Error';
  return page(
    c,
    <Layout title={title} session={c.get('session')}>
      <h1>{title}</h1>
      <p>{message}</p>
      <p>
        <a href="/catalogue">Back to the catalogue</a>
      </p>
    </Layout>,
    status,
  );
}
