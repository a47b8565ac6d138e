/** Configure a version for a new deployment: the form, the review of the files, then the proposal. */
import type { Context } from 'hono';
import { createDeployment, type DeploymentRequest, previewDeployment } from '../../flows/deployments/index.js';
import type { PostedForm } from '../../margo/form.js';
import {
  carriedOf,
  chosenProfile,
  type Deployable,
  deployable,
  fieldErrorsOf,
  formFor,
  profileChoices,
  repositoryChoices,
  reviewFiles,
  reviewValues,
  text,
  valueErrors,
  valuesOf,
} from '../configure-model.js';
import type { UiApp, UiEnv } from '../env.js';
import type { FieldErrors } from '../fields.js';
import { postedForm, requireRole, single } from '../guard.js';
import { page } from '../layout.js';
import { withNotice } from '../messages.js';
import { ConfigurePage, ReviewPage } from '../pages/configure.js';
import { takeDraft } from '../session.js';

export function registerConfigure(ui: UiApp): void {
  ui.get('/configure/:app/:version', async (c) => {
    requireRole(c, 'operator');
    const target = await deployable(c.get('services'), c.req.param('app'), c.req.param('version'));
    const draft = await takeDraft(c);
    return configurePage(c, target, draft ?? { profile: c.req.query('profile') }, {}, draft !== undefined);
  });

  ui.post('/configure/:app/:version', async (c) => {
    const session = requireRole(c, 'operator');
    const services = c.get('services');
    const target = await deployable(services, c.req.param('app'), c.req.param('version'));
    const form = await postedForm(c);
    if (single(form, 'intent') === 'edit') return configurePage(c, target, form, {}, true);
    const { request, model, errors } = requestOf(target, form);
    if (Object.keys(errors).length > 0) return configurePage(c, target, form, errors, true, 422);
    let preview: Awaited<ReturnType<typeof previewDeployment>>;
    try {
      preview = await previewDeployment(services, request);
    } catch (error) {
      return configurePage(c, target, form, fieldErrorsOf(error, model), true, 422);
    }
    const base = `/configure/${encodeURIComponent(target.version.applicationId ?? '')}/${encodeURIComponent(target.version.version)}`;
    return page(
      c,
      <ReviewPage
        session={session}
        title="Review the deployment"
        facts={[
          ['Application', `${target.description.metadata.name} ${target.version.version}`],
          ['Profile', request.profile],
          ['Deployment repository', request.repository],
          ['Target', request.target],
          ['Namespace', request.namespace ?? ''],
          ['Instance name', request.name ?? '(default)'],
        ]}
        values={reviewValues(target.description, model, request.values ?? {}, request.sensitive ?? [])}
        files={reviewFiles(preview)}
        diff={preview.diff}
        unchanged={preview.unchanged}
        warnings={preview.warnings}
        proposeAction={`${base}/propose`}
        editAction={base}
        carried={carriedOf(form)}
      />,
    );
  });

  ui.post('/configure/:app/:version/propose', async (c) => {
    const session = requireRole(c, 'operator');
    const services = c.get('services');
    const target = await deployable(services, c.req.param('app'), c.req.param('version'));
    const form = await postedForm(c);
    const { request, model, errors } = requestOf(target, form);
    if (Object.keys(errors).length > 0) return configurePage(c, target, form, errors, true, 422);
    try {
      const answer = await createDeployment(services, request, session.tokenName);
      const notice = answer.unchanged ? 'already-there' : 'proposal-opened';
      return c.redirect(withNotice(`/deployments/${answer.deployment.id}`, notice), 303);
    } catch (error) {
      return configurePage(c, target, form, fieldErrorsOf(error, model), true, 422);
    }
  });
}

/** The deployment request a posted configure form makes, with the fields the page itself requires. */
function requestOf(target: Deployable, form: PostedForm) {
  const profile = chosenProfile(target.description, single(form, 'profile'));
  const model = formFor(target.description, profile, { entered: form });
  const { values, sensitive } = valuesOf(model, form, false);
  const errors: FieldErrors = {};
  if (text(form, 'repository') === '') errors.repository = 'choose the deployment repository';
  if (text(form, 'target') === '') errors.target = 'enter the target';
  if (text(form, 'namespace') === '') errors.namespace = 'enter the namespace';
  if (Object.keys(errors).length > 0) Object.assign(errors, valueErrors(target.description, model, values));
  const request: DeploymentRequest = {
    repository: text(form, 'repository'),
    applicationId: target.version.applicationId ?? '',
    version: target.version.version,
    profile: profile.id,
    target: text(form, 'target'),
    namespace: text(form, 'namespace'),
    ...(text(form, 'name') !== '' ? { name: text(form, 'name') } : {}),
    values,
    sensitive,
  };
  return { request, model, errors };
}

async function configurePage(
  c: Context<UiEnv>,
  target: Deployable,
  form: PostedForm,
  errors: FieldErrors,
  entered: boolean,
  status: 200 | 422 = 200,
): Promise<Response> {
  const session = requireRole(c, 'operator');
  const profile = chosenProfile(target.description, single(form, 'profile'));
  const model = formFor(target.description, profile, entered ? { entered: form } : {});
  const id = target.version.applicationId ?? '';
  const path = `/configure/${encodeURIComponent(id)}/${encodeURIComponent(target.version.version)}`;
  return page(
    c,
    <ConfigurePage
      session={session}
      title="Configure a deployment"
      applicationName={target.description.metadata.name}
      action={path}
      chooseAction={path}
      version={target.version.version}
      profiles={profileChoices(target.description)}
      profile={profile.id}
      repositories={await repositoryChoices(c.get('services'))}
      placement={{
        repository: text(form, 'repository'),
        target: text(form, 'target'),
        namespace: entered ? text(form, 'namespace') : 'default',
        name: text(form, 'name'),
      }}
      fixedPlacement={false}
      model={model}
      errors={errors}
    />,
    status,
  );
}
