/**
 * `GET /v2/<name>/tags/list` page by page: `n` asks for a page size, the `Link: <…>; rel="next"`
 * header (or, without one, `last` = the page's last tag) names the next page. Bounded: a registry
 * that keeps sending pages stops being read after `maxPages`.
 */
import { BridgeError } from '../../errors.js';
import { type OciSession, readAll, statusError } from './session.js';

const pageSize = 1000;
const maxPageBytes = 4 * 1024 * 1024;
const maxPages = 1000;

export async function listTags(oci: OciSession): Promise<string[]> {
  const tags = new Set<string>();
  let path = `tags/list?n=${pageSize}`;
  for (let page = 0; page < maxPages; page++) {
    const response = await oci.request('GET', path, 'application/json');
    if (response.statusCode !== 200) throw await statusError(response, response.url);
    const text = new TextDecoder().decode(await readAll(response, maxPageBytes, 'a tag list page'));
    let body: { tags?: unknown };
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      throw new BridgeError('REGISTRY_PROTOCOL', `registry ${oci.target.origin} sent a tag list that is not JSON`);
    }
    const pageTags = Array.isArray(body.tags) ? body.tags.filter((tag): tag is string => typeof tag === 'string') : [];
    const before = tags.size;
    for (const tag of pageTags) tags.add(tag);
    const next = nextLink(response.headers?.link, oci);
    const last = pageTags.at(-1);
    if (next !== undefined) path = next;
    // Without a Link header a full page may have a successor: ask from its last tag, unless it brought nothing new.
    else if (pageTags.length === pageSize && last !== undefined && tags.size > before) {
      path = `tags/list?n=${pageSize}&last=${encodeURIComponent(last)}`;
    } else return [...tags];
  }
  throw new BridgeError('LIMIT_EXCEEDED', `registry ${oci.target.origin} sent more than ${maxPages} pages of tags`);
}

/** The `rel="next"` target, kept on this repository's `/v2/` path (a link elsewhere is not followed). */
function nextLink(header: string | undefined, oci: OciSession): string | undefined {
  const match = header ? /<([^>]+)>\s*;\s*rel="?next"?/.exec(header) : null;
  if (!match) return undefined;
  const url = new URL(match[1]!, `${oci.target.origin}/`);
  const expected = `/v2/${oci.target.name}/tags/list`;
  if (url.origin !== oci.target.origin || url.pathname !== expected) {
    throw new BridgeError(
      'REGISTRY_PROTOCOL',
      `registry ${oci.target.origin} linked the next tag page outside the repository`,
    );
  }
  return `${url.pathname}${url.search}`;
}
