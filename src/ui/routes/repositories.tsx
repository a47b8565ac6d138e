/** Deployment repository pages: everyone sees them, admins add and remove them. */
import { BridgeError } from '../../errors.js';
import {
  createDeploymentRepository,
  deleteDeploymentRepository,
  deploymentRepositorySchema,
  getDeploymentRepository,
  listDeploymentRepositories,
} from '../../flows/deployments/index.js';
import type { PostedForm } from '../../margo/form.js';
import { text } from '../configure-model.js';
import type { UiApp } from '../env.js';
import type { FieldErrors } from '../fields.js';
import { postedForm, requireRole, sessionOf, single } from '../guard.js';
import { page } from '../layout.js';
import { forPage, noticeOf, withNotice } from '../messages.js';
import { RepositoryDetail, RepositoryForm, RepositoryList } from '../pages/repositories.js';
import { takeDraft } from '../session.js';

export function registerRepositories(ui: UiApp): void {
  ui.get('/repositories', async (c) => {
    const repositories = await listDeploymentRepositories(c.get('services'));
    return page(
      c,
      <RepositoryList session={sessionOf(c)} repositories={repositories} notice={noticeOf(c.req.query('notice'))} />,
    );
  });

  ui.get('/repositories/new', async (c) => {
    const session = requireRole(c, 'admin');
    const draft = await takeDraft(c);
    return page(
      c,
      <RepositoryForm session={session} form={draft ?? { provider: 'local', githubAuth: 'token' }} errors={{}} />,
    );
  });

  ui.post('/repositories/new', async (c) => {
    const session = requireRole(c, 'admin');
    const form = await postedForm(c);
    const parsed = deploymentRepositorySchema.safeParse(settingsOf(form));
    if (!parsed.success) {
      const errors: FieldErrors = {};
      for (const issue of parsed.error.issues) errors[fieldOf(issue.path.map(String))] ??= issue.message;
      return page(c, <RepositoryForm session={session} form={form} errors={errors} />, 422);
    }
    try {
      await createDeploymentRepository(c.get('services'), parsed.data, {
        force: single(form, 'force') === 'true',
      });
      return c.redirect(withNotice('/repositories', 'repository-added'), 303);
    } catch (error) {
      if (!(error instanceof BridgeError) || error.code === 'FORBIDDEN' || error.code === 'INTERNAL') throw error;
      const field = (error.details as { field?: unknown } | undefined)?.field;
      const credentials = text(form, 'provider') === 'github' ? 'token' : 'gitAuth';
      const name =
        error.code === 'CONFLICT'
          ? 'name'
          : typeof field === 'string'
            ? fieldOf([field])
            : error.code === 'DEPLOY_AUTH' || error.code === 'DEPLOY_PERMISSION'
              ? credentials
              : error.code === 'DEPLOY_NOT_FOUND'
                ? 'repo'
                : 'form';
      const errors = { [name]: forPage(error.message) };
      return page(c, <RepositoryForm session={session} form={form} errors={errors} />, 422);
    }
  });

  // The review page of a `local` proposal (the provider's proposal URL): the deployment it belongs to.
  ui.get('/repositories/:name/proposals/:number', async (c) => {
    const { store } = c.get('services');
    const repository = await store.deploymentRepositories.getByName(c.req.param('name'));
    const number = Number(c.req.param('number'));
    const proposal =
      repository && Number.isSafeInteger(number)
        ? (await store.proposals.findByNumber(repository.id, number))[0]
        : undefined;
    if (!proposal) throw new BridgeError('NOT_FOUND', 'no such proposal');
    return c.redirect(`/deployments/${encodeURIComponent(proposal.deploymentId)}`, 302);
  });

  ui.get('/repositories/:id', async (c) => {
    const services = c.get('services');
    const repository = await getDeploymentRepository(services, c.req.param('id'));
    const deployments = await services.store.deployments.countByRepository(repository.id);
    return page(c, <RepositoryDetail session={sessionOf(c)} repository={repository} deployments={deployments} />);
  });

  ui.post('/repositories/:id/delete', async (c) => {
    requireRole(c, 'admin');
    const services = c.get('services');
    const repository = await getDeploymentRepository(services, c.req.param('id'));
    if (repository.configured) {
      throw new BridgeError('FORBIDDEN', `${repository.name} is pre-configured in margo-bridge.yaml; remove it there`);
    }
    await deleteDeploymentRepository(services, repository.id);
    return c.redirect(withNotice('/repositories', 'repository-removed'), 303);
  });
}

/** The form as the settings the API takes; the configuration schema judges them. */
function settingsOf(form: PostedForm): unknown {
  const recipients = (single(form, 'ageRecipients') ?? '')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
  const common = {
    name: text(form, 'name'),
    ...(recipients.length > 0 ? { sops: { ageRecipients: recipients } } : {}),
    ...(text(form, 'allowPlaintextSecrets') === 'true' ? { allowPlaintextSecrets: true } : {}),
    ...(text(form, 'baseBranch') ? { baseBranch: text(form, 'baseBranch') } : {}),
    ...(text(form, 'format') ? { format: text(form, 'format') } : {}),
  };
  const secret = (name: string) => single(form, name) ?? '';
  switch (text(form, 'provider')) {
    case 'github':
      return {
        provider: 'github',
        ...common,
        github: {
          owner: text(form, 'owner'),
          repo: text(form, 'repo'),
          ...(text(form, 'apiUrl') ? { apiUrl: text(form, 'apiUrl') } : {}),
          auth:
            text(form, 'githubAuth') === 'app'
              ? {
                  type: 'app',
                  appId: wholeNumber(text(form, 'appId')),
                  installationId: wholeNumber(text(form, 'installationId')),
                  privateKey: secret('privateKey'),
                }
              : { type: 'token', token: secret('token') },
        },
      };
    case 'git': {
      const kind = text(form, 'gitAuth');
      const pem = (name: string) => (secret(name).trim() ? { [name]: secret(name) } : {});
      return {
        provider: 'git',
        ...common,
        git: {
          url: text(form, 'url'),
          allowHttp: text(form, 'allowHttp') === 'true',
          ...(kind === 'basic'
            ? { auth: { type: 'basic', username: text(form, 'username'), password: secret('password') } }
            : kind === 'bearer'
              ? { auth: { type: 'bearer', token: secret('gitToken') } }
              : {}),
          ...pem('caCert'),
          ...pem('clientCert'),
          ...pem('clientKey'),
        },
      };
    }
    default:
      return { provider: text(form, 'provider'), ...common };
  }
}

/** A number typed in a form; anything else stays text, so the schema names the field. */
function wholeNumber(typed: string): number | string {
  return /^\d+$/.test(typed) ? Number(typed) : typed;
}

/** The form field a settings path belongs to (`github.auth.token` → `token`). */
function fieldOf(path: string[]): string {
  const [first, second, third] = path;
  if (first === 'github' && second === 'auth') return third ?? 'githubAuth';
  if (first === 'git' && second === 'auth') return third === 'token' ? 'gitToken' : (third ?? 'gitAuth');
  if ((first === 'github' || first === 'git') && second !== undefined) return second;
  if (first === 'sops') return 'ageRecipients';
  return first ?? 'form';
}
