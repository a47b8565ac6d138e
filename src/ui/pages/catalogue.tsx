/** Catalogue pages: the applications with search and tag filter, one application, one version. */

import { raw } from 'hono/html';
import type { FC } from 'hono/jsx';
import { markView } from '../../flows/version-marks.js';
import type { Description, Issue, Profile } from '../../margo/model.js';
import type { SessionRecord, VersionRecord } from '../../store/interface.js';
import { Input, Select } from '../fields.js';
import { IfRole, Layout, when } from '../layout.js';
import { MarkBadge, MarkNote } from '../mark.js';

export interface ApplicationCard {
  id: string;
  name: string;
  tagline?: string | undefined;
  tags: string[];
  organisation?: string | undefined;
  latest: string | null;
  /** The version whose icon is shown, when it has one. */
  iconHref?: string | undefined;
}

export function versionPath(applicationId: string, version: string): string {
  return `/catalogue/${encodeURIComponent(applicationId)}/versions/${encodeURIComponent(version)}`;
}

export function cardOf(
  applicationId: string,
  shown: VersionRecord | undefined,
  latest: string | null,
): ApplicationCard {
  const description = shown?.description as Description | null | undefined;
  const catalog = description?.metadata.catalog;
  return {
    id: applicationId,
    name: description?.metadata.name ?? applicationId,
    tagline: catalog?.application?.tagline,
    tags: catalog?.application?.tags ?? [],
    organisation: catalog?.organization.map((organisation) => organisation.name).join(', ') || undefined,
    latest,
    iconHref:
      shown && catalog?.application?.icon ? `${versionPath(applicationId, shown.version)}/resources/icon` : undefined,
  };
}

const Icon: FC<{ href?: string | undefined }> = ({ href }) =>
  href ? <img src={href} alt="" width={56} height={56} /> : null;

const Tags: FC<{ tags: string[] }> = ({ tags }) =>
  tags.length === 0 ? null : (
    <ul class="tags" aria-label="Tags">
      {tags.map((tag) => (
        <li>{tag}</li>
      ))}
    </ul>
  );

export const CataloguePage: FC<{
  session: SessionRecord;
  cards: ApplicationCard[];
  allTags: string[];
  query: string;
  tag: string;
}> = ({ session, cards, allTags, query, tag }) => (
  <Layout title="Catalogue" session={session} section="catalogue">
    <h1>Catalogue</h1>
    <search>
      <form method="get" action="/catalogue" class="filters">
        <Input name="q" label="Search" type="search" value={query} help="Name, id, tagline or organisation." />
        <Select
          name="tag"
          label="Tag"
          value={tag}
          placeholder="Any tag"
          options={allTags.map((name) => ({ value: name, label: name }))}
        />
        <button type="submit">Filter</button>
      </form>
    </search>
    <p role="status">
      {cards.length} application{cards.length === 1 ? '' : 's'}
      {query || tag ? ' match' : ''}.
    </p>
    <ul class="cards">
      {cards.map((card) => (
        <li class="card">
          <Icon href={card.iconHref} />
          <div>
            <h2>
              <a href={`/catalogue/${encodeURIComponent(card.id)}`}>{card.name}</a>
            </h2>
            {card.tagline && <p>{card.tagline}</p>}
            <p class="muted">
              {card.organisation ?? 'Unknown organisation'} · latest {card.latest ?? 'none usable'}
            </p>
            <Tags tags={card.tags} />
          </div>
        </li>
      ))}
    </ul>
  </Layout>
);

const StateBadge: FC<{ state: string }> = ({ state }) => (
  <span class={`badge ${state}`}>{state === 'warnings' ? 'valid, with warnings' : state}</span>
);

export const ApplicationPage: FC<{ session: SessionRecord; card: ApplicationCard; versions: VersionRecord[] }> = ({
  session,
  card,
  versions,
}) => (
  <Layout title={card.name} session={session} section="catalogue">
    <div class="app-head">
      <Icon href={card.iconHref} />
      <div>
        <h1>{card.name}</h1>
        {card.tagline && <p class="lead">{card.tagline}</p>}
      </div>
    </div>
    <p class="muted">
      <code>{card.id}</code> · {card.organisation ?? 'Unknown organisation'}
    </p>
    <Tags tags={card.tags} />
    <h2>Versions</h2>
    <div class="table-wrap">
      <table>
        <thead>
          <tr>
            <th scope="col">Version</th>
            <th scope="col">State</th>
            <th scope="col">Findings</th>
            <th scope="col">Ingested</th>
          </tr>
        </thead>
        <tbody>
          {versions.map((version) => (
            <tr>
              <td>
                <a href={versionPath(card.id, version.version)}>{version.version}</a>
              </td>
              <td>
                <StateBadge state={version.state} />
                <MarkBadge mark={markView(version)} />
              </td>
              <td>
                {version.errors.length} errors, {version.warnings.length} warnings
              </td>
              <td>{when(version.createdAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
    {card.latest && (
      <IfRole session={session} atLeast="operator">
        <p>
          <a class="button" href={`/configure/${encodeURIComponent(card.id)}/${encodeURIComponent(card.latest)}`}>
            Configure version {card.latest}
          </a>
        </p>
      </IfRole>
    )}
  </Layout>
);

const IssueList: FC<{ issues: Issue[]; kind: string }> = ({ issues, kind }) =>
  issues.length === 0 ? null : (
    <>
      <h2>{kind === 'error' ? 'Errors' : 'Warnings'}</h2>
      <ul class="issue-list">
        {issues.map((issue) => (
          <li>
            <strong>line {issue.line}</strong>
            {issue.column > 0 ? `, column ${issue.column}` : ''}: <code>{issue.code}</code> {issue.message}
            {issue.path && <span class="muted"> ({issue.path})</span>}
          </li>
        ))}
      </ul>
    </>
  );

const ProfileList: FC<{ profiles: Profile[] }> = ({ profiles }) => (
  <>
    <h2>Deployment profiles</h2>
    <ul>
      {profiles.map((profile) => (
        <li>
          <strong>{profile.id}</strong> ({profile.type}
          {profile.typeAsWritten !== profile.type ? `, written ${profile.typeAsWritten}` : ''})
          {profile.description && <>: {profile.description}</>}
          <br />
          <span class="muted">Components: {profile.components.map((component) => component.name).join(', ')}</span>
        </li>
      ))}
    </ul>
  </>
);

export interface VersionPageProps {
  session: SessionRecord;
  card: ApplicationCard;
  version: VersionRecord;
  /** Safe HTML rendered from the package's markdown files (ui/markdown.ts). */
  descriptionHtml?: string | undefined;
  releaseNotesHtml?: string | undefined;
  licence?: { html?: string; href: string } | undefined;
}

export const VersionPage: FC<VersionPageProps> = ({
  session,
  card,
  version,
  descriptionHtml,
  releaseNotesHtml,
  licence,
}) => {
  const description = version.description as Description | null;
  const site = description?.metadata.catalog.application?.site;
  return (
    <Layout title={`${card.name} ${version.version}`} session={session} section="catalogue">
      <div class="app-head">
        <Icon href={card.iconHref} />
        <div>
          <h1>
            {card.name} {version.version}
          </h1>
          {card.tagline && <p class="lead">{card.tagline}</p>}
        </div>
      </div>
      <p>
        <StateBadge state={version.state} /> tag <code>{version.tag}</code>, commit{' '}
        <code>{version.commit.slice(0, 12)}</code> ·{' '}
        <a href={`/catalogue/${encodeURIComponent(card.id)}`}>all versions</a>
      </p>
      <MarkNote mark={markView(version)} />
      {version.state !== 'rejected' && (
        <IfRole session={session} atLeast="operator">
          <p>
            <a class="button" href={`/configure/${encodeURIComponent(card.id)}/${encodeURIComponent(version.version)}`}>
              Configure and deploy
            </a>
          </p>
        </IfRole>
      )}
      <IssueList issues={version.errors} kind="error" />
      <IssueList issues={version.warnings} kind="warning" />
      <h2>Description</h2>
      <div class="prose">
        {descriptionHtml ? raw(descriptionHtml) : <p>{description?.metadata.description ?? 'No description.'}</p>}
      </div>
      <dl class="facts">
        <dt>Organisation</dt>
        <dd>{card.organisation ?? 'unknown'}</dd>
        {site && /^https?:\/\//i.test(site) && (
          <>
            <dt>Site</dt>
            <dd>
              <a href={site} rel="noopener noreferrer nofollow">
                {site}
              </a>
            </dd>
          </>
        )}
        <dt>Licence</dt>
        <dd>{licence ? <a href={licence.href}>licence file</a> : 'not given'}</dd>
      </dl>
      {licence?.html && (
        <details>
          <summary>Licence text</summary>
          <div class="prose">{raw(licence.html)}</div>
        </details>
      )}
      {description && <ProfileList profiles={description.profiles} />}
      {releaseNotesHtml && (
        <>
          <h2>Release notes</h2>
          <div class="prose" id="release-notes">
            {raw(releaseNotesHtml)}
          </div>
        </>
      )}
    </Layout>
  );
};
