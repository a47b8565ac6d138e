/** Registry pages: the list with status, one registry with its versions, and the add/edit form. */
import type { FC } from 'hono/jsx';
import { markView } from '../../flows/version-marks.js';
import type { PostedForm } from '../../margo/form.js';
import type {
  RegistryEvent,
  RegistryRecord,
  SessionRecord,
  VersionRecord,
  VersionState,
} from '../../store/interface.js';
import { hasRole } from '../env.js';
import { Checkbox, ErrorSummary, type FieldErrors, Input, Select, TextArea } from '../fields.js';
import { ActionButton, CsrfField, IfRole, Layout, when } from '../layout.js';
import { MarkBadge } from '../mark.js';

export type Counts = Record<VersionState, number>;

const Status: FC<{ registry: RegistryRecord; counts: Counts }> = ({ registry, counts }) => (
  <>
    <span>
      {counts.valid + counts.warnings} usable, {counts.rejected} rejected
    </span>
    <br />
    <span class="muted">last poll {when(registry.lastPollAt)}</span>
    {registry.lastError && (
      <>
        <br />
        <span class="badge failed">error</span> {registry.lastError}
      </>
    )}
  </>
);

export const RegistryList: FC<{
  session: SessionRecord;
  registries: { registry: RegistryRecord; counts: Counts }[];
  notice?: string | undefined;
}> = ({ session, registries, notice }) => (
  <Layout title="Registries" session={session} section="registries" notice={notice}>
    <h1>Registries</h1>
    <p class="lead">Git repositories whose tags are application releases.</p>
    <IfRole session={session} atLeast="admin">
      <p>
        <a class="button" href="/registries/new">
          Add a registry
        </a>
      </p>
    </IfRole>
    {registries.length === 0 ? (
      <p>No registry yet.</p>
    ) : (
      <div class="table-wrap">
        <table>
          <caption class="visually-hidden">Registries and their status</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Repository</th>
              <th scope="col">Status</th>
            </tr>
          </thead>
          <tbody>
            {registries.map(({ registry, counts }) => (
              <tr>
                <td>
                  <a href={`/registries/${registry.id}`}>{registry.name}</a>
                  {registry.configured && (
                    <>
                      {' '}
                      <span class="badge">pre-configured</span>
                    </>
                  )}
                </td>
                <td>
                  <code>{registry.url}</code>
                  {registry.subPath && <span class="muted"> /{registry.subPath}</span>}
                </td>
                <td>
                  <Status registry={registry} counts={counts} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    )}
  </Layout>
);

export const RegistryDetail: FC<{
  session: SessionRecord;
  registry: RegistryRecord;
  counts: Counts;
  versions: VersionRecord[];
  events: RegistryEvent[];
  notice?: string | undefined;
}> = ({ session, registry, counts, versions, events, notice }) => (
  <Layout title={registry.name} session={session} section="registries" notice={notice}>
    <h1>Registry {registry.name}</h1>
    {registry.configured && (
      <p class="notice">Pre-configured in margo-bridge.yaml: change it there; it is read-only here.</p>
    )}
    <dl class="facts">
      <dt>Repository</dt>
      <dd>
        <code>{registry.url}</code> ({registry.kind === 'oci' ? 'OCI' : 'Git'})
      </dd>
      <dt>Sub-path</dt>
      <dd>{registry.subPath || '(root)'}</dd>
      <dt>Tag filter</dt>
      <dd>{registry.tagPattern ?? 'all tags'}</dd>
      <dt>Version range</dt>
      <dd>{registry.semverRange ?? 'any'}</dd>
      <dt>Poll interval</dt>
      <dd>{registry.pollInterval} seconds</dd>
      <dt>Credentials</dt>
      <dd>{credentialText(registry.credentialSummary)}</dd>
      <dt>Status</dt>
      <dd>
        <Status registry={registry} counts={counts} />
      </dd>
      <dt>Next poll</dt>
      <dd>{when(registry.nextPollAt)}</dd>
    </dl>
    <div class="actions">
      <IfRole session={session} atLeast="operator">
        <ActionButton session={session} action={`/registries/${registry.id}/sync`} label="Sync now" />
      </IfRole>
      {hasRole(session, 'admin') && !registry.configured && (
        <>
          <a class="button secondary" href={`/registries/${registry.id}/edit`}>
            Edit
          </a>
          <ActionButton
            session={session}
            action={`/registries/${registry.id}/delete`}
            label="Remove"
            danger
            confirm={`Remove registry ${registry.name} and its versions?`}
          />
        </>
      )}
    </div>
    <h2>Versions</h2>
    {versions.length === 0 ? (
      <p>No version ingested yet.</p>
    ) : (
      <ul class="issue-list">
        {versions.map((version) => (
          <li>
            <span class={`badge ${version.state}`}>{version.state}</span>
            <MarkBadge mark={markView(version)} />{' '}
            {version.applicationId && version.state !== 'rejected' ? (
              <a
                href={`/catalogue/${encodeURIComponent(version.applicationId)}/versions/${encodeURIComponent(version.version)}`}
              >
                {version.version}
              </a>
            ) : (
              version.version
            )}{' '}
            <span class="muted">
              tag {version.tag}, commit <code>{version.commit.slice(0, 12)}</code>
            </span>
            {version.errors.length > 0 && (
              <ul>
                {version.errors.map((issue) => (
                  <li>
                    line {issue.line}: {issue.code} {issue.message}
                  </li>
                ))}
              </ul>
            )}
          </li>
        ))}
      </ul>
    )}
    {events.length > 0 && (
      <>
        <h2>Events</h2>
        <ul>
          {events.map((event) => (
            <li>
              {when(event.createdAt)}: {event.kind} {event.tag ?? ''}
            </li>
          ))}
        </ul>
      </>
    )}
  </Layout>
);

function credentialText(summary: Record<string, unknown>): string {
  const parts = [summary.auth === 'none' || summary.auth === undefined ? 'anonymous' : `${String(summary.auth)} auth`];
  if (typeof summary.username === 'string') parts[0] += ` as ${summary.username}`;
  if (summary.caCert === true) parts.push('custom CA');
  if (summary.clientCert === true) parts.push('client certificate');
  if (summary.webhookSecret === true) parts.push('webhook secret');
  return parts.join(', ');
}

interface FieldSpec {
  name: string;
  label: string;
  help?: string;
  type?: 'url' | 'password' | 'number';
  required?: boolean;
  placeholder?: string;
  /** PEM text: a text area. */
  pem?: boolean;
  /** A secret: never shown again, kept when left empty on an edit. */
  secret?: boolean;
}

const connectionFields: FieldSpec[] = [
  { name: 'name', label: 'Name', required: true },
  {
    name: 'url',
    label: 'Repository URL',
    type: 'url',
    required: true,
    help: 'The HTTPS clone URL, without credentials.',
    placeholder: 'https://git.example.com/acme/app.git',
  },
  { name: 'subPath', label: 'Sub-path', help: 'The package folder inside the repository; empty for the root.' },
  { name: 'tagPattern', label: 'Tag filter', help: 'A glob such as v*; empty for every tag.' },
  { name: 'semverRange', label: 'Version range', help: 'A semver range such as >=1.2 <2; empty for any.' },
  {
    name: 'pollInterval',
    label: 'Poll interval',
    type: 'number',
    help: 'Seconds between polls (at least 30); empty for the default.',
  },
];

const credentialFields: FieldSpec[] = [
  { name: 'username', label: 'User name', help: 'For HTTP basic.' },
  { name: 'password', label: 'Password', type: 'password', secret: true, help: 'For HTTP basic.' },
  { name: 'token', label: 'Token', type: 'password', secret: true, help: 'For a bearer token.' },
  {
    name: 'caCert',
    label: 'CA certificate',
    pem: true,
    help: 'PEM; for a server whose certificate a private CA signed.',
  },
  { name: 'clientCert', label: 'Client certificate', pem: true, help: 'PEM; for servers that require mutual TLS.' },
  {
    name: 'clientKey',
    label: 'Client key',
    pem: true,
    secret: true,
    help: 'PEM private key of the client certificate.',
  },
  {
    name: 'webhookSecret',
    label: 'Webhook secret',
    type: 'password',
    secret: true,
    help: "The forge webhook's shared secret.",
  },
];

const fieldLabels: Record<string, string> = Object.fromEntries(
  [
    ...connectionFields,
    ...credentialFields,
    { name: 'authType', label: 'Credentials' },
    { name: 'kind', label: 'Kind' },
  ].map((f) => [f.name, f.label]),
);

const SpecField: FC<{ spec: FieldSpec; form: PostedForm; errors: FieldErrors; editing: boolean }> = ({
  spec,
  form,
  errors,
  editing,
}) => {
  const given = form[spec.name];
  const value = spec.secret ? undefined : Array.isArray(given) ? given[given.length - 1] : given;
  const keep =
    editing && (spec.secret || spec.pem) && spec.name !== 'username' ? ' Leave empty to keep the stored one.' : '';
  const props = {
    name: spec.name,
    label: spec.label,
    value,
    error: errors[spec.name],
    help: spec.help === undefined ? undefined : `${spec.help}${keep}`,
    required: spec.required ?? false,
  };
  return spec.pem ? <TextArea {...props} /> : <Input {...props} type={spec.type} placeholder={spec.placeholder} />;
};

export interface RegistryFormProps {
  session: SessionRecord;
  /** Absent: a new registry. */
  registry?: RegistryRecord | undefined;
  form: PostedForm;
  errors: FieldErrors;
  /** The connection test's outcome, shown before saving. */
  tested?: { ok: boolean; message: string } | undefined;
}

export const RegistryForm: FC<RegistryFormProps> = ({ session, registry, form, errors, tested }) => {
  const value = (name: string) => {
    const given = form[name];
    return Array.isArray(given) ? given[given.length - 1] : given;
  };
  const editing = registry !== undefined;
  const title = editing ? `Edit registry ${registry.name}` : 'Add a registry';
  return (
    <Layout title={title} session={session} section="registries">
      <h1>{title}</h1>
      <ErrorSummary
        errors={Object.entries(errors).map(([name, message]) => ({
          name,
          label: fieldLabels[name] ?? name,
          message,
        }))}
      />
      {tested && (
        <div class={tested.ok ? 'notice' : 'error-summary'} role="status">
          <p>
            <strong>Connection test: </strong>
            {tested.message}
          </p>
        </div>
      )}
      <form method="post" action={editing ? `/registries/${registry.id}/edit` : '/registries/new'} novalidate>
        <CsrfField session={session} />
        {!editing && (
          <Select
            name="kind"
            label="Kind"
            value={value('kind') ?? 'git'}
            required
            options={[
              { value: 'git', label: 'Git repository (a tag is a release)' },
              { value: 'oci', label: 'OCI repository (https://registry.example.com/<name>)' },
            ]}
          />
        )}
        <div class="two-columns">
          {connectionFields.map((spec) => (
            <SpecField spec={spec} form={form} errors={errors} editing={editing} />
          ))}
        </div>
        <Checkbox
          name="allowHttp"
          label="Allow plain http:// (local servers only)"
          checked={value('allowHttp') === 'true'}
        />
        <Checkbox
          name="strictVersion"
          label="Strict versions: reject a release whose metadata.version differs from its tag"
          checked={value('strictVersion') === 'true'}
        />
        <fieldset>
          <legend>Credentials</legend>
          <Select
            name="authType"
            label="Credentials"
            value={value('authType') ?? 'keep'}
            error={errors.authType}
            options={[
              ...(editing ? [{ value: 'keep', label: 'Keep the stored credentials' }] : []),
              { value: 'none', label: 'None (public repository)' },
              { value: 'basic', label: 'User name and password (HTTP basic)' },
              { value: 'bearer', label: 'Bearer token' },
            ]}
            required
          />
          <div class="two-columns">
            {credentialFields.map((spec) => (
              <SpecField spec={spec} form={form} errors={errors} editing={editing} />
            ))}
          </div>
          {editing && (
            <Checkbox
              name="clearTls"
              label="Remove the stored CA and client certificate"
              checked={value('clearTls') === 'true'}
            />
          )}
        </fieldset>
        <Checkbox name="force" label="Save even if the connection test fails" checked={value('force') === 'true'} />
        <div class="actions">
          <button type="submit" name="intent" value="test" class="secondary">
            Test the connection
          </button>
          <button type="submit" name="intent" value="save">
            {editing ? 'Save changes' : 'Add registry'}
          </button>
          <a href={editing ? `/registries/${registry.id}` : '/registries'}>Cancel</a>
        </div>
      </form>
    </Layout>
  );
};
