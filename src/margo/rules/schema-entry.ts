/**
 * One configuration schema entry: options of its data type (R5), min ≤ max (R6), whole-number
 * bounds for integers, regexMatch compiling in the RE2 engine (R7), and rules that do not fit the
 * data type (A-56: ignored with a warning).
 */
import type { DocPath, IssueList } from '../issues.js';
import type { SchemaEntry } from '../model.js';
import { compileRegex } from '../regex.js';
import { itemTypeOf } from '../values.js';

/** Which rules fit which data type (A-56: others are ignored with a warning). */
const fittingRules: Record<string, readonly string[]> = {
  string: ['minLength', 'maxLength', 'regexMatch'],
  integer: ['minValue', 'maxValue'],
  double: ['minValue', 'maxValue', 'minPrecision', 'maxPrecision'],
  boolean: [],
};
const ruleKeys = ['minLength', 'maxLength', 'regexMatch', 'minValue', 'maxValue', 'minPrecision', 'maxPrecision'];

function sameType(option: unknown, type: string): boolean {
  if (type === 'string') return typeof option === 'string';
  if (type === 'integer') return typeof option === 'number' && Number.isInteger(option);
  if (type === 'double') return typeof option === 'number';
  if (type === 'boolean') return typeof option === 'boolean';
  return false;
}

export function checkSchemaEntry(entry: Partial<SchemaEntry>, path: DocPath, issues: IssueList): void {
  const dataType = typeof entry.dataType === 'string' ? entry.dataType : undefined;
  const type = dataType ? itemTypeOf(dataType) : undefined;
  const name = typeof entry.name === 'string' ? entry.name : `entry ${String(path[path.length - 1])}`;
  if (Array.isArray(entry.options) && type && type in fittingRules) {
    entry.options.forEach((option, o) => {
      if (!sameType(option, type)) {
        issues.error(
          'TYPE',
          [...path, 'options', o],
          `option ${JSON.stringify(option)} of schema ${name} is not of type ${type}`,
        );
      }
    });
  }
  for (const [min, max] of [
    ['minLength', 'maxLength'],
    ['minValue', 'maxValue'],
    ['minPrecision', 'maxPrecision'],
  ] as const) {
    const low = entry[min];
    const high = entry[max];
    if (typeof low === 'number' && typeof high === 'number' && low > high) {
      issues.error('RULE', [...path, min], `${min} ${low} of schema ${name} is greater than ${max} ${high}`);
    }
  }
  if (type === 'integer') {
    for (const key of ['minValue', 'maxValue'] as const) {
      const value = entry[key];
      if (typeof value === 'number' && !Number.isInteger(value)) {
        issues.error('RULE', [...path, key], `${key} of integer schema ${name} must be a whole number`);
      }
    }
  }
  if (typeof entry.regexMatch === 'string') {
    const compiled = compileRegex(entry.regexMatch);
    if (!compiled.ok) {
      issues.error(
        'REGEX_COMPILE',
        [...path, 'regexMatch'],
        `regexMatch of schema ${name} does not compile: ${compiled.message}`,
      );
    }
  }
  if (type && type in fittingRules && !Array.isArray(entry.options)) {
    const fits = fittingRules[type] ?? [];
    for (const key of ruleKeys) {
      if ((entry as Record<string, unknown>)[key] !== undefined && !fits.includes(key)) {
        issues.warning('RULE', [...path, key], `${key} does not apply to dataType ${dataType} and is ignored`, 'key');
      }
    }
  }
}
