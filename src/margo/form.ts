/**
 * The configuration form of a description (docs/specification.md §4, A-55): one group per section in
 * order, one field per setting, the widget chosen by the schema entry. Pure data, no HTML: the web
 * pages (ui/) render it and `readForm` turns a posted form back into End-User values for
 * `validateValues`, so the form never carries a rule of its own.
 */
import type { Description, InputValue, Profile, SchemaEntry, Setting, Value } from './model.js';
import { itemTypeOf } from './values.js';

export type Widget = 'text' | 'number' | 'checkbox' | 'select' | 'multiselect' | 'list';
export type ItemType = 'string' | 'integer' | 'double' | 'boolean';

/** A posted form as the server reads it: a field's single value or its repeated values. */
export type PostedForm = Record<string, string | string[] | undefined>;

export interface FormOption {
  /** The option as the form posts it. */
  value: string;
  label: string;
}

export interface FormField {
  /** The parameter the setting writes: also the input's name. */
  parameter: string;
  label: string;
  help?: string;
  section: string;
  widget: Widget;
  itemType: ItemType;
  /** D-2: allowEmpty false (the default) means a value is required. */
  required: boolean;
  min?: number;
  max?: number;
  /** `1` for integers, `10^-maxPrecision` for doubles with one, else `any`. */
  step?: string;
  minLength?: number;
  maxLength?: number;
  /** The schema's regexMatch, shown as a hint (D-4 search semantics differ from HTML `pattern`). */
  pattern?: string;
  options?: FormOption[];
  /** Text for scalar widgets; the items for multiselect and list. */
  value: string | string[];
  /** D-12: an immutable setting on an update keeps its installed value. */
  readOnly: boolean;
  /** Marked sensitive: masked wherever the value is shown later. */
  sensitive: boolean;
}

export interface FormSection {
  name: string;
  fields: FormField[];
}

export interface FormModel {
  sections: FormSection[];
  /** Parameters whose settings were left out because they target none of the profile's components. */
  hidden: string[];
}

export interface FormOptions {
  profile: Profile;
  /** On an update: the deployment's current values (the initial values). */
  previous?: Record<string, Value>;
  /** Lock immutable settings to `previous` (D-12: once installed); default: whenever `previous` is given. */
  lockImmutable?: boolean;
  /** What the End User typed last (re-shown after an error or a new sign-in). */
  entered?: PostedForm;
  /** Parameters marked sensitive; when absent, settings whose name suggests a secret are marked. */
  sensitive?: readonly string[];
}

const SECRET_NAME = /password|passwd|secret|token|api[-_ ]?key|private[-_ ]?key|credential/i;

/** Whether a setting's name, parameter or schema suggests a secret (pre-marks it sensitive). */
export function looksSecret(setting: Pick<Setting, 'name' | 'parameter' | 'schema'>): boolean {
  return SECRET_NAME.test(setting.name) || SECRET_NAME.test(setting.parameter) || SECRET_NAME.test(setting.schema);
}

export function buildForm(description: Description, options: FormOptions): FormModel {
  const components = new Set(options.profile.components.map((component) => component.name));
  const hidden: string[] = [];
  const sections: FormSection[] = [];
  for (const section of description.configuration?.sections ?? []) {
    const fields: FormField[] = [];
    for (const setting of section.settings) {
      const parameter = description.parameters[setting.parameter];
      const onProfile = parameter?.targets.some((target) => target.components.some((name) => components.has(name)));
      const schema = description.configuration?.schema.find((entry) => entry.name === setting.schema);
      if (!onProfile || !schema) {
        hidden.push(setting.parameter);
        continue;
      }
      fields.push(buildField(description, section.name, setting, schema, options));
    }
    if (fields.length > 0) sections.push({ name: section.name, fields });
  }
  return { sections, hidden };
}

function buildField(
  description: Description,
  section: string,
  setting: Setting,
  schema: SchemaEntry,
  options: FormOptions,
): FormField {
  const itemType = toItemType(itemTypeOf(schema.dataType));
  const widget = widgetOf(schema, itemType);
  const locking = options.lockImmutable ?? options.previous !== undefined;
  const readOnly =
    locking &&
    setting.immutable &&
    options.previous !== undefined &&
    Object.hasOwn(options.previous, setting.parameter);
  const sensitive = options.sensitive ? options.sensitive.includes(setting.parameter) : looksSecret(setting);
  const field: FormField = {
    parameter: setting.parameter,
    label: setting.name,
    section,
    widget,
    itemType,
    required: schema.allowEmpty !== true,
    value: initialValue(description, setting.parameter, widget, options, readOnly),
    readOnly,
    sensitive,
  };
  if (setting.description !== undefined) field.help = setting.description;
  if (schema.options !== undefined) {
    field.options = schema.options.map((option) => ({ value: String(option), label: String(option) }));
  }
  if (itemType === 'integer' || itemType === 'double') {
    if (schema.minValue !== undefined) field.min = schema.minValue;
    if (schema.maxValue !== undefined) field.max = schema.maxValue;
    field.step = itemType === 'integer' ? '1' : stepOf(schema.maxPrecision);
  }
  if (itemType === 'string') {
    if (schema.minLength !== undefined) field.minLength = schema.minLength;
    if (schema.maxLength !== undefined) field.maxLength = schema.maxLength;
    if (schema.regexMatch !== undefined) field.pattern = schema.regexMatch;
  }
  return field;
}

function toItemType(type: string): ItemType {
  return type === 'integer' || type === 'double' || type === 'boolean' ? type : 'string';
}

function widgetOf(schema: SchemaEntry, itemType: ItemType): Widget {
  const isArray = schema.dataType.startsWith('array[');
  if (schema.options !== undefined) return schema.multiselect === true || isArray ? 'multiselect' : 'select';
  if (isArray) return 'list';
  if (itemType === 'boolean') return 'checkbox';
  if (itemType === 'integer' || itemType === 'double') return 'number';
  return 'text';
}

/** `maxPrecision` 2 → `0.01`; none → `any` (precision is then free, D-3). */
function stepOf(maxPrecision: number | undefined): string {
  if (maxPrecision === undefined) return 'any';
  if (maxPrecision === 0) return '1';
  return `0.${'0'.repeat(maxPrecision - 1)}1`;
}

/** Typed text wins, then (on an update) the current value, then the parameter's default. */
function initialValue(
  description: Description,
  parameter: string,
  widget: Widget,
  options: FormOptions,
  readOnly: boolean,
): string | string[] {
  const isList = widget === 'multiselect' || widget === 'list';
  const entered = options.entered?.[parameter];
  if (!readOnly && options.entered !== undefined) return postedValue(entered, widget);
  if (options.previous !== undefined && Object.hasOwn(options.previous, parameter)) {
    return asFormValue(options.previous[parameter] as Value, isList);
  }
  const declared = description.parameters[parameter];
  if (declared?.default === undefined) return isList ? [] : '';
  if (typeof declared.default === 'number' && declared.defaultText !== undefined) return declared.defaultText;
  return asFormValue(declared.default, isList);
}

function asFormValue(value: Value, isList: boolean): string | string[] {
  if (Array.isArray(value)) return value.map(String);
  return isList ? [String(value)] : String(value);
}

/** One field of a posted form, as the widget posts it. */
function postedValue(posted: string | string[] | undefined, widget: Widget): string | string[] {
  const all = posted === undefined ? [] : Array.isArray(posted) ? posted : [posted];
  switch (widget) {
    case 'multiselect':
      return all;
    case 'list':
      // One item per line of the list editor; lines left empty are not items.
      return all
        .flatMap((text) => text.split('\n').map((line) => line.replace(/\r$/, '')))
        .filter((line) => line !== '');
    case 'checkbox':
      // A hidden `false` precedes the checkbox, so a ticked box posts [false, true]: the last counts.
      return all[all.length - 1] ?? 'false';
    default:
      return all[all.length - 1] ?? '';
  }
}

/**
 * The End-User values a posted form gives for the fields of `model`: text stays text (numbers are
 * judged as typed, D-3), a checkbox gives `true`/`false`, lists give arrays. Read-only fields keep
 * their current value whatever was posted.
 */
export function readForm(model: FormModel, posted: PostedForm): Record<string, InputValue> {
  const values: Record<string, InputValue> = {};
  for (const field of model.sections.flatMap((section) => section.fields)) {
    values[field.parameter] = field.readOnly ? field.value : postedValue(posted[field.parameter], field.widget);
  }
  return values;
}

/** The parameters marked sensitive in a posted form (checkboxes named `sensitive`). */
export function readSensitive(model: FormModel, posted: PostedForm): string[] {
  const marked = new Set(([] as string[]).concat(posted.sensitive ?? []));
  return model.sections.flatMap((section) =>
    section.fields.filter((field) => marked.has(field.parameter)).map((field) => field.parameter),
  );
}
