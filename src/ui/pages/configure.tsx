/**
 * The configure page (the generated form of margo/form.ts plus where to deploy) and the review
 * page (the files and diff of the preview flow, then "open pull request"). Both work without
 * script: the review page carries what was entered in hidden fields.
 */
import type { FC } from 'hono/jsx';
import type { FormModel, PostedForm } from '../../margo/form.js';
import type { SessionRecord } from '../../store/interface.js';
import { ErrorSummary, type FieldErrors, Input, Select, SettingField } from '../fields.js';
import { CsrfField, Layout } from '../layout.js';

export interface Choice {
  value: string;
  label: string;
}

/** Where the deployment goes; fixed (shown, not editable) when changing an existing deployment. */
export interface Placement {
  repository: string;
  target: string;
  namespace: string;
  name: string;
}

export interface ConfigureProps {
  session: SessionRecord;
  title: string;
  applicationName: string;
  /** POST target of the form (review). */
  action: string;
  /** GET target of the profile and version choice. */
  chooseAction: string;
  version: string;
  /** Versions to choose from (an upgrade); absent: the version is fixed. */
  versions?: Choice[] | undefined;
  profiles: Choice[];
  profile: string;
  repositories: Choice[];
  placement: Placement;
  /** An existing deployment's placement cannot change. */
  fixedPlacement: boolean;
  model: FormModel;
  errors: FieldErrors;
}

const placementLabels: Record<string, string> = {
  repository: 'Deployment repository',
  target: 'Target',
  namespace: 'Namespace',
  name: 'Instance name',
  profile: 'Profile',
  version: 'Version',
  form: 'Form',
};

export const ConfigurePage: FC<ConfigureProps> = (props) => {
  const { model, errors } = props;
  const labels = new Map(model.sections.flatMap((section) => section.fields).map((f) => [f.parameter, f.label]));
  const summary = Object.entries(errors).map(([name, message]) => ({
    name,
    label: labels.get(name) ?? placementLabels[name] ?? name,
    message,
  }));
  return (
    <Layout title={props.title} session={props.session} section="catalogue">
      <h1>{props.title}</h1>
      <p class="lead">
        {props.applicationName}, version {props.version}
      </p>
      <ErrorSummary errors={summary} />
      {(props.profiles.length > 1 || props.versions) && (
        <form method="get" action={props.chooseAction} class="filters" aria-label="Profile and version">
          {props.versions && (
            <Select name="version" label="Version" value={props.version} options={props.versions} required />
          )}
          {props.profiles.length > 1 && (
            <Select
              name="profile"
              label="Profile"
              value={props.profile}
              options={props.profiles}
              required
              help="Settings that do not apply to a profile are hidden."
            />
          )}
          <button type="submit" class="secondary">
            Show the form for this choice
          </button>
        </form>
      )}
      <form method="post" action={props.action} novalidate>
        <CsrfField session={props.session} />
        <input type="hidden" name="profile" value={props.profile} />
        <input type="hidden" name="version" value={props.version} />
        <fieldset>
          <legend>Where to deploy</legend>
          {props.fixedPlacement ? (
            <dl class="facts">
              <dt>Deployment repository</dt>
              <dd>{props.repositories.find((r) => r.value === props.placement.repository)?.label ?? ''}</dd>
              <dt>Target</dt>
              <dd>{props.placement.target}</dd>
              <dt>Instance name</dt>
              <dd>{props.placement.name}</dd>
              <dt>Profile</dt>
              <dd>{props.profile}</dd>
            </dl>
          ) : (
            <div class="two-columns">
              <Select
                name="repository"
                label="Deployment repository"
                value={props.placement.repository}
                options={props.repositories}
                placeholder="Choose…"
                required
                error={errors.repository}
                help="The GitOps repository the pull request goes to."
              />
              <Input
                name="target"
                label="Target"
                value={props.placement.target}
                required
                error={errors.target}
                help="The device or cluster, a path such as plant-a/line-3."
              />
              <Input
                name="name"
                label="Instance name"
                required={false}
                value={props.placement.name}
                error={errors.name}
                help="Lower-case letters, digits and '-'; empty for the application's default."
              />
            </div>
          )}
          <Input
            name="namespace"
            label="Namespace"
            value={props.placement.namespace}
            required
            error={errors.namespace}
            help="The Kubernetes namespace."
          />
        </fieldset>
        {model.sections.length === 0 && <p>This application has no settings.</p>}
        {model.sections.map((section) => (
          <fieldset>
            <legend>{section.name}</legend>
            {section.fields.map((field) => (
              <SettingField field={field} error={errors[field.parameter]} />
            ))}
          </fieldset>
        ))}
        <p class="muted">Fields marked * are required. Nothing is committed before the review.</p>
        <div class="actions">
          <button type="submit">Review the files</button>
        </div>
      </form>
    </Layout>
  );
};

export interface ReviewFile {
  path: string;
  content: string;
}

export interface ReviewProps {
  session: SessionRecord;
  title: string;
  facts: [string, string][];
  /** Parameter label → shown value (sensitive ones already masked). */
  values: [string, string][];
  files: ReviewFile[];
  diff: string;
  unchanged: boolean;
  warnings: { code: string; message: string }[];
  /** Where "open pull request" posts and where "change values" posts back. */
  proposeAction: string;
  editAction: string;
  /** Everything the configure form posted, carried to the next step. */
  carried: PostedForm;
}

const Carried: FC<{ carried: PostedForm }> = ({ carried }) => (
  <>
    {Object.entries(carried).flatMap(([name, value]) =>
      name === '_csrf' || value === undefined
        ? []
        : (Array.isArray(value) ? value : [value]).map((item) => <input type="hidden" name={name} value={item} />),
    )}
  </>
);

export const ReviewPage: FC<ReviewProps> = (props) => (
  <Layout title={props.title} session={props.session} section="catalogue">
    <h1>{props.title}</h1>
    <p class="lead">Nothing has been committed yet. Check the files, then open the pull request.</p>
    <dl class="facts">
      {props.facts.map(([term, value]) => (
        <>
          <dt>{term}</dt>
          <dd>{value}</dd>
        </>
      ))}
    </dl>
    {props.warnings.length > 0 && (
      <>
        <h2>Warnings</h2>
        <ul>
          {props.warnings.map((warning) => (
            <li>
              <code>{warning.code}</code> {warning.message}
            </li>
          ))}
        </ul>
      </>
    )}
    <h2>Values</h2>
    <div class="table-wrap">
      <table>
        <thead>
          <tr>
            <th scope="col">Setting</th>
            <th scope="col">Value</th>
          </tr>
        </thead>
        <tbody>
          {props.values.map(([label, value]) => (
            <tr>
              <td>{label}</td>
              <td>
                <code>{value}</code>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
    {props.unchanged ? (
      <p class="notice">The deployment repository holds exactly these files already: no pull request is needed.</p>
    ) : (
      props.diff !== '' && (
        <>
          <h2>Changes against the deployment repository</h2>
          <pre class="file diff" tabindex={0}>
            {props.diff.split('\n').map((line) => (
              <span class={line.startsWith('+') ? 'add' : line.startsWith('-') ? 'del' : undefined}>{`${line}\n`}</span>
            ))}
          </pre>
        </>
      )
    )}
    <h2>Files ({props.files.length})</h2>
    {props.files.map((file) => (
      <details>
        <summary>{file.path}</summary>
        <pre class="file">{file.content}</pre>
      </details>
    ))}
    <div class="actions">
      <form method="post" action={props.proposeAction} class="inline">
        <CsrfField session={props.session} />
        <Carried carried={props.carried} />
        <button type="submit">Open pull request</button>
      </form>
      <form method="post" action={props.editAction} class="inline">
        <CsrfField session={props.session} />
        <Carried carried={props.carried} />
        <input type="hidden" name="intent" value="edit" />
        <button type="submit" class="secondary">
          Change the values
        </button>
      </form>
    </div>
  </Layout>
);
