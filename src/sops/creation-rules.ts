/**
 * `.sops.yaml` at the repository root: the creation rules `sops` uses when someone edits or adds
 * a file by hand, matching what margo-bridge writes (Flux Secrets: `data`/`stringData`; env
 * files: every value; other YAML: parameter `value` fields), for the same age recipients.
 */
import { writeYaml } from '../margo/render/index.js';

export const SOPS_CONFIG_FILE = '.sops.yaml';
export const SECRET_REGEX = '^(data|stringData)$';

export function creationRules(recipients: readonly string[]): string {
  const age = recipients.join(',');
  return writeYaml({
    creation_rules: [
      { path_regex: '(^|/)flux/[^/]+\\.secret\\.yaml$', encrypted_regex: SECRET_REGEX, age },
      { path_regex: '\\.env$', age },
      { path_regex: '\\.ya?ml$', encrypted_regex: '^value$', age },
    ],
  });
}
