/**
 * Parameter targets (R3): every target component must be defined in some profile; each valid
 * target is then checked against the pointers already written for that profile's component.
 */
import type { DocPath, IssueList } from '../issues.js';
import { PLACEHOLDER } from '../patterns.js';
import { checkComposeTarget, checkHelmTarget, type EnvNamesWritten, type HelmPathsWritten } from './pointers.js';
import type { KnownComponent } from './profiles.js';
import { entries, rec } from './raw.js';

export function checkParameters(
  raw: Record<string, unknown>,
  components: Map<string, KnownComponent[]>,
  issues: IssueList,
): void {
  /** Helm paths and env names written per (profile, component): R8 and A-45 collisions. */
  const written: HelmPathsWritten = new Map();
  const envNames: EnvNamesWritten = new Map();
  for (const [name, entry] of Object.entries(rec(raw.parameters))) {
    entries(rec(entry).targets).forEach((item, t) => {
      const target = rec(item);
      const where: DocPath = ['parameters', name, 'targets', t];
      const pointer = target.pointer;
      entries(target.components).forEach((componentName, c) => {
        if (typeof componentName !== 'string') return;
        const known = components.get(componentName);
        if (!known) {
          issues.error(
            'REFERENCE',
            [...where, 'components', c],
            `target component '${componentName}' is not the name of a component in any deployment profile`,
          );
          return;
        }
        if (typeof pointer !== 'string' || pointer === '' || PLACEHOLDER.test(pointer)) return;
        for (const { profile, type } of known) {
          const key = `${profile}\u0000${componentName}`;
          if (type === 'helm') checkHelmTarget(pointer, key, where, name, written, issues);
          else if (type === 'compose') checkComposeTarget(pointer, key, where, name, envNames, issues);
        }
      });
    });
  }
}
