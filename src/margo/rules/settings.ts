/**
 * Rules over the normalised description's settings, which need the resolved schema of each
 * setting: defaults that fail it and list values aimed at compose.
 */
import type { IssueList } from '../issues.js';
import type { Description } from '../model.js';
import { checkDefault } from '../values.js';

/** a default that fails its own schema is a warning; the form shows the field invalid. */
export function checkDefaults(description: Description, issues: IssueList): void {
  for (const section of description.configuration?.sections ?? []) {
    for (const setting of section.settings) {
      const problem = checkDefault(description, setting);
      if (problem) {
        issues.warning(
          problem.code,
          ['parameters', setting.parameter, 'value'],
          `the default of parameter ${setting.parameter} fails its setting ${setting.name} (section ${section.name}): it ${problem.message}`,
        );
      }
    }
  }
}

/** list values have no defined compose form (issue #168), so a list setting may not target compose. */
export function checkListTargets(description: Description, issues: IssueList): void {
  const composeComponents = new Set(
    description.profiles.filter((p) => p.type === 'compose').flatMap((p) => p.components.map((c) => c.name)),
  );
  for (const section of description.configuration?.sections ?? []) {
    for (const setting of section.settings) {
      const schema = description.configuration?.schema.find((entry) => entry.name === setting.schema);
      const isList =
        schema && (schema.dataType.startsWith('array[') || (schema.options && schema.multiselect === true));
      if (!isList) continue;
      description.parameters[setting.parameter]?.targets.forEach((target, t) => {
        const compose = target.components.find((name) => composeComponents.has(name));
        if (compose) {
          issues.error(
            'RULE',
            ['parameters', setting.parameter, 'targets', t],
            `parameter ${setting.parameter} holds a list, which has no environment-variable form yet; it cannot target compose component ${compose}`,
          );
        }
      });
    }
  }
}
