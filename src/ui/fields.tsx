/**
 * Form controls shared by every page: labelled inputs with help text, the server's error beside
 * the field (and `aria-invalid`), an error summary linking to each field, and the widgets of the
 * generated configuration form (margo/form.ts).
 */
import type { FC } from 'hono/jsx';
import type { FormField } from '../margo/form.js';

/** Field name → the server's message for it. */
export type FieldErrors = Record<string, string>;

/** An element id for a field name (parameter names may hold any character). */
export function fieldId(name: string): string {
  return `field-${name.replace(/[^A-Za-z0-9_-]/g, (char) => `_${char.charCodeAt(0).toString(16)}`)}`;
}

function describedBy(id: string, help: boolean, error: boolean, extra: string[] = []): string | undefined {
  const ids = [...(error ? [`${id}-error`] : []), ...(help ? [`${id}-help`] : []), ...extra];
  return ids.length > 0 ? ids.join(' ') : undefined;
}

export const ErrorSummary: FC<{ errors: { name: string; label: string; message: string }[] }> = ({ errors }) =>
  errors.length === 0 ? null : (
    <div class="error-summary" role="alert" tabindex={-1} aria-labelledby="error-summary-title">
      <h2 id="error-summary-title">There {errors.length === 1 ? 'is a problem' : `are ${errors.length} problems`}</h2>
      <ul>
        {errors.map((error) => (
          <li>
            <a href={`#${fieldId(error.name)}`}>
              {error.label}: {error.message}
            </a>
          </li>
        ))}
      </ul>
    </div>
  );

/**
 * The label names the field alone; the required mark sits beside it (the input's `required` is
 * announced). `required` false says "(optional)"; undefined (search filters) says nothing.
 */
const Label: FC<{ id: string; label: string; required?: boolean | undefined }> = ({ id, label, required }) => (
  <div class="label-line">
    <label for={id}>{label}</label>
    {required === true && (
      <span class="required" aria-hidden="true">
        {' '}
        *
      </span>
    )}
    {required === false && <span class="muted"> (optional)</span>}
  </div>
);

const Messages: FC<{ id: string; help?: string | undefined; error?: string | undefined }> = ({ id, help, error }) => (
  <>
    {help && (
      <p class="help" id={`${id}-help`}>
        {help}
      </p>
    )}
    {error && (
      <p class="error" id={`${id}-error`}>
        <span class="visually-hidden">Error: </span>
        {error}
      </p>
    )}
  </>
);

export interface InputProps {
  name: string;
  label: string;
  value?: string | undefined;
  error?: string | undefined;
  help?: string | undefined;
  type?: 'text' | 'url' | 'password' | 'number' | 'search';
  required?: boolean;
  autocomplete?: string;
  placeholder?: string;
}

/** A plain labelled input (registries, deployment target, sign-in). */
export const Input: FC<InputProps> = (props) => {
  const id = fieldId(props.name);
  return (
    <div class={props.error ? 'field invalid' : 'field'}>
      <Label id={id} label={props.label} required={props.required} />
      <Messages id={id} help={props.help} error={props.error} />
      <input
        id={id}
        name={props.name}
        type={props.type ?? 'text'}
        value={props.value ?? ''}
        required={props.required}
        autocomplete={props.autocomplete ?? 'off'}
        placeholder={props.placeholder}
        aria-invalid={props.error ? 'true' : undefined}
        aria-describedby={describedBy(id, props.help !== undefined, props.error !== undefined)}
      />
    </div>
  );
};

export const TextArea: FC<Omit<InputProps, 'type'>> = (props) => {
  const id = fieldId(props.name);
  return (
    <div class={props.error ? 'field invalid' : 'field'}>
      <Label id={id} label={props.label} required={props.required} />
      <Messages id={id} help={props.help} error={props.error} />
      <textarea
        id={id}
        name={props.name}
        required={props.required}
        spellcheck={false}
        aria-invalid={props.error ? 'true' : undefined}
        aria-describedby={describedBy(id, props.help !== undefined, props.error !== undefined)}
      >
        {props.value ?? ''}
      </textarea>
    </div>
  );
};

export const Select: FC<
  Omit<InputProps, 'type'> & { options: { value: string; label: string }[]; placeholder?: string }
> = (props) => {
  const id = fieldId(props.name);
  return (
    <div class={props.error ? 'field invalid' : 'field'}>
      <Label id={id} label={props.label} required={props.required} />
      <Messages id={id} help={props.help} error={props.error} />
      <select
        id={id}
        name={props.name}
        required={props.required}
        aria-invalid={props.error ? 'true' : undefined}
        aria-describedby={describedBy(id, props.help !== undefined, props.error !== undefined)}
      >
        {props.placeholder !== undefined && <option value="">{props.placeholder}</option>}
        {props.options.map((option) => (
          <option value={option.value} selected={option.value === props.value}>
            {option.label}
          </option>
        ))}
      </select>
    </div>
  );
};

export const Checkbox: FC<{ name: string; label: string; checked: boolean; help?: string }> = (props) => {
  const id = fieldId(props.name);
  return (
    <div class="field">
      <input type="hidden" name={props.name} value="false" />
      <label class="check" for={id}>
        <input
          type="checkbox"
          id={id}
          name={props.name}
          value="true"
          checked={props.checked}
          aria-describedby={props.help ? `${id}-help` : undefined}
        />
        {props.label}
      </label>
      {props.help && (
        <p class="help" id={`${id}-help`}>
          {props.help}
        </p>
      )}
    </div>
  );
};

/** Hints from the schema that the browser cannot show by itself (lengths, patterns, precision). */
function ruleHint(field: FormField): string | undefined {
  const parts: string[] = [];
  if (field.min !== undefined && field.max !== undefined) parts.push(`from ${field.min} to ${field.max}`);
  else if (field.min !== undefined) parts.push(`at least ${field.min}`);
  else if (field.max !== undefined) parts.push(`at most ${field.max}`);
  if (field.itemType === 'double' && field.step !== undefined && field.step !== 'any') {
    parts.push(`up to ${Math.max(0, field.step.length - 2)} decimal places`);
  }
  if (field.minLength !== undefined && field.maxLength !== undefined)
    parts.push(`${field.minLength} to ${field.maxLength} characters`);
  else if (field.minLength !== undefined) parts.push(`at least ${field.minLength} characters`);
  else if (field.maxLength !== undefined) parts.push(`at most ${field.maxLength} characters`);
  if (field.pattern !== undefined) parts.push(`must match ${field.pattern}`);
  if (field.widget === 'list') parts.push(`one ${field.itemType === 'string' ? 'value' : field.itemType} per line`);
  return parts.length > 0 ? `${parts.join('; ')}.` : undefined;
}

/** One setting of the generated configuration form. */
export const SettingField: FC<{ field: FormField; error?: string | undefined }> = ({ field, error }) => {
  const id = fieldId(field.parameter);
  const hint = ruleHint(field);
  const hintId = `${id}-rules`;
  const liveId = `${id}-live`;
  const aria = {
    'aria-invalid': error ? ('true' as const) : undefined,
    'aria-describedby': describedBy(id, field.help !== undefined, error !== undefined, [
      ...(hint ? [hintId] : []),
      liveId,
    ]),
  };
  const text = Array.isArray(field.value) ? field.value.join('\n') : field.value;
  return (
    <div class={error ? 'field invalid' : 'field'}>
      {field.widget === 'multiselect' && !field.readOnly ? (
        <fieldset id={id} aria-describedby={aria['aria-describedby']}>
          <legend>
            {field.label}
            {field.required ? <span class="required"> *</span> : <span class="muted"> (optional)</span>}
          </legend>
          <Messages id={id} help={field.help} error={error} />
          {(field.options ?? []).map((option, index) => (
            <label class="check" for={`${id}-${index}`}>
              <input
                type="checkbox"
                id={`${id}-${index}`}
                name={field.parameter}
                value={option.value}
                checked={(field.value as string[]).includes(option.value)}
              />
              {option.label}
            </label>
          ))}
        </fieldset>
      ) : field.widget === 'checkbox' && !field.readOnly ? (
        <>
          <input type="hidden" name={field.parameter} value="false" />
          <label class="check" for={id}>
            <input type="checkbox" id={id} name={field.parameter} value="true" checked={text === 'true'} {...aria} />
            {field.label}
          </label>
          <Messages id={id} help={field.help} error={error} />
        </>
      ) : (
        <>
          <Label id={id} label={field.label} required={field.required} />
          <Messages id={id} help={field.help} error={error} />
          {field.readOnly ? (
            <input id={id} name={field.parameter} type="text" value={text} readonly {...aria} />
          ) : field.widget === 'select' ? (
            <select id={id} name={field.parameter} required={field.required} {...aria}>
              <option value="">Choose…</option>
              {(field.options ?? []).map((option) => (
                <option value={option.value} selected={option.value === text}>
                  {option.label}
                </option>
              ))}
            </select>
          ) : field.widget === 'list' ? (
            <textarea id={id} name={field.parameter} required={field.required} spellcheck={false} {...aria}>
              {text}
            </textarea>
          ) : (
            <input
              id={id}
              name={field.parameter}
              type={field.widget === 'number' ? 'number' : field.sensitive ? 'password' : 'text'}
              inputmode={field.itemType === 'integer' ? 'numeric' : field.itemType === 'double' ? 'decimal' : undefined}
              value={text}
              required={field.required}
              min={field.min}
              max={field.max}
              step={field.step}
              minlength={field.minLength}
              maxlength={field.maxLength}
              autocomplete="off"
              data-live-hint={liveId}
              {...aria}
            />
          )}
        </>
      )}
      {field.readOnly && <p class="hint">Immutable: kept as installed.</p>}
      {hint && !field.readOnly && (
        <p class="hint" id={hintId}>
          {hint}
        </p>
      )}
      <p class="hint" id={liveId} aria-live="polite" />
      <label class="sensitive" for={`${id}-sensitive`}>
        <input
          type="checkbox"
          id={`${id}-sensitive`}
          name="sensitive"
          value={field.parameter}
          checked={field.sensitive}
        />
        Sensitive: mask “{field.label}” on every page
      </label>
    </div>
  );
};
