/** Deployment repository pages: the list, one repository, and the add form (admins). */
import type { FC } from 'hono/jsx';
import type { PostedForm } from '../../margo/form.js';
import type { DeploymentRepositoryRecord } from '../../store/deployment-records.js';
import type { SessionRecord } from '../../store/interface.js';
import { hasRole } from '../env.js';
import { Checkbox, ErrorSummary, type FieldErrors, Input, Select, TextArea } from '../fields.js';
import { ActionButton, CsrfField, IfRole, Layout, when } from '../layout.js';

/** Where a repository lives, in words. */
export function locationOf(repository: DeploymentRepositoryRecord): string {
  const settings = repository.settings as { owner?: string; repo?: string; apiUrl?: string; url?: string };
  switch (repository.provider) {
    case 'github':
      return `${settings.owner}/${settings.repo} on ${settings.apiUrl ?? 'https://api.github.com'}`;
    case 'git':
      return settings.url ?? '';
    case 'local':
      return `kept by margo-bridge, served read-only at /git/${repository.name}.git`;
  }
}

export const RepositoryList: FC<{
  session: SessionRecord;
  repositories: DeploymentRepositoryRecord[];
  notice?: string | undefined;
}> = ({ session, repositories, notice }) => (
  <Layout title="Deployment repositories" session={session} section="repositories" notice={notice}>
    <h1>Deployment repositories</h1>
    <p class="lead">GitOps repositories that receive the pull requests.</p>
    <IfRole session={session} atLeast="admin">
      <p>
        <a class="button" href="/repositories/new">
          Add a deployment repository
        </a>
      </p>
    </IfRole>
    {repositories.length === 0 ? (
      <p>No deployment repository yet.</p>
    ) : (
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Provider</th>
              <th scope="col">Where</th>
              <th scope="col">Branch and format</th>
            </tr>
          </thead>
          <tbody>
            {repositories.map((repository) => (
              <tr>
                <td>
                  <a href={`/repositories/${repository.id}`}>{repository.name}</a>
                  {repository.configured && (
                    <>
                      {' '}
                      <span class="badge">pre-configured</span>
                    </>
                  )}
                </td>
                <td>{repository.provider}</td>
                <td>
                  <code>{locationOf(repository)}</code>
                </td>
                <td>
                  {repository.baseBranch}, {repository.format}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    )}
  </Layout>
);

export const RepositoryDetail: FC<{
  session: SessionRecord;
  repository: DeploymentRepositoryRecord;
  deployments: number;
}> = ({ session, repository, deployments }) => (
  <Layout title={repository.name} session={session} section="repositories">
    <h1>Deployment repository {repository.name}</h1>
    {repository.configured && (
      <p class="notice">Pre-configured in margo-bridge.yaml: change it there; it is read-only here.</p>
    )}
    <dl class="facts">
      <dt>Provider</dt>
      <dd>{repository.provider}</dd>
      <dt>Where</dt>
      <dd>
        <code>{locationOf(repository)}</code>
      </dd>
      <dt>Base branch</dt>
      <dd>{repository.baseBranch}</dd>
      <dt>Format</dt>
      <dd>{repository.format}</dd>
      <dt>Layout</dt>
      <dd>
        <code>
          {repository.layout.root ? `${repository.layout.root}/` : ''}
          {repository.layout.directory}
        </code>
      </dd>
      <dt>Commit author</dt>
      <dd>
        {repository.commitAuthor.name} &lt;{repository.commitAuthor.email}&gt;
      </dd>
      <dt>Credentials</dt>
      <dd>{String(repository.credentialSummary.auth ?? 'none')}</dd>
      <dt>Deployments</dt>
      <dd>
        <a href={`/deployments?repository=${encodeURIComponent(repository.name)}`}>{deployments}</a>
      </dd>
      <dt>Added</dt>
      <dd>{when(repository.createdAt)}</dd>
    </dl>
    {hasRole(session, 'admin') && !repository.configured && (
      <div class="actions">
        <ActionButton
          session={session}
          action={`/repositories/${repository.id}/delete`}
          label="Remove"
          danger
          confirm={`Remove deployment repository ${repository.name}? Its files stay where they are.`}
        />
      </div>
    )}
  </Layout>
);

const labels: Record<string, string> = {
  provider: 'Provider',
  name: 'Name',
  baseBranch: 'Base branch',
  format: 'Format',
  owner: 'Owner',
  repo: 'Repository',
  apiUrl: 'API URL',
  githubAuth: 'GitHub credentials',
  token: 'Token',
  appId: 'App id',
  installationId: 'Installation id',
  privateKey: 'Private key',
  url: 'Repository URL',
  gitAuth: 'Credentials',
  username: 'User name',
  password: 'Password',
  gitToken: 'Bearer token',
  caCert: 'CA certificate',
  clientCert: 'Client certificate',
  clientKey: 'Client key',
  ageRecipients: 'age recipients',
  sops: 'age recipients',
  form: 'Form',
};

export const RepositoryForm: FC<{ session: SessionRecord; form: PostedForm; errors: FieldErrors }> = ({
  session,
  form,
  errors,
}) => {
  const value = (name: string) => {
    const given = form[name];
    return Array.isArray(given) ? given[given.length - 1] : given;
  };
  const field = (name: string) => ({
    name,
    label: labels[name] ?? name,
    value: value(name),
    error: errors[name],
    required: false,
  });
  return (
    <Layout title="Add a deployment repository" session={session} section="repositories">
      <h1>Add a deployment repository</h1>
      <ErrorSummary
        errors={Object.entries(errors).map(([name, message]) => ({ name, label: labels[name] ?? name, message }))}
      />
      <form method="post" action="/repositories/new" novalidate id="field-form">
        <CsrfField session={session} />
        <div class="two-columns">
          <Input {...field('name')} required help="Chosen on the configure page." />
          <Select
            {...field('provider')}
            required
            options={[
              { value: 'local', label: 'local: kept and reviewed by margo-bridge' },
              { value: 'github', label: 'GitHub: pull requests' },
              { value: 'git', label: 'Any Git server: the branch is the proposal' },
            ]}
          />
          <Input {...field('baseBranch')} help="Default main." />
          <Select
            {...field('format')}
            placeholder="margo (default)"
            options={['margo', 'margo-v1', 'flux', 'argocd'].map((format) => ({ value: format, label: format }))}
          />
        </div>
        <fieldset data-when="provider:github">
          <legend>GitHub</legend>
          <div class="two-columns">
            <Input {...field('owner')} help="Organisation or user." />
            <Input {...field('repo')} />
            <Input
              {...field('apiUrl')}
              type="url"
              help="Empty for github.com; GitHub Enterprise: https://host/api/v3."
            />
            <Select
              {...field('githubAuth')}
              options={[
                { value: 'token', label: 'Token' },
                { value: 'app', label: 'GitHub App' },
              ]}
            />
            <Input {...field('token')} value={undefined} type="password" help="For a token." />
            <Input {...field('appId')} type="number" help="For a GitHub App." />
            <Input {...field('installationId')} type="number" help="For a GitHub App." />
          </div>
          <TextArea {...field('privateKey')} value={undefined} help="The GitHub App's private key (PEM)." />
        </fieldset>
        <fieldset data-when="provider:git">
          <legend>Any Git server</legend>
          <Input {...field('url')} type="url" help="The HTTPS clone URL, without credentials." />
          <Checkbox
            name="allowHttp"
            label="Allow plain http:// (local servers only)"
            checked={value('allowHttp') === 'true'}
          />
          <div class="two-columns">
            <Select
              {...field('gitAuth')}
              options={[
                { value: 'none', label: 'None' },
                { value: 'basic', label: 'User name and password (HTTP basic)' },
                { value: 'bearer', label: 'Bearer token' },
              ]}
            />
            <Input {...field('username')} help="For HTTP basic." />
            <Input {...field('password')} value={undefined} type="password" help="For HTTP basic." />
            <Input {...field('gitToken')} value={undefined} type="password" help="For a bearer token." />
          </div>
          <TextArea {...field('caCert')} help="PEM; for a server whose certificate a private CA signed." />
          <TextArea {...field('clientCert')} help="PEM; for servers that require mutual TLS." />
          <TextArea {...field('clientKey')} value={undefined} help="PEM private key of the client certificate." />
        </fieldset>
        <fieldset>
          <legend>Sensitive values</legend>
          <TextArea
            {...field('ageRecipients')}
            help="age recipients (age1…), one per line: sensitive values are written SOPS-encrypted for them."
          />
          <Checkbox
            name="allowPlaintextSecrets"
            label="Without recipients, accept sensitive values in plain text"
            checked={value('allowPlaintextSecrets') === 'true'}
          />
        </fieldset>
        <Checkbox name="force" label="Save even if the connection test fails" checked={value('force') === 'true'} />
        <div class="actions">
          <button type="submit">Add deployment repository</button>
          <a href="/repositories">Cancel</a>
        </div>
      </form>
    </Layout>
  );
};
