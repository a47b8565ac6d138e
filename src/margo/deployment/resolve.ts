/**
 * resolveDeployment: End-User values in, a ResolvedDeployment out. Values are validated first
 * (validateValues, including D-12 against the previous deployment); an immutable change is
 * IMMUTABLE_SETTING, any other problem INVALID_VALUES, each with the issues as details.
 */
import { BridgeError } from '../../errors.js';
import type { InputValue } from '../model.js';
import { validateValues } from '../values.js';
import { type BuildInput, buildDeployment } from './build.js';
import type { ResolvedDeployment } from './model.js';
import { checkDeploymentName } from './names.js';
import { selectProfile } from './profile.js';
import { checkNamespace, checkTarget } from './target.js';

export interface ResolveInput extends Omit<BuildInput, 'values'> {
  values: Record<string, InputValue>;
}

export function resolveDeployment(input: ResolveInput): ResolvedDeployment {
  // Where the deployment goes is checked before the values, so a wrong flag is reported as such.
  checkTarget(input.target);
  checkNamespace(input.namespace);
  if (input.name !== undefined) checkDeploymentName(input.name);
  selectProfile(input.description, input.profile);
  const result = validateValues(
    input.description,
    input.values,
    input.previous ? { previous: input.previous.values } : {},
  );
  if (!result.valid) {
    const immutable = result.issues.filter((issue) => issue.code === 'VALUE_IMMUTABLE');
    if (immutable.length > 0) {
      const names = immutable.map((issue) => issue.parameter).join(', ');
      throw new BridgeError('IMMUTABLE_SETTING', `immutable settings cannot change on an update: ${names}`, {
        issues: result.issues,
      });
    }
    // The message names parameters only: values may be secrets and never go into messages.
    const names = [...new Set(result.issues.map((issue) => issue.parameter))].join(', ');
    throw new BridgeError('INVALID_VALUES', `invalid values for ${names}`, { issues: result.issues });
  }
  return buildDeployment({ ...input, values: result.values });
}
