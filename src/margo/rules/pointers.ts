/**
 * Pointers of one (profile, component) must not collide: two Helm paths where one is the other or
 * lies inside it (R8, D-8), two parameters writing one environment variable; compose
 * pointers outside the env namespace are skipped with a warning (D-7).
 */
import type { DocPath, IssueList } from '../issues.js';
import { ENV_NAME } from '../patterns.js';
import { parseComposePointer, parseHelmPointer } from '../pointer.js';

/** Keyed by `<profile>\0<component>`. */
export type HelmPathsWritten = Map<string, { segments: (string | number)[]; where: DocPath; parameter: string }[]>;
/** Keyed by `<profile>\0<component>\0<variable>`. */
export type EnvNamesWritten = Map<string, { where: DocPath; parameter: string }>;

export function checkHelmTarget(
  pointer: string,
  key: string,
  where: DocPath,
  parameter: string,
  written: HelmPathsWritten,
  issues: IssueList,
): void {
  const parsed = parseHelmPointer(pointer);
  if (!parsed.ok) {
    issues.error('PATTERN', [...where, 'pointer'], `Helm pointer ${parsed.message}`);
    return;
  }
  const previous = written.get(key) ?? [];
  for (const other of previous) {
    if (other.where.join('\u0000') === where.join('\u0000')) return;
    const shorter = Math.min(other.segments.length, parsed.segments.length);
    if (other.segments.slice(0, shorter).every((segment, i) => segment === parsed.segments[i])) {
      issues.error(
        'POINTER_CONFLICT',
        [...where, 'pointer'],
        `pointer '${pointer}' of parameter ${parameter} writes the same Helm path as (or a path inside) the one of parameter ${other.parameter} on component ${key.split('\u0000')[1]}`,
      );
      return;
    }
  }
  previous.push({ segments: parsed.segments, where, parameter });
  written.set(key, previous);
}

export function checkComposeTarget(
  pointer: string,
  key: string,
  where: DocPath,
  parameter: string,
  envNames: EnvNamesWritten,
  issues: IssueList,
): void {
  const parsed = parseComposePointer(pointer);
  if (!parsed.ok) {
    issues.warning(
      'POINTER_NAMESPACE',
      [...where, 'pointer'],
      `${parsed.message}; this target is not written to the env file`,
    );
    return;
  }
  if (!ENV_NAME.test(parsed.name)) {
    issues.error(
      'PATTERN',
      [...where, 'pointer'],
      `'${parsed.name}' is not a valid environment variable name (letters, digits, _; not starting with a digit)`,
    );
    return;
  }
  const envKey = `${key}\u0000${parsed.name}`;
  const other = envNames.get(envKey);
  if (other && other.where.join('\u0000') !== where.join('\u0000')) {
    issues.error(
      'POINTER_CONFLICT',
      [...where, 'pointer'],
      `environment variable ${parsed.name} of parameter ${parameter} is also written by parameter ${other.parameter} on component ${key.split('\u0000')[1]}`,
    );
  } else envNames.set(envKey, { where, parameter });
}
