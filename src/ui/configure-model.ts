/**
 * What the configure and change pages share: the version's description and profile, the form
 * model, turning flow errors into messages beside fields, and the review's rows. Every rule
 * stays in margo/ and flows/: this only moves their answers onto the page.
 */
import { BridgeError } from '../errors.js';
import { listDeploymentRepositories, type Preview } from '../flows/deployments/index.js';
import { hiddenParameters, MASK } from '../flows/deployments/sensitive.js';
import { buildForm, type FormModel, type PostedForm, readForm, readSensitive } from '../margo/form.js';
import type { Description, InputValue, Profile, Value } from '../margo/model.js';
import { validateValues } from '../margo/values.js';
import type { Services } from '../services.js';
import type { VersionRecord } from '../store/interface.js';
import type { FieldErrors } from './fields.js';
import { single } from './guard.js';
import type { Choice, ReviewProps } from './pages/configure.js';

export interface Deployable {
  version: VersionRecord;
  description: Description;
}

/** A version that may be configured: ingested and not rejected. */
export async function deployable(services: Services, applicationId: string, version: string): Promise<Deployable> {
  const record = await services.store.versions.get(applicationId, version);
  if (!record) throw new BridgeError('NOT_FOUND', `application '${applicationId}' has no version '${version}'`);
  if (record.state === 'rejected' || record.description === null) {
    throw new BridgeError('CONFLICT', `version ${version} of '${applicationId}' was rejected and cannot be deployed`);
  }
  return { version: record, description: record.description as Description };
}

/** The chosen profile, or the first one when none (or an unknown one) was chosen. */
export function chosenProfile(description: Description, wanted: string | undefined): Profile {
  return description.profiles.find((profile) => profile.id === wanted) ?? description.profiles[0]!;
}

export function profileChoices(description: Description): Choice[] {
  return description.profiles.map((profile) => ({
    value: profile.id,
    label: profile.id === profile.type ? profile.id : `${profile.id} (${profile.type})`,
  }));
}

export async function repositoryChoices(services: Services): Promise<Choice[]> {
  const repositories = await listDeploymentRepositories(services);
  return repositories.map((repository) => ({
    value: repository.name,
    label: `${repository.name} (${repository.provider})`,
  }));
}

/** The form for `profile`, re-showing `entered` when given; `sensitive` defaults to what was posted. */
export function formFor(
  description: Description,
  profile: Profile,
  options: {
    entered?: PostedForm | undefined;
    previous?: Record<string, Value>;
    lockImmutable?: boolean;
    sensitive?: string[];
  },
): FormModel {
  const entered = options.entered;
  const probe = buildForm(description, { profile });
  const sensitive = options.sensitive ?? (entered ? readSensitive(probe, entered) : undefined);
  return buildForm(description, {
    profile,
    ...(entered ? { entered } : {}),
    ...(options.previous ? { previous: options.previous } : {}),
    ...(options.lockImmutable !== undefined ? { lockImmutable: options.lockImmutable } : {}),
    ...(sensitive ? { sensitive } : {}),
  });
}

/** The values and sensitive marks a posted form gives (empty sensitive fields left out on a change: kept). */
export function valuesOf(
  model: FormModel,
  form: PostedForm,
  keepEmptySensitive: boolean,
): { values: Record<string, InputValue>; sensitive: string[] } {
  const values = readForm(model, form);
  const sensitive = readSensitive(model, form);
  if (keepEmptySensitive) {
    for (const name of sensitive) if (values[name] === '') delete values[name];
  }
  return { values, sensitive };
}

const placementFields = new Set(['repository', 'target', 'namespace', 'name', 'profile', 'version']);

/**
 * The values' problems by margo's own rules, for a form the page cannot send to the flow yet
 * (a required placement field is missing): all problems are then shown at once.
 */
export function valueErrors(
  description: Description,
  model: FormModel,
  values: Record<string, InputValue>,
): FieldErrors {
  const result = validateValues(description, values);
  return result.valid
    ? {}
    : fieldErrorsOf(new BridgeError('INVALID_VALUES', 'invalid values', { errors: result.issues }), model);
}

/** A flow's refusal as messages beside fields; errors that are not about the input are thrown on. */
export function fieldErrorsOf(error: unknown, model: FormModel): FieldErrors {
  if (!(error instanceof BridgeError) || ['FORBIDDEN', 'UNAUTHORIZED', 'INTERNAL'].includes(error.code)) throw error;
  const details = error.details as { field?: unknown; errors?: { parameter: string; message: string }[] } | undefined;
  if (Array.isArray(details?.errors) && details.errors.length > 0) {
    const fields = new Map(model.sections.flatMap((section) => section.fields).map((f) => [f.parameter, f]));
    const errors: FieldErrors = {};
    for (const issue of details.errors) {
      const field = fields.get(issue.parameter);
      const prefix = field ? `${field.label} (${field.section}): ` : '';
      errors[issue.parameter] = issue.message.startsWith(prefix) ? issue.message.slice(prefix.length) : issue.message;
    }
    return errors;
  }
  const parameters = (details as { parameters?: unknown } | undefined)?.parameters;
  if (Array.isArray(parameters) && parameters.length > 0) {
    // About some values as a whole (such as sensitive values the repository cannot keep secret).
    return Object.fromEntries(parameters.map((name) => [String(name), error.message]));
  }
  const field = typeof details?.field === 'string' ? details.field : undefined;
  if (field === 'applicationId') return { version: error.message };
  if (field !== undefined && placementFields.has(field)) return { [field]: error.message };
  if (error.code === 'NOT_FOUND' && /repository/i.test(error.message)) return { repository: error.message };
  return { form: error.message };
}

/** The review's values table: every field with its label, hidden values masked. */
export function reviewValues(
  description: Description,
  model: FormModel,
  values: Record<string, InputValue>,
  sensitive: string[],
): ReviewProps['values'] {
  const hidden = hiddenParameters(description, sensitive);
  return model.sections.flatMap((section) =>
    section.fields.map((field): [string, string] => {
      const value = values[field.parameter];
      const text =
        value === undefined || value === '' ? '(empty)' : Array.isArray(value) ? value.join(', ') : String(value);
      return [`${section.name} › ${field.label}`, hidden.has(field.parameter) && text !== '(empty)' ? MASK : text];
    }),
  );
}

export function reviewFiles(preview: Preview): ReviewProps['files'] {
  return preview.files.map((file) => ({ path: file.path, content: file.content }));
}

/** A posted form without the fields the review adds itself. */
export function carriedOf(form: PostedForm): PostedForm {
  const { _csrf: _token, intent: _intent, ...rest } = form;
  return rest;
}

export function text(form: PostedForm, name: string): string {
  return (single(form, name) ?? '').trim();
}
