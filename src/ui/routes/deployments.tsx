/** Deployment pages: list, detail, change values or upgrade (with review), remove, approve, close, retry. */
import type { Context } from 'hono';
import semver from 'semver';
import {
  approveProposal,
  closeProposal,
  type DeploymentChange,
  deploymentWithHistory,
  getDeployment,
  getDeploymentRepository,
  listDeployments,
  previewDeployment,
  removeDeployment,
  retryDeployment,
  updateDeployment,
} from '../../flows/deployments/index.js';
import type { PostedForm } from '../../margo/form.js';
import type { Value } from '../../margo/model.js';
import type { Services } from '../../services.js';
import type { DeploymentRecord, DeploymentState } from '../../store/deployment-records.js';
import { deploymentStates } from '../../store/deployment-records.js';
import {
  carriedOf,
  chosenProfile,
  type Deployable,
  deployable,
  fieldErrorsOf,
  formFor,
  profileChoices,
  reviewFiles,
  reviewValues,
  text,
  valuesOf,
} from '../configure-model.js';
import type { UiApp, UiEnv } from '../env.js';
import type { FieldErrors } from '../fields.js';
import { postedForm, requireRole, sessionOf, single } from '../guard.js';
import { page } from '../layout.js';
import { type Notice, noticeOf, withNotice } from '../messages.js';
import { ConfigurePage, ReviewPage } from '../pages/configure.js';
import { DeploymentDetail, DeploymentList } from '../pages/deployments.js';
import { takeDraft } from '../session.js';

export function registerDeployments(ui: UiApp): void {
  ui.get('/deployments', async (c) => {
    const state = c.req.query('state') ?? '';
    const filters = { state, application: c.req.query('application') ?? '', target: c.req.query('target') ?? '' };
    const deployments = await listDeployments(c.get('services'), {
      ...((deploymentStates as readonly string[]).includes(state) ? { state: state as DeploymentState } : {}),
      ...(filters.application ? { applicationId: filters.application } : {}),
      ...(filters.target ? { target: filters.target } : {}),
    });
    return page(
      c,
      <DeploymentList
        session={sessionOf(c)}
        deployments={deployments}
        filters={filters}
        notice={noticeOf(c.req.query('notice'))}
      />,
    );
  });

  ui.get('/deployments/:id', async (c) => {
    const services = c.get('services');
    const deployment = await deploymentWithHistory(services, c.req.param('id'));
    const repository = await getDeploymentRepository(services, deployment.repository.id);
    return page(
      c,
      <DeploymentDetail
        session={sessionOf(c)}
        deployment={deployment}
        reviewedHere={repository.provider === 'local'}
        upgrades={await upgradesOf(services, deployment.applicationId, deployment.version)}
        notice={noticeOf(c.req.query('notice'))}
      />,
    );
  });

  ui.get('/deployments/:id/edit', async (c) => {
    requireRole(c, 'operator');
    const draft = await takeDraft(c);
    const form: PostedForm = draft ?? { version: c.req.query('version'), profile: c.req.query('profile') };
    return changePage(c, await getDeployment(c.get('services'), c.req.param('id')), form, {}, draft !== undefined);
  });

  ui.post('/deployments/:id/edit', async (c) => {
    const session = requireRole(c, 'operator');
    const services = c.get('services');
    const current = await getDeployment(services, c.req.param('id'));
    const form = await postedForm(c);
    if (single(form, 'intent') === 'edit') return changePage(c, current, form, {}, true);
    const { change, model, target, errors } = await changeOf(services, current, form);
    if (Object.keys(errors).length > 0) return changePage(c, current, form, errors, true, 422);
    let preview: Awaited<ReturnType<typeof previewDeployment>>;
    try {
      preview = await previewDeployment(services, { id: current.id, ...change });
    } catch (error) {
      return changePage(c, current, form, fieldErrorsOf(error, model), true, 422);
    }
    const base = `/deployments/${current.id}`;
    const upgrade = change.version !== current.version;
    return page(
      c,
      <ReviewPage
        session={session}
        title={upgrade ? `Review the upgrade to ${change.version}` : 'Review the change'}
        facts={[
          ['Deployment', current.name],
          ['Application', `${target.description.metadata.name} ${change.version}`],
          ['Target', current.target],
          ['Namespace', change.namespace ?? current.namespace],
        ]}
        values={reviewValues(target.description, model, change.values as never, [
          ...current.sensitive,
          ...(change.sensitive ?? []),
        ])}
        files={reviewFiles(preview)}
        diff={preview.diff}
        unchanged={preview.unchanged}
        warnings={preview.warnings}
        proposeAction={`${base}/update`}
        editAction={`${base}/edit`}
        carried={carriedOf(form)}
      />,
    );
  });

  ui.post('/deployments/:id/update', async (c) => {
    const session = requireRole(c, 'operator');
    const services = c.get('services');
    const current = await getDeployment(services, c.req.param('id'));
    const form = await postedForm(c);
    const { change, model, errors } = await changeOf(services, current, form);
    if (Object.keys(errors).length > 0) return changePage(c, current, form, errors, true, 422);
    try {
      const answer = await updateDeployment(services, current.id, change, session.tokenName);
      const notice = answer.unchanged ? 'nothing-changed' : 'proposal-updated';
      return c.redirect(withNotice(`/deployments/${current.id}`, notice), 303);
    } catch (error) {
      return changePage(c, current, form, fieldErrorsOf(error, model), true, 422);
    }
  });

  const action = (
    name: string,
    run: (services: Services, id: string, actor: string) => Promise<unknown>,
    notice: Notice,
  ) =>
    ui.post(`/deployments/:id/${name}`, async (c) => {
      const session = requireRole(c, 'operator');
      const id = c.req.param('id');
      await run(c.get('services'), id, session.tokenName);
      return c.redirect(withNotice(`/deployments/${encodeURIComponent(id)}`, notice), 303);
    });
  action('approve', (services, id, actor) => approveProposal(services, id, actor), 'approved');
  action('close', closeProposal, 'closed');
  action('retry', retryDeployment, 'retried');
  action('remove', removeDeployment, 'removal-proposed');
}

/** Usable versions newer than `current`, newest first (semver where both parse, else ingest order). */
async function upgradesOf(services: Services, applicationId: string, current: string): Promise<string[]> {
  const versions = await services.store.versions.listByApplication(applicationId);
  const usable = versions.filter((version) => version.state !== 'rejected' && version.mark?.kind !== 'withdrawn');
  const base = versions.find((version) => version.version === current && version.state !== 'rejected');
  const newer = usable.filter((version) => {
    if (version.version === current) return false;
    if (semver.valid(version.version) && semver.valid(current)) return semver.gt(version.version, current);
    return base !== undefined && version.createdAt > base.createdAt;
  });
  return newer
    .sort((a, b) =>
      semver.valid(a.version) && semver.valid(b.version)
        ? semver.rcompare(a.version, b.version)
        : b.createdAt - a.createdAt,
    )
    .map((version) => version.version);
}

/** D-12 locks immutable settings once a deployment was installed: one of its proposals was merged. */
async function installed(services: Services, deployment: DeploymentRecord): Promise<boolean> {
  const proposals = await services.store.proposals.listByDeployment(deployment.id);
  return proposals.some((proposal) => proposal.state === 'merged');
}

async function changeOf(services: Services, current: DeploymentRecord, form: PostedForm) {
  const version = text(form, 'version') || current.version;
  const target = await deployable(services, current.applicationId, version);
  const profile = chosenProfile(target.description, single(form, 'profile') || current.profile);
  const model = formFor(target.description, profile, {
    entered: form,
    previous: current.values as Record<string, Value>,
    lockImmutable: await installed(services, current),
  });
  const { values, sensitive } = valuesOf(model, form, true);
  const errors: FieldErrors = {};
  if (text(form, 'namespace') === '') errors.namespace = 'enter the namespace';
  const change: DeploymentChange & { version: string } = {
    version,
    profile: profile.id,
    namespace: text(form, 'namespace'),
    values,
    sensitive,
  };
  return { change, model, target, errors };
}

async function changePage(
  c: Context<UiEnv>,
  current: DeploymentRecord,
  form: PostedForm,
  errors: FieldErrors,
  entered: boolean,
  status: 200 | 422 = 200,
): Promise<Response> {
  const session = requireRole(c, 'operator');
  const services = c.get('services');
  const version = text(form, 'version') || current.version;
  const target: Deployable = await deployable(services, current.applicationId, version);
  const profile = chosenProfile(target.description, single(form, 'profile') || current.profile);
  const model = formFor(target.description, profile, {
    ...(entered ? { entered: form } : {}),
    previous: current.values as Record<string, Value>,
    lockImmutable: await installed(services, current),
    ...(entered ? {} : { sensitive: current.sensitive }),
  });
  // Sensitive values are sealed and never sent back: an empty field keeps the current one.
  for (const field of model.sections.flatMap((section) => section.fields)) {
    if (current.sensitive.includes(field.parameter) && !Object.hasOwn(current.values, field.parameter)) {
      field.help = `${field.help ? `${field.help}. ` : ''}Sensitive: leave empty to keep the current value.`;
    }
  }
  const repository = await getDeploymentRepository(services, current.repositoryId);
  const versions = (await services.store.versions.listByApplication(current.applicationId))
    .filter((record) => record.state !== 'rejected')
    .map((record) => ({ value: record.version, label: record.version }));
  const path = `/deployments/${current.id}/edit`;
  return page(
    c,
    <ConfigurePage
      session={session}
      title={version === current.version ? `Change ${current.name}` : `Upgrade ${current.name}`}
      applicationName={target.description.metadata.name}
      action={path}
      chooseAction={path}
      version={version}
      versions={versions}
      profiles={profileChoices(target.description)}
      profile={profile.id}
      repositories={[{ value: repository.name, label: `${repository.name} (${repository.provider})` }]}
      placement={{
        repository: repository.name,
        target: current.target,
        namespace: entered ? text(form, 'namespace') : current.namespace,
        name: current.name,
      }}
      fixedPlacement
      model={model}
      errors={errors}
    />,
    status,
  );
}
