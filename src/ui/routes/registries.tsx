/** Registry pages: list, detail, add, edit, remove, sync now. Admins manage; operators may sync. */
import { BridgeError } from '../../errors.js';
import { requestPoll } from '../../flows/poll.js';
import {
  createRegistry,
  getRegistry,
  MIN_POLL_INTERVAL_SECONDS,
  type RegistrySettings,
  tryRegistry,
  updateRegistry,
} from '../../flows/registries.js';
import type { PostedForm } from '../../margo/form.js';
import type { UiApp } from '../env.js';
import type { FieldErrors } from '../fields.js';
import { postedForm, requireRole, sessionOf, single } from '../guard.js';
import { page } from '../layout.js';
import { forPage, noticeOf, withNotice } from '../messages.js';
import { RegistryDetail, RegistryForm, RegistryList } from '../pages/registries.js';
import { takeDraft } from '../session.js';

const noCounts = { valid: 0, warnings: 0, rejected: 0 };

/** Which form field a flow error belongs to, when its details do not say. */
const fieldOfCode: Partial<Record<string, string>> = {
  REGISTRY_AUTH: 'authType',
  REGISTRY_TLS: 'caCert',
  ADDRESS_REFUSED: 'url',
  REGISTRY_DNS: 'url',
  REGISTRY_NOT_FOUND: 'url',
  REGISTRY_UNREACHABLE: 'url',
  REGISTRY_TIMEOUT: 'url',
  REGISTRY_PROTOCOL: 'url',
  CONFLICT: 'name',
};

export function registerRegistries(ui: UiApp): void {
  ui.get('/registries', async (c) => {
    const { store } = c.get('services');
    const [records, counts] = await Promise.all([store.registries.list(), store.versions.countsByRegistry()]);
    const registries = records.map((registry) => ({ registry, counts: counts.get(registry.id) ?? noCounts }));
    return page(
      c,
      <RegistryList session={sessionOf(c)} registries={registries} notice={noticeOf(c.req.query('notice'))} />,
    );
  });

  ui.get('/registries/new', async (c) => {
    const session = requireRole(c, 'admin');
    const draft = await takeDraft(c);
    return page(c, <RegistryForm session={session} form={draft ?? { authType: 'none' }} errors={{}} />);
  });

  ui.post('/registries/new', async (c) => {
    const session = requireRole(c, 'admin');
    const services = c.get('services');
    const form = await postedForm(c);
    const parsed = readSettings(form, false);
    if ('errors' in parsed) return page(c, <RegistryForm session={session} form={form} errors={parsed.errors} />, 422);
    try {
      if (single(form, 'intent') === 'test') {
        const found = await tryRegistry(services, parsed.settings);
        const tested = { ok: true, message: `connected; ${found} release tag${found === 1 ? '' : 's'} found.` };
        return page(c, <RegistryForm session={session} form={form} errors={{}} tested={tested} />);
      }
      const record = await createRegistry(services, parsed.settings, { force: single(form, 'force') === 'true' });
      return c.redirect(withNotice(`/registries/${record.id}`, 'registry-added'), 303);
    } catch (error) {
      const failure = formFailure(error);
      return page(c, <RegistryForm session={session} form={form} {...failure} />, 422);
    }
  });

  ui.get('/registries/:id', async (c) => {
    const { store } = c.get('services');
    const registry = await getRegistry(c.get('services'), c.req.param('id'));
    const [counts, versions, events] = await Promise.all([
      store.versions.counts(registry.id),
      store.versions.listByRegistry(registry.id),
      store.events.list(registry.id),
    ]);
    return page(
      c,
      <RegistryDetail
        session={sessionOf(c)}
        registry={registry}
        counts={{ ...noCounts, ...counts }}
        versions={versions}
        events={events}
        notice={noticeOf(c.req.query('notice'))}
      />,
    );
  });

  ui.get('/registries/:id/edit', async (c) => {
    const session = requireRole(c, 'admin');
    const registry = await editable(c.get('services'), c.req.param('id'));
    const draft = await takeDraft(c);
    return page(c, <RegistryForm session={session} registry={registry} form={draft ?? formOf(registry)} errors={{}} />);
  });

  ui.post('/registries/:id/edit', async (c) => {
    const session = requireRole(c, 'admin');
    const services = c.get('services');
    const registry = await editable(services, c.req.param('id'));
    const form = await postedForm(c);
    const parsed = readSettings(form, true);
    const props = { session, registry, form };
    if ('errors' in parsed) return page(c, <RegistryForm {...props} errors={parsed.errors} />, 422);
    try {
      if (single(form, 'intent') === 'test') {
        const found = await tryRegistry(services, parsed.settings, registry.id);
        const tested = { ok: true, message: `connected; ${found} release tag${found === 1 ? '' : 's'} found.` };
        return page(c, <RegistryForm {...props} errors={{}} tested={tested} />);
      }
      await updateRegistry(services, registry.id, parsed.settings, { force: single(form, 'force') === 'true' });
      return c.redirect(withNotice(`/registries/${registry.id}`, 'registry-saved'), 303);
    } catch (error) {
      return page(c, <RegistryForm {...props} {...formFailure(error)} />, 422);
    }
  });

  ui.post('/registries/:id/delete', async (c) => {
    requireRole(c, 'admin');
    const services = c.get('services');
    const registry = await editable(services, c.req.param('id'));
    await services.store.registries.delete(registry.id);
    services.logger.info({ registry: registry.name, registryId: registry.id }, 'registry deleted');
    return c.redirect(withNotice('/registries', 'registry-removed'), 303);
  });

  ui.post('/registries/:id/sync', async (c) => {
    requireRole(c, 'operator');
    const services = c.get('services');
    const registry = await getRegistry(services, c.req.param('id'));
    await requestPoll(services, registry.id);
    return c.redirect(withNotice(`/registries/${registry.id}`, 'poll-queued'), 303);
  });
}

/** A registry the page may change: pre-configured ones belong to margo-bridge.yaml. */
async function editable(services: Parameters<typeof getRegistry>[0], id: string) {
  const registry = await getRegistry(services, id);
  if (registry.configured) {
    throw new BridgeError(
      'FORBIDDEN',
      `registry ${registry.name} is pre-configured in margo-bridge.yaml; change it there`,
    );
  }
  return registry;
}

function formOf(registry: Awaited<ReturnType<typeof getRegistry>>): PostedForm {
  return {
    name: registry.name,
    url: registry.url,
    subPath: registry.subPath,
    tagPattern: registry.tagPattern ?? '',
    semverRange: registry.semverRange ?? '',
    pollInterval: String(registry.pollInterval),
    allowHttp: String(registry.allowHttp),
    strictVersion: String(registry.strictVersion),
    authType: 'keep',
    username: typeof registry.credentialSummary.username === 'string' ? registry.credentialSummary.username : '',
  };
}

/**
 * The form as registry settings. Shape only (required fields, numbers); every rule about the
 * values (URL, range, pattern, address guard) is the flow's. On an edit, empty secret fields
 * keep the stored secrets.
 */
function readSettings(form: PostedForm, editing: boolean): { settings: RegistrySettings } | { errors: FieldErrors } {
  const text = (name: string) => (single(form, name) ?? '').trim();
  const errors: FieldErrors = {};
  const name = text('name');
  if (name === '') errors.name = 'enter a name';
  else if (name.length > 200) errors.name = 'use at most 200 characters';
  const url = text('url');
  if (url === '') errors.url = 'enter the repository URL';
  const settings: RegistrySettings = {
    name,
    // The kind is chosen once: an edit keeps the stored one.
    ...(editing ? {} : { kind: text('kind') === 'oci' ? ('oci' as const) : ('git' as const) }),
    url,
    subPath: text('subPath'),
    tagPattern: text('tagPattern') || null,
    semverRange: text('semverRange') || null,
    allowHttp: text('allowHttp') === 'true',
    strictVersion: text('strictVersion') === 'true',
  };
  const interval = text('pollInterval');
  if (interval !== '') {
    if (!/^\d+$/.test(interval)) errors.pollInterval = 'enter a whole number of seconds';
    else if (Number(interval) < MIN_POLL_INTERVAL_SECONDS)
      errors.pollInterval = `must be at least ${MIN_POLL_INTERVAL_SECONDS} seconds`;
    else settings.pollInterval = Number(interval);
  }
  const kind = text('authType');
  if (kind === 'none') settings.auth = null;
  else if (kind === 'basic') {
    if (text('username') === '') errors.username = 'enter the user name for HTTP basic';
    if ((single(form, 'password') ?? '') === '') errors.password = 'enter the password for HTTP basic';
    settings.auth = { type: 'basic', username: text('username'), password: single(form, 'password') ?? '' };
  } else if (kind === 'bearer') {
    if (text('token') === '') errors.token = 'enter the bearer token';
    settings.auth = { type: 'bearer', token: text('token') };
  } else if (!(editing && kind === 'keep')) errors.authType = 'choose the kind of credentials';
  const clearTls = editing && text('clearTls') === 'true';
  for (const key of ['caCert', 'clientCert', 'clientKey', 'webhookSecret'] as const) {
    const given = single(form, key) ?? '';
    if (given.trim() !== '') settings[key] = given;
    else if (!editing || (clearTls && key !== 'webhookSecret')) settings[key] = null;
  }
  if (settings.clientCert && !settings.clientKey && !editing) errors.clientKey = 'a client certificate needs its key';
  return Object.keys(errors).length > 0 ? { errors } : { settings };
}

/** A flow's error beside the field it concerns, in the words of the flow. */
function formFailure(error: unknown): { errors: FieldErrors; tested?: { ok: boolean; message: string } } {
  if (!(error instanceof BridgeError) || error.code === 'FORBIDDEN' || error.code === 'NOT_FOUND') throw error;
  const details = error.details as { field?: unknown } | undefined;
  const field = typeof details?.field === 'string' ? details.field : (fieldOfCode[error.code] ?? 'url');
  const connection = error.code.startsWith('REGISTRY_') || error.code === 'ADDRESS_REFUSED';
  const message = forPage(error.message);
  return { errors: { [field]: message }, ...(connection ? { tested: { ok: false, message } } : {}) };
}
