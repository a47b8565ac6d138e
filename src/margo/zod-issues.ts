/** Turns zod's findings on a raw document into project findings with stable codes and plain words. */
import type { z } from 'zod';
import type { DocPath, IssueList, PathSegment } from './issues.js';
import { nearestWord } from './nearest.js';
import { EXTENSION_KEY } from './raw-schema.js';

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let node: unknown = root;
  for (const segment of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<PropertyKey, unknown>)[segment];
  }
  return node;
}

function typeName(value: unknown): string {
  if (value === null) return 'nothing (null)';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'number') return Number.isInteger(value) ? 'a whole number' : 'a number';
  return `a ${typeof value}`;
}

const expectedWords: Record<string, string> = {
  string: 'text',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  array: 'a list',
  object: 'a mapping',
  record: 'a mapping',
};

const ruleFields = new Set(['minLength', 'maxLength', 'minPrecision', 'maxPrecision']);

/** What the patterns mean, in words (the regular expression alone helps few Application Developers). */
const patternWords: Record<string, string> = {
  id: 'lower-case letters, digits and -, 1 to 200 characters',
  name: 'lower-case letters, digits and -',
  timeout: 'minutes and seconds such as 8m30s',
  memory: 'a size such as 512Mi or 2Gi',
  storage: 'a size such as 10Gi or 1Ti',
};

function fieldName(path: DocPath): string {
  const last = [...path].reverse().find((segment) => typeof segment === 'string');
  return last === undefined ? 'the document' : String(last);
}

interface SchemaDef {
  type: string;
  shape?: Record<string, z.core.$ZodType>;
  innerType?: z.core.$ZodType;
  element?: z.core.$ZodType;
  valueType?: z.core.$ZodType;
  options?: z.core.$ZodType[];
  getter?: () => z.core.$ZodType;
}

function defOf(schema: z.core.$ZodType): SchemaDef {
  return schema._zod.def as unknown as SchemaDef;
}

/** The object schema a document path leads to (through lists, records, optionals and lazy schemas). */
function objectAt(schema: z.core.$ZodType | undefined, path: readonly PropertyKey[]): SchemaDef | undefined {
  let current = schema;
  const rest = [...path];
  for (let guard = 0; current && guard < 100; guard++) {
    const def = defOf(current);
    if (def.type === 'optional' || def.type === 'nullable' || def.type === 'default') current = def.innerType;
    else if (def.type === 'lazy') current = def.getter?.();
    else if (def.type === 'union') current = def.options?.find((option) => defOf(option).type === 'object');
    else if (rest.length === 0) return def.type === 'object' ? def : undefined;
    else if (def.type === 'object') current = def.shape?.[String(rest.shift())];
    else if (def.type === 'array') {
      rest.shift();
      current = def.element;
    } else if (def.type === 'record') {
      rest.shift();
      current = def.valueType;
    } else return undefined;
  }
  return undefined;
}

/** `unknown key 'apiVersions' is ignored; did you mean 'apiVersion'?` */
function unknownKeyMessage(key: string, known: string[]): string {
  const suggestion = nearestWord(key, known);
  return `unknown key '${key}' is ignored${suggestion ? `; did you mean '${suggestion}'?` : ''}`;
}

/** `schema` (the one the issues come from) lets unknown keys suggest the nearest known key. */
export function reportZodIssues(
  issues: readonly z.core.$ZodIssue[],
  root: unknown,
  list: IssueList,
  schema?: z.core.$ZodType,
): void {
  for (const issue of issues) {
    const path = issue.path.filter((segment): segment is PathSegment => typeof segment !== 'symbol');
    const field = fieldName(path);
    const actual = valueAt(root, issue.path);
    switch (issue.code) {
      case 'invalid_type': {
        const expected = expectedWords[issue.expected] ?? issue.expected;
        if (actual === undefined || actual === null)
          list.error('REQUIRED', path, `${field} is required (expected ${expected})`);
        else if (ruleFields.has(field)) list.error('RULE', path, `${field} must be a non-negative whole number`);
        else list.error('TYPE', path, `${field} must be ${expected}, found ${typeName(actual)}`);
        break;
      }
      case 'invalid_union':
        if (actual === undefined) list.error('REQUIRED', path, `${field} is required`);
        else list.error('TYPE', path, `${field} has an unexpected type (${typeName(actual)})`);
        break;
      case 'invalid_format': {
        const pattern = 'pattern' in issue && typeof issue.pattern === 'string' ? issue.pattern : issue.format;
        const words = patternWords[field];
        list.error(
          'PATTERN',
          path,
          `${field} '${String(actual)}' does not match the pattern ${pattern}${words ? ` (expected ${words})` : ''}`,
        );
        break;
      }
      case 'invalid_value':
        list.error(
          'ENUM',
          path,
          `${field} '${String(actual)}' is not one of the allowed values: ${issue.values.map(String).join(', ')}`,
        );
        break;
      case 'too_small':
        if (issue.origin === 'array') list.error('REQUIRED', path, `${field} needs at least ${issue.minimum} entry`);
        else if (issue.origin === 'string') list.error('REQUIRED', path, `${field} must not be empty`);
        else if (ruleFields.has(field)) list.error('RULE', path, `${field} must be a non-negative whole number`);
        else
          list.error(
            'RULE',
            path,
            `${field} must be at least ${String(issue.minimum)}${issue.inclusive ? '' : ' (exclusive)'}`,
          );
        break;
      case 'unrecognized_keys': {
        const known = Object.keys(objectAt(schema, issue.path)?.shape ?? {});
        for (const key of issue.keys) {
          if (EXTENSION_KEY.test(key)) continue;
          list.warning('UNKNOWN_KEY', [...path, key], unknownKeyMessage(key, known), 'key');
        }
        break;
      }
      default:
        list.error('RULE', path, `${field}: ${issue.message}`);
    }
  }
}
