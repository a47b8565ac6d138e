/**
 * End-User values against a description (docs/specification.md §4; D-2 to D-6, D-12).
 * Numbers are judged as typed: values files keep each number's source text (`1.50` stays the
 * string "1.50"), so precision and integer-ness are read from the digits, never from a float.
 * Messages never repeat the value itself: it may be a password.
 */

import { detectShape } from './detect.js';
import type { Position } from './issues.js';
import type {
  Description,
  InputValue,
  Issue,
  Scalar,
  SchemaEntry,
  Setting,
  TypedValue,
  Value,
  ValueIssue,
  ValuesResult,
} from './model.js';
import { compileRegex, MAX_MATCHED_LENGTH } from './regex.js';
import { parseYaml } from './yaml.js';

const INTEGER_TEXT = /^[+-]?\d+$/;
const DOUBLE_TEXT = /^[+-]?\d+(\.\d+)?$/;

type Check = { ok: true; typed: TypedValue | null } | { ok: false; code: string; message: string };
type ItemCheck = { ok: true; value: Scalar; text?: string } | { ok: false; code: string; message: string };

function fail(code: string, message: string): { ok: false; code: string; message: string } {
  return { ok: false, code, message };
}

function isEmptyInput(value: InputValue | undefined): boolean {
  return value === undefined || value === null || value === '' || (Array.isArray(value) && value.length === 0);
}

/** `array[T]` → T; other data types are their own item type. */
export function itemTypeOf(dataType: string): string {
  return /^array\[(.+)\]$/.exec(dataType)?.[1] ?? dataType;
}

/** Reads one scalar as `type`; strings are parsed by the patterns of §4.2, native values checked. */
function coerce(value: InputValue, type: string): ItemCheck {
  if (Array.isArray(value) || value === null)
    return fail('VALUE_TYPE', `expected a single ${type} value, found a list or nothing`);
  switch (type) {
    case 'string':
      if (typeof value === 'boolean') return fail('VALUE_TYPE', 'expected text, found true/false');
      return { ok: true, value: String(value) };
    case 'boolean':
      // real booleans only; the strings a form posts for a checkbox are the one exception.
      if (typeof value === 'boolean') return { ok: true, value };
      if (value === 'true' || value === 'false') return { ok: true, value: value === 'true' };
      return fail('VALUE_TYPE', 'expected true or false');
    case 'integer': {
      const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim() : '';
      if (typeof value === 'boolean' || !INTEGER_TEXT.test(text)) {
        return fail('VALUE_TYPE', 'expected a whole number written with digits only (no decimal point or exponent)');
      }
      const number = Number(text);
      if (!Number.isSafeInteger(number))
        return fail('VALUE_RANGE', 'the whole number is too large to be handled exactly');
      return { ok: true, value: number, text };
    }
    case 'double': {
      const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim() : '';
      if (typeof value === 'boolean' || !DOUBLE_TEXT.test(text)) {
        return fail('VALUE_TYPE', 'expected a number such as 1.5 (digits, an optional decimal point, no exponent)');
      }
      return { ok: true, value: Number(text), text };
    }
    default:
      return fail('VALUE_TYPE', `the description's dataType ${type} is not supported`);
  }
}

function decimals(text: string): number {
  const point = text.indexOf('.');
  return point < 0 ? 0 : text.length - point - 1;
}

/** The rules of one item of type `type` (§4.2); select options are handled by the caller. */
function checkRules(item: { value: Scalar; text?: string }, type: string, schema: SchemaEntry): ItemCheck {
  const { value } = item;
  if (type === 'string' && typeof value === 'string') {
    const length = [...value].length;
    if (schema.minLength !== undefined && length < schema.minLength) {
      return fail('VALUE_LENGTH', `must be at least ${schema.minLength} characters long (has ${length})`);
    }
    if (schema.maxLength !== undefined && length > schema.maxLength) {
      return fail('VALUE_LENGTH', `must be at most ${schema.maxLength} characters long (has ${length})`);
    }
    if (schema.regexMatch !== undefined) {
      const compiled = compileRegex(schema.regexMatch);
      if (!compiled.ok) return fail('VALUE_PATTERN', 'cannot be checked: the schema regexMatch does not compile');
      if (value.length > MAX_MATCHED_LENGTH) {
        return fail(
          'VALUE_PATTERN',
          `is longer than ${MAX_MATCHED_LENGTH} characters, the most checked against a pattern`,
        );
      }
      if (!compiled.regex.test(value)) return fail('VALUE_PATTERN', `does not match the pattern ${schema.regexMatch}`);
    }
  }
  if ((type === 'integer' || type === 'double') && typeof value === 'number') {
    if (schema.minValue !== undefined && value < schema.minValue)
      return fail('VALUE_RANGE', `must be at least ${schema.minValue}`);
    if (schema.maxValue !== undefined && value > schema.maxValue)
      return fail('VALUE_RANGE', `must be at most ${schema.maxValue}`);
    if (type === 'double') {
      const places = decimals(item.text ?? String(value));
      if (schema.minPrecision !== undefined && places < schema.minPrecision) {
        return fail('VALUE_PRECISION', `needs at least ${schema.minPrecision} decimal places (has ${places})`);
      }
      if (schema.maxPrecision !== undefined && places > schema.maxPrecision) {
        return fail('VALUE_PRECISION', `allows at most ${schema.maxPrecision} decimal places (has ${places})`);
      }
    }
  }
  return { ok: true, ...item };
}

function sameScalar(a: Scalar, b: Scalar): boolean {
  return a === b;
}

function checkOption(item: InputValue, type: string, options: readonly Scalar[]): ItemCheck {
  const read = coerce(item, type);
  if (!read.ok) return read;
  // D-5: type-aware equality: strings exact and case-sensitive, numbers and booleans by value.
  if (!options.some((option) => sameScalar(option, read.value))) {
    return fail('VALUE_OPTION', `is not one of the options: ${options.map((o) => JSON.stringify(o)).join(', ')}`);
  }
  return read;
}

/** Validates one setting's value (already resolved: input, else default) against its schema entry. */
export function checkSettingValue(value: InputValue | undefined, schema: SchemaEntry): Check {
  if (isEmptyInput(value)) {
    // D-2: allowEmpty false (the default) requires a value; true skips every other rule.
    if (schema.allowEmpty === true) return { ok: true, typed: null };
    return fail('VALUE_REQUIRED', 'a value is required');
  }
  const type = itemTypeOf(schema.dataType);
  const isList = schema.dataType.startsWith('array[') || (schema.options !== undefined && schema.multiselect === true);
  if (schema.options !== undefined && !isList) {
    const chosen = checkOption(value as InputValue, type, schema.options);
    return chosen.ok ? { ok: true, typed: typedOf(chosen) } : chosen;
  }
  if (isList) {
    if (!Array.isArray(value)) return fail('VALUE_TYPE', `expected a list of ${type} values`);
    const items: Scalar[] = [];
    for (const [index, item] of value.entries()) {
      const read = schema.options !== undefined ? checkOption(item, type, schema.options) : coerce(item, type);
      const checked = read.ok && schema.options === undefined ? checkRules(read, type, schema) : read;
      if (!checked.ok) return fail(checked.code, `item ${index + 1} ${checked.message}`);
      if (items.some((known) => sameScalar(known, checked.value))) {
        return fail('VALUE_DUPLICATE', `item ${index + 1} repeats an earlier item; each choice may appear once`);
      }
      items.push(checked.value);
    }
    // chosen options are kept in the order of the options list, so equal choices compare equal.
    const options = schema.options;
    if (options) items.sort((a, b) => options.indexOf(a) - options.indexOf(b));
    return { ok: true, typed: { value: items } };
  }
  const read = coerce(value as InputValue, type);
  if (!read.ok) return read;
  const checked = checkRules(read, type, schema);
  return checked.ok ? { ok: true, typed: typedOf(checked) } : checked;
}

function typedOf(item: { value: Scalar; text?: string }): TypedValue {
  return item.text !== undefined && typeof item.value === 'number'
    ? { value: item.value, text: item.text }
    : { value: item.value };
}

/** The default as the End User would have typed it: numbers by their source text (D-3). */
function defaultInput(description: Description, parameter: string): InputValue | undefined {
  const entry = description.parameters[parameter];
  if (!entry || entry.default === undefined) return undefined;
  if (typeof entry.default === 'number' && entry.defaultText !== undefined) return entry.defaultText;
  return entry.default;
}

/**
 * The values an install set (§4.3: D-9 writes resolved values, so a default used at install is
 * set): the given values over the description's defaults, as the End User would have typed them.
 * Updates compare immutable settings against these, so a new version's changed default is a change.
 */
export function installedValues(
  description: Description,
  given: Record<string, InputValue>,
): Record<string, InputValue> {
  const installed: Record<string, InputValue> = {};
  for (const name of Object.keys(description.parameters)) {
    const value = defaultInput(description, name);
    if (value !== undefined) installed[name] = value;
  }
  return { ...installed, ...given };
}

function schemaOf(description: Description, setting: Setting): SchemaEntry | undefined {
  return description.configuration?.schema.find((entry) => entry.name === setting.schema);
}

/** checks a non-empty default against its setting's schema; used by the document rules. */
export function checkDefault(description: Description, setting: Setting): { code: string; message: string } | null {
  const input = defaultInput(description, setting.parameter);
  const schema = schemaOf(description, setting);
  if (!schema || isEmptyInput(input)) return null;
  const result = checkSettingValue(input, schema);
  return result.ok ? null : { code: result.code, message: result.message };
}

function equalValues(a: Value, b: Value): boolean {
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((item, i) => item === b[i]);
  }
  return a === b;
}

export function validateValues(
  description: Description,
  input: Record<string, InputValue>,
  options: { previous?: Record<string, Value> } = {},
): ValuesResult {
  const issues: ValueIssue[] = [];
  const values: Record<string, TypedValue> = {};
  const settings = new Map<string, { setting: Setting; section: string }>();
  for (const section of description.configuration?.sections ?? []) {
    for (const setting of section.settings) settings.set(setting.parameter, { setting, section: section.name });
  }
  for (const name of Object.keys(input)) {
    if (!Object.hasOwn(description.parameters, name)) {
      issues.push({
        parameter: name,
        code: 'VALUE_UNKNOWN',
        message: `${name} is not a parameter of this application`,
      });
    } else if (!settings.has(name)) {
      issues.push({
        parameter: name,
        code: 'VALUE_NOT_EDITABLE',
        message: `${name} has no setting, so it cannot be given a value`,
      });
    }
  }
  for (const [name, parameter] of Object.entries(description.parameters)) {
    const found = settings.get(name);
    if (!found) {
      // not editable; the default (if any) is written as is.
      const fallback = defaultInput(description, name);
      if (fallback !== undefined && !Array.isArray(fallback) && fallback !== null) {
        values[name] =
          typeof parameter.default === 'number' && parameter.defaultText !== undefined
            ? { value: parameter.default, text: parameter.defaultText }
            : { value: parameter.default as Value };
      } else if (Array.isArray(parameter.default)) values[name] = { value: parameter.default };
      continue;
    }
    const { setting, section } = found;
    const schema = schemaOf(description, setting);
    if (!schema) {
      issues.push({
        parameter: name,
        code: 'VALUE_SCHEMA',
        message: `setting ${setting.name} names an unknown schema ${setting.schema}`,
      });
      continue;
    }
    const given = Object.hasOwn(input, name) ? input[name] : defaultInput(description, name);
    const result = checkSettingValue(given, schema);
    if (!result.ok) {
      issues.push({ parameter: name, code: result.code, message: `${setting.name} (${section}): ${result.message}` });
      continue;
    }
    if (result.typed) values[name] = result.typed;
    checkImmutable(options.previous, name, setting, section, schema, result.typed, issues);
  }
  return { valid: issues.length === 0, issues, values };
}

/** D-12: an immutable setting keeps the value it was installed with (A-29a: absent before = not yet set). */
function checkImmutable(
  previous: Record<string, Value> | undefined,
  name: string,
  setting: Setting,
  section: string,
  schema: SchemaEntry,
  typed: TypedValue | null,
  issues: ValueIssue[],
): void {
  if (!setting.immutable || !previous || !Object.hasOwn(previous, name)) return;
  const before = checkSettingValue(previous[name], schema);
  // Compare typed values, so "120" written by an older deployment equals 120.
  const beforeValue = before.ok ? (before.typed?.value ?? null) : (previous[name] ?? null);
  const now = typed?.value ?? null;
  const same = beforeValue === null || now === null ? beforeValue === now : equalValues(beforeValue, now);
  if (!same) {
    issues.push({
      parameter: name,
      code: 'VALUE_IMMUTABLE',
      message: `setting ${setting.name} in section ${section} (parameter ${name}) is immutable and cannot change on an update`,
    });
  }
}

/** A parsed values file: the values, what is wrong with the file, and where each parameter's value is. */
export interface ValuesFile {
  values: Record<string, InputValue>;
  errors: Issue[];
  /** Line and column of each parameter's value in the file, for findings about it. */
  positions: Record<string, Position>;
}

/**
 * A values file: a YAML or JSON mapping from parameter name to value. Numbers become their
 * source text (`1.50` → "1.50", `30.0` → "30.0"), so validateValues judges them as written.
 * An application description or deployment given in its place is named as such.
 */
export function parseValuesFile(text: string): ValuesFile {
  const issue = (code: string, path: string, message: string, line: number, column: number): Issue => ({
    severity: 'error',
    code,
    message,
    path,
    line,
    column,
  });
  const parsed = parseYaml(text);
  if (!parsed.ok) {
    const errors = parsed.problems.map((problem) => issue('PARSE', '', problem.message, problem.line, problem.column));
    return { values: {}, errors, positions: {} };
  }
  const root = parsed.value;
  if (root === null || root === undefined) return { values: {}, errors: [], positions: {} };
  if (typeof root !== 'object' || Array.isArray(root)) {
    return {
      values: {},
      errors: [issue('PARSE', '', 'expected a mapping from parameter name to value', 1, 1)],
      positions: {},
    };
  }
  const detection = detectShape(root);
  if (detection.kind === 'description' || detection.kind === 'deployment' || detection.kind === 'unsupported') {
    const what = detection.kind === 'deployment' ? 'an ApplicationDeployment' : 'an application description';
    const message = `this is ${what}, not a values file; a values file maps parameter names to values (parameter: value)`;
    return { values: {}, errors: [issue('NOT_VALUES', '', message, 1, 1)], positions: {} };
  }
  const values: Record<string, InputValue> = {};
  const errors: Issue[] = [];
  const positions: Record<string, Position> = {};
  const read = (value: unknown, path: (string | number)[]): InputValue | undefined => {
    if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
    if (typeof value === 'number') return parsed.sourceText(path) ?? String(value);
    if (Array.isArray(value)) {
      const items: InputValue[] = [];
      for (const [index, item] of value.entries()) {
        const itemValue = read(item, [...path, index]);
        if (itemValue === undefined) return undefined;
        items.push(itemValue);
      }
      return items;
    }
    return undefined;
  };
  for (const [name, value] of Object.entries(root)) {
    positions[name] = parsed.locate([name], 'value');
    const inputValue = read(value, [name]);
    if (inputValue === undefined) {
      const { line, column } = parsed.locate([name], 'key');
      errors.push(
        issue('VALUE_TYPE', name, `${name} must be a value or a list of values, not a mapping`, line, column),
      );
    } else values[name] = inputValue;
  }
  return { values, errors, positions };
}
