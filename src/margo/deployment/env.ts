/**
 * Environment variables for one compose component (D-7, §6.2, A-45). `ENV.`/`env.` is stripped;
 * another dotted namespace (`PORTS.80`) is skipped with a POINTER_NAMESPACE warning while the
 * target stays in the ApplicationDeployment. Invalid names, two targets setting one
 * variable, and list values (A-28: no env form is defined) are description errors.
 */
import { BridgeError } from '../../errors.js';
import { parseComposePointer } from '../pointer.js';
import { scalarText } from './data.js';
import type { EnvEntry, ResolutionWarning, ValueWrite } from './model.js';

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function buildEnvEntries(component: string, writes: ValueWrite[], warnings: ResolutionWarning[]): EnvEntry[] {
  const entries = new Map<string, EnvEntry>();
  const issues: { code: string; message: string; parameter: string; pointer: string; component: string }[] = [];
  for (const write of writes) {
    const where = { parameter: write.parameter, pointer: write.pointer, component };
    const parsed = parseComposePointer(write.pointer);
    if (!parsed.ok) {
      warnings.push({ code: 'POINTER_NAMESPACE', message: `${parsed.message}; no env line is written`, ...where });
      continue;
    }
    if (!ENV_NAME.test(parsed.name)) {
      issues.push({
        code: 'ENV_NAME',
        message: `pointer '${write.pointer}' gives '${parsed.name}', which is not an environment variable name (^[A-Za-z_][A-Za-z0-9_]*$)`,
        ...where,
      });
      continue;
    }
    const text = scalarText(write.value);
    if (text === null) {
      issues.push({
        code: 'ENV_LIST',
        message: `parameter '${write.parameter}' has a list value, which has no environment-variable form`,
        ...where,
      });
      continue;
    }
    const existing = entries.get(parsed.name);
    if (existing) {
      issues.push({
        code: 'ENV_CONFLICT',
        message: `parameters '${existing.parameter}' and '${write.parameter}' both set ${parsed.name} in component '${component}'`,
        ...where,
      });
      continue;
    }
    entries.set(parsed.name, { name: parsed.name, value: text, parameter: write.parameter });
  }
  if (issues.length > 0) {
    throw new BridgeError('INVALID_DESCRIPTION', issues.map((issue) => issue.message).join('; '), { issues });
  }
  return [...entries.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
