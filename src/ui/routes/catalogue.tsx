/** Catalogue pages and the package files they show (icon, description, release notes, licence). */
import { BridgeError } from '../../errors.js';
import type { Description } from '../../margo/model.js';
import type { Store, VersionRecord } from '../../store/interface.js';
import type { UiApp } from '../env.js';
import { sessionOf } from '../guard.js';
import { page } from '../layout.js';
import { renderMarkdown } from '../markdown.js';
import {
  type ApplicationCard,
  ApplicationPage,
  CataloguePage,
  cardOf,
  VersionPage,
  versionPath,
} from '../pages/catalogue.js';

const resourceNames = new Set(['icon', 'descriptionFile', 'releaseNotes', 'licenseFile']);
const TEXT_TYPES = /^text\/(markdown|plain)/;

export function registerCatalogue(ui: UiApp): void {
  ui.get('/catalogue', async (c) => {
    const { store } = c.get('services');
    const query = (c.req.query('q') ?? '').trim();
    const tag = c.req.query('tag') ?? '';
    const rows = await store.versions.applications();
    const cards = await Promise.all(
      rows.map(async (row) => {
        const shown = row.latest ?? newest(await store.versions.listByApplication(row.applicationId));
        return cardOf(row.applicationId, shown, row.latest?.version ?? null);
      }),
    );
    const allTags = [...new Set(cards.flatMap((card) => card.tags))].sort();
    const shown = cards
      .filter((card) => matches(card, query) && (tag === '' || card.tags.includes(tag)))
      .sort((a, b) => a.name.localeCompare(b.name));
    return page(c, <CataloguePage session={sessionOf(c)} cards={shown} allTags={allTags} query={query} tag={tag} />);
  });

  ui.get('/catalogue/:app', async (c) => {
    const { store } = c.get('services');
    const id = c.req.param('app');
    const versions = await store.versions.listByApplication(id);
    if (versions.length === 0) throw new BridgeError('NOT_FOUND', `no application with id '${id}'`);
    const latest = newest(
      versions.filter((version) => version.state !== 'rejected' && version.mark?.kind !== 'withdrawn'),
    );
    const card = cardOf(id, latest ?? newest(versions), latest?.version ?? null);
    const ordered = [...versions].sort((a, b) => b.createdAt - a.createdAt);
    return page(c, <ApplicationPage session={sessionOf(c)} card={card} versions={ordered} />);
  });

  ui.get('/catalogue/:app/versions/:version', async (c) => {
    const { store } = c.get('services');
    const version = await findVersion(store, c.req.param('app'), c.req.param('version'));
    const card: ApplicationCard = cardOf(c.req.param('app'), version, version.version);
    const markdown = async (name: string) => {
      const resource = await store.versions.resource(version.id, name);
      return resource && TEXT_TYPES.test(resource.contentType)
        ? renderMarkdown(new TextDecoder().decode(resource.bytes))
        : undefined;
    };
    const catalog = (version.description as Description | null)?.metadata.catalog.application;
    const licenceHtml = catalog?.licenseFile ? await markdown('licenseFile') : undefined;
    const base = versionPath(card.id, version.version);
    return page(
      c,
      <VersionPage
        session={sessionOf(c)}
        card={card}
        version={version}
        descriptionHtml={catalog?.descriptionFile ? await markdown('descriptionFile') : undefined}
        releaseNotesHtml={catalog?.releaseNotes ? await markdown('releaseNotes') : undefined}
        licence={
          catalog?.licenseFile
            ? { href: `${base}/resources/licenseFile`, ...(licenceHtml ? { html: licenceHtml } : {}) }
            : undefined
        }
      />,
    );
  });

  ui.get('/catalogue/:app/versions/:version/resources/:name', async (c) => {
    const { store } = c.get('services');
    const name = c.req.param('name');
    if (!resourceNames.has(name)) throw new BridgeError('NOT_FOUND', `no resource ${name}`);
    const version = await findVersion(store, c.req.param('app'), c.req.param('version'));
    const resource = await store.versions.resource(version.id, name);
    if (!resource) throw new BridgeError('NOT_FOUND', `version ${version.version} has no ${name}`);
    // Registry files never run as part of this origin: sandboxed, not sniffed, markdown as plain text.
    return c.body(resource.bytes as Uint8Array<ArrayBuffer>, 200, {
      'content-type': TEXT_TYPES.test(resource.contentType) ? 'text/plain; charset=utf-8' : resource.contentType,
      'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; sandbox",
      'cache-control': 'private, max-age=3600',
    });
  });
}

async function findVersion(store: Store, applicationId: string, version: string): Promise<VersionRecord> {
  const found = await store.versions.get(applicationId, version);
  if (!found) throw new BridgeError('NOT_FOUND', `application '${applicationId}' has no version '${version}'`);
  return found;
}

function newest(versions: VersionRecord[]): VersionRecord | undefined {
  return [...versions].sort((a, b) => b.createdAt - a.createdAt)[0];
}

function matches(card: ApplicationCard, query: string): boolean {
  if (query === '') return true;
  const needle = query.toLowerCase();
  return [card.name, card.id, card.tagline ?? '', card.organisation ?? '', ...card.tags].some((text) =>
    text.toLowerCase().includes(needle),
  );
}
